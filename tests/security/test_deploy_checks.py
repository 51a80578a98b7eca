"""Production settings, checked the way a deployment runs them: a fresh process with
a production environment (``manage.py check --deploy``, gunicorn)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]

# What a production deployment behind an HTTPS proxy sets (README, "Security"), at
# the last HSTS stage.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "cms.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://cms.example.com",
    "BEHIND_HTTPS_PROXY": "true",
    # The proxy appends the address it saw to X-Forwarded-For.
    "NUM_PROXIES": "1",
    "HSTS_SECONDS": "31536000",
    "HSTS_INCLUDE_SUBDOMAINS": "true",
    "HSTS_PRELOAD": "true",
    "ADMIN_URL": "editors-7f3a/",
}
# Variables of the settings that the developer's shell might carry into the test.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "BEHIND_HTTPS_PROXY",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "HSTS_SECONDS",
    "HSTS_INCLUDE_SUBDOMAINS",
    "HSTS_PRELOAD",
    "ADMIN_URL",
    "NUM_PROXIES",
    "API_THROTTLE_RATE",
    "CORS_ALLOWED_ORIGINS",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_HOURS",
)


def environment(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(PRODUCTION)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    return env


def check_deploy(
    fail_level: str = "WARNING", **overrides: str | None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", fail_level],
        cwd=BASE_DIR,
        env=environment(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checks_with_nothing_silenced():
    result = check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert settings.SILENCED_SYSTEM_CHECKS == []


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"DEBUG": "true"}, "security.W018"),
        ({"SECRET_KEY": "short-and-guessable"}, "security.W009"),
        ({"BEHIND_HTTPS_PROXY": None}, "security.W008"),
        ({"BEHIND_HTTPS_PROXY": None}, "security.W012"),
        ({"SECURE_COOKIES": "false"}, "security.W016"),
        ({"HSTS_SECONDS": "0"}, "security.W004"),
        ({"HSTS_INCLUDE_SUBDOMAINS": "false"}, "security.W005"),
        ({"HSTS_PRELOAD": "false"}, "security.W021"),
        ({"NUM_PROXIES": None}, "clinic.E001"),
        ({"NUM_PROXIES": "0"}, "clinic.E001"),
        ({"SECRET_KEY": None}, "clinic.E002"),
        ({"SECRET_KEY": ""}, "clinic.E002"),
    ],
)
def test_a_production_environment_missing_a_piece_fails_the_checks(overrides, check_id):
    result = check_deploy(**overrides)

    assert result.returncode != 0
    assert check_id in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        # Behind the proxy every editor has the proxy's address: five wrong
        # passwords from anyone would lock out the real admin.
        ({"NUM_PROXIES": "0"}, "clinic.E001"),
        ({"SECRET_KEY": None}, "clinic.E002"),
    ],
)
def test_errors_fail_check_deploy_at_its_default_level(overrides, check_id):
    result = check_deploy(fail_level="ERROR", **overrides)

    assert result.returncode != 0
    assert check_id in result.stderr


def test_without_a_proxy_no_proxy_hops_are_needed():
    result = check_deploy(
        fail_level="ERROR", BEHIND_HTTPS_PROXY="false", NUM_PROXIES="0"
    )

    assert result.returncode == 0, result.stderr
    assert "clinic.E001" not in result.stderr + result.stdout


SETTINGS_OF_THE_ENVIRONMENT = """
from django.conf import settings as s
print(s.SECURE_HSTS_SECONDS, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME,
      s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,
      s.NUM_PROXIES, s.API_THROTTLE_RATE)
