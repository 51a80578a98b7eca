"""What gunicorn answers itself, with this project's gunicorn.conf.py: requests it
cannot take (a request line over its limit, bytes that are no HTTP) get the API's
JSON error shape, and no request header sets the WSGI SCRIPT_NAME.

One gunicorn process on loopback, sent raw bytes; the requests below never reach
the database (the process gets an empty SQLite file of its own)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
from urllib.parse import quote

import pytest

from tests.servers.conftest import GUNICORN, ROOT, free_port, send

LIMIT = 8190  # bytes of request line (gunicorn.conf.py, README)
JSON = "application/json; charset=utf-8"


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    """A gunicorn with the project's configuration (read from the working
    directory) and production settings."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": f"sqlite:///{log.with_name('db.sqlite3')}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost",
        "BEHIND_HTTPS_PROXY": "false",
        "SECURE_COOKIES": "false",
        "API_THROTTLE_RATE": "",
    }
    env.pop("REDIS_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "clinic.wsgi:application", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError):
                send(port, b"/api/v1/nothing-here/")
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def assert_json_error(answer, status: int, code: str) -> dict:
    got, headers, body = answer
    assert got == status, body
    assert headers["content-type"] == JSON
    error = json.loads(body)["error"]
    assert (error["status"], error["code"], error["details"]) == (status, code, {})
    assert error["message"]
    return error


def request_line_length(target: bytes) -> int:
    return len(b"GET " + target + b" HTTP/1.1")


def test_a_10_kb_search_gets_the_json_414(port):
    target = b"/api/v1/faq-items/?search=" + b"a" * 10_240

    error = assert_json_error(send(port, target), 414, "uri_too_long")

    assert str(LIMIT) in error["message"]


def test_a_3000_character_korean_slug_gets_the_json_414(port):
    slug = quote("입" * 3000).encode()  # 27,000 bytes percent-encoded
    assert_json_error(
        send(port, b"/api/v1/articles/" + slug + b"/"), 414, "uri_too_long"
    )


def test_raw_non_utf8_bytes_in_a_path_get_the_json_400(port):
    assert_json_error(send(port, b"/api/v1/articles/\xff\xfe/"), 400, "bad_request")


def test_a_request_line_at_the_limit_reaches_the_application(port):
    prefix = b"/api/v1/nothing-here/?x="
    target = prefix + b"a" * (LIMIT - request_line_length(prefix))
    assert request_line_length(target) == LIMIT

    assert_json_error(send(port, target), 404, "not_found")
    assert_json_error(send(port, target + b"a"), 414, "uri_too_long")


def test_a_script_name_header_is_not_taken(port):
    """gunicorn by default takes SCRIPT_NAME from a loopback client's header and
    strips it from the path: /api/v1/api/v1/faq-items/ was the FAQ list, cached,
    with links naming the doubled path."""
    doubled = b"/api/v1/api/v1/faq-items/"
    for _ in range(2):  # the second time from the fast path, if it were cached
        assert_json_error(
            send(port, doubled, b"SCRIPT_NAME: /api/v1"), 404, "not_found"
        )
