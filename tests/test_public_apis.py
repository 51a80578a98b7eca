"""Libraries are used through their public APIs only (STYLE.md, "Proportion").

Read from the source, as a reviewer's grep would: no ``_``-prefixed attribute of
another library and no run-time replacement of a library's function in the runtime
packages. An exception that has no public way lives in one adapter module per
library (``runtime/adapters/``), whose own test names the version it was written for.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_layout import LAYERS

ROOT = Path(__file__).resolve().parent.parent
# Every runtime package (the layout's list: a new package is checked too).
PACKAGES = tuple(LAYERS)
FIRST_PARTY = {*LAYERS, "tests", "tools"}
ADAPTERS = ROOT / "runtime" / "adapters"

# ``_``-prefixed names that are not a library's privates.
ALLOWED = {
    # Django's documented model API (Model._meta API, Model._state, managers).
    "_meta",
    "_state",
    "_default_manager",
    # Our own attributes, set on our objects or on the request.
    "_save_refused",
    "_history_revert",
    "_working_copy_state",
    "_working_copy_token",
    "_working_copy_conflict",
    "_working_copy_check",
    "_loaded_values",
    "_published_in_db",
    "_flags_loaded",
    "_replace",  # namedtuple's public API (urlsplit results)
}
# Attributes of a library object that its documentation says to set.
SETTABLE = {"site_header", "site_title", "index_title", "site_url"}  # AdminSite
# Undocumented internals of Django without a leading underscore.
INTERNAL = {"run_on_commit", "savepoint_ids", "atomic_blocks"}


def test_the_scan_covers_every_package_and_skips_only_the_adapters():
    """A move must not shrink what is read: every package and the adapters'
    folder exist where the scan looks."""
    assert ADAPTERS.is_dir()
    assert all((ROOT / package / "__init__.py").exists() for package in PACKAGES)
    scanned = {path.relative_to(ROOT).parts[0] for path in runtime_sources()}
    assert scanned >= set(PACKAGES)


def runtime_sources() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or path.is_relative_to(ADAPTERS):
                continue
            files.append(path)
    return [*sorted(files), ROOT / "gunicorn.conf.py"]


def imported_names(tree: ast.AST) -> set[str]:
    """Names bound in a module by importing another library (anywhere in it)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in FIRST_PARTY:
                    names.add((alias.asname or alias.name).split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] not in FIRST_PARTY
        ):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def findings(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    libraries = imported_names(tree)
    where = path.relative_to(root)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = node.attr
            private = name.startswith("_") and not name.startswith("__")
            if ((private and name not in ALLOWED) or name in INTERNAL) and root_name(
                node.value
            ) not in ("self", "cls"):
                found.append(f"{where}:{node.lineno}: .{name}")
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and root_name(target) in libraries
                and target.attr not in SETTABLE
            ):
                found.append(f"{where}:{node.lineno}: replaces {ast.unparse(target)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and node.args
            and root_name(node.args[0]) in libraries
        ):
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_private_attribute_or_replaced_function_of_a_library():
    found = [line for path in runtime_sources() for line in findings(path)]

    assert found == []


def test_the_check_finds_what_it_looks_for(tmp_path):
    # The detector itself: each kind of finding is seen.
    source = tmp_path / "sample.py"
    source.write_text(
        "import psycopg\n"
        "from django.http import HttpResponse\n"
        "def f(response, connection):\n"
        "    response._has_been_logged = True\n"
        "    connection.run_on_commit\n"
        "    psycopg.connect = None\n"
        "    setattr(HttpResponse, 'x', 1)\n"
        "    self._fine = response._meta\n"
    )
    found = sorted(line.split(": ", 1)[1] for line in findings(source, tmp_path))

    assert found == [
        "._has_been_logged",
        ".run_on_commit",
        "replaces psycopg.connect",
        "setattr(HttpResponse, 'x', 1)",
    ]