"""


def test_empty_values_as_written_in_env_example_mean_the_defaults():
    variables = (
        "HSTS_SECONDS",
        "LOGIN_FAILURE_LIMIT",
        "LOGIN_LOCKOUT_HOURS",
        "SECURE_COOKIES",
        "SECURE_SSL_REDIRECT",
        "NUM_PROXIES",
        "API_THROTTLE_RATE",
    )
    empty = dict.fromkeys(variables, "")
    # Behind the HTTPS proxy, secure cookies and the redirect are on by default.
    assert run_python(SETTINGS_OF_THE_ENVIRONMENT, **empty) == (
        "3600 5 0.25 True True True 0 None"
    )


def test_set_values_are_read():
    assert run_python(
        SETTINGS_OF_THE_ENVIRONMENT,
        HSTS_SECONDS="60",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_HOURS="1.5",
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="off",
        NUM_PROXIES="2",
        API_THROTTLE_RATE="600/minute",
    ) == ("60 3 1.5 False False False 2 600/minute")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HSTS_SECONDS", "one year"),
        ("HSTS_SECONDS", "-1"),
        ("LOGIN_FAILURE_LIMIT", "5.5"),
        ("LOGIN_LOCKOUT_HOURS", "a while"),
        ("SECURE_COOKIES", "maybe"),
        ("SECURE_SSL_REDIRECT", "yes please"),
        ("DEBUG", "flase"),
        ("NUM_PROXIES", "one"),
        ("API_THROTTLE_RATE", "600 per minute"),
        ("DATABASE_URL", "postgress://clinic@db/clinic"),
        ("PUBLIC_ORIGIN", "api.example.com"),
        ("PUBLIC_ORIGIN", "ftp://api.example.com"),
        ("PUBLIC_ORIGIN", "https://api.example.com/v1"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=environment(**{name: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        f"django.core.exceptions.ImproperlyConfigured: The environment variable "
        f"{name} is not valid: "
    ), result.stderr


def run_python(code: str, **overrides: str | None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=BASE_DIR,
        env=environment(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# A secure request (as the proxy marks it) to a path that needs no database.
HSTS_OF_A_SECURE_RESPONSE = """
from django.test import Client
response = Client().get(
    "/api/v1/no-such-endpoint/", secure=True, headers={"host": "cms.example.com"}
)
print(response.status_code, response.get("Strict-Transport-Security"))
"""


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # The first stage: an hour, this host only.
        (
            {
                "HSTS_SECONDS": None,
                "HSTS_INCLUDE_SUBDOMAINS": None,
                "HSTS_PRELOAD": None,
            },
            "404 max-age=3600",
        ),
        (
            {"HSTS_SECONDS": "31536000", "HSTS_PRELOAD": None},
            "404 max-age=31536000; includeSubDomains",
        ),
        ({}, "404 max-age=31536000; includeSubDomains; preload"),
        # Never in developer mode, whatever the environment says.
        ({"DEBUG": "true"}, "404 None"),
    ],
)
def test_hsts_is_staged_through_the_environment(overrides, expected):
    assert run_python(HSTS_OF_A_SECURE_RESPONSE, **overrides) == expected


# Static files without collectstatic's manifest (a fresh clone has none), as the
# suite's own fixture does: the pages only need their URLs.
ADMIN_LOGIN_PAGES = """
from django.conf import settings
from django.test import Client, override_settings
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
    client = Client(headers={"host": "cms.example.com"})
    for path in ("/editors-7f3a/login/", "/admin/login/"):
        print(path, client.get(path, secure=True).status_code)
"""


def test_the_admin_is_only_at_the_path_from_the_environment():
    assert run_python(ADMIN_LOGIN_PAGES).splitlines() == [
        "/editors-7f3a/login/ 200",
        "/admin/login/ 404",
    ]


def test_plain_http_is_redirected_to_https_behind_the_proxy():
    code = """
from django.test import Client
response = Client().get("/api/v1/", headers={"host": "cms.example.com"})
print(response.status_code, response["Location"])
"""
    assert run_python(code) == "301 https://cms.example.com/api/v1/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_names_no_server_version():
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "clinic.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=BASE_DIR,
        env=environment(ALLOWED_HOSTS="127.0.0.1", BEHIND_HTTPS_PROXY="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/nope/")
            except urllib.error.HTTPError as error:
                response = error
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert response.status == 404
    assert response.headers["Server"] == "gunicorn"
    assert "X-Powered-By" not in response.headers
