"""The committed ``docs/openapi.yaml`` compiles, unchanged, in Ajv (the validator of
most JavaScript clients) with strict mode off and ``discriminator: true``.

Slow tier: needs Node.js and npm (``npm ci`` of ``tests/contract/ajv/``, two pinned
packages, into a temporary directory). Skipped without them; ``-m "not node"`` skips
it too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(
        not (shutil.which("node") and shutil.which("npm")), reason="needs node and npm"
    ),
]


@pytest.fixture(scope="module")
def ajv(tmp_path_factory) -> Path:
    """A directory with Ajv installed from the lock file."""
    directory = tmp_path_factory.mktemp("ajv")
    for name in ("package.json", "package-lock.json", "compile.js"):
        shutil.copy(HERE / "ajv" / name, directory / name)
    subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"],
        cwd=directory,
        check=True,
        timeout=300,
    )
    return directory


def compile_in_ajv(ajv: Path, document: dict) -> subprocess.CompletedProcess:
    schema = ajv / "openapi.json"
    schema.write_text(json.dumps(document))
    return subprocess.run(
        ["node", "compile.js", str(schema)],
        cwd=ajv,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_committed_schema_compiles_in_ajv_with_discriminators(ajv):
    document = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())

    result = compile_in_ajv(ajv, document)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(" compiled, 0 failed")


def test_ajv_refuses_a_discriminator_mapping(ajv):
    # The check above can fail: what drf-spectacular writes by itself is refused.
    document = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    document["components"]["schemas"]["Block"]["discriminator"] = {
        "propertyName": "kind",
        "mapping": {"text": "#/components/schemas/TextBlock"},
    }

    result = compile_in_ajv(ajv, document)

    assert result.returncode == 1
    assert "Block: discriminator: mapping is not supported" in result.stderr
