"""The benchmark's ceiling is routed by its own settings only (tools/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

BASE_DIR = Path(__file__).resolve().parents[2]
PROBE = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/bench/constant/")
print(response.status_code, len(response.content))
"""


@pytest.mark.django_db
def test_the_production_urlconf_has_no_benchmark_route():
    assert Client().get("/bench/constant/").status_code == 404


def test_the_benchmark_settings_serve_the_ceiling_of_the_size_asked_for():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "tools.bench_settings",
            "BENCH_CONSTANT_BYTES": "1000",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["200", "1000"], result.stderr
