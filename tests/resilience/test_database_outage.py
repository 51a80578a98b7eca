"""PostgreSQL stopped, unreachable or restarted, under a real app server.

A gunicorn process (production settings, one sync worker) reaches the pytest-django
test database through a fault proxy; the test makes the proxy refuse (a stopped
server), hang (a server or network that stopped answering) or cut its connections
(a restart), and reads the API, the health endpoints and the server's log. The
machine's PostgreSQL is never touched. Skipped unless the tests run on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator

import pytest

from clinic.demo import load_demo
from tests.resilience.conftest import on_postgresql, through
from tests.resilience.faultproxy import FaultProxy
from tests.servers.conftest import (
    Server,
    database_url,
    ensure_static_manifest,
    start_server,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    on_postgresql,
]

LIST = "/api/v1/articles/"
UNAVAILABLE = {
    "error": {
        "status": 503,
        "code": "service_unavailable",
        "message": "The service is temporarily unavailable; retry shortly.",
        "details": {},
    }
}
# The bound README's "Resilience" states for answering during an outage:
# DATABASE_API_TIMEOUT + DATABASE_CONNECT_TIMEOUT (1 + 2 s).
ANSWER_WITHIN = 3.0
RECOVERY_WITHIN = 10.0


@pytest.fixture
def database(transactional_db) -> Iterator[FaultProxy]:
    from django.db import connection

    load_demo()
    db = connection.settings_dict
    with FaultProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))) as proxy:
        yield proxy


@pytest.fixture
def server(database, tmp_path) -> Iterator[Server]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": through(database_url(), database),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "CACHE_KEY_PREFIX": f"resilience-db-{os.getpid()}",
        "SECRET_KEY": "x" * 50,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Every read goes to the database: no response cache, no fast path.
        "API_RESPONSE_CACHE": "false",
        "API_THROTTLE_RATE": "",
        "BEHIND_HTTPS_PROXY": "false",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    ensure_static_manifest(env)
    server = start_server("db-outage", env, tmp_path)
    try:
        server.wait_ready(time.monotonic() + 20)
        yield server
    finally:
        server.stop()
        # Shown by pytest when the test fails.
        sys.stderr.write(f"gunicorn log:\n{server.log_text()}")


def timed(server: Server, path: str, **headers: str):
    start = time.monotonic()
    response = server.get(path, headers=headers, timeout=10)
    return response, time.monotonic() - start


def assert_503(response, took: float) -> None:
    assert response.status_code == 503, response.text[:500]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == UNAVAILABLE
    assert response.headers["Retry-After"] == "5"
    assert took < ANSWER_WITHIN, f"answered in {took:.2f} s"


def recovers(server: Server) -> float:
    start = time.monotonic()
    while time.monotonic() - start < RECOVERY_WITHIN:
        if server.get(LIST).status_code == 200:
            return time.monotonic() - start
        time.sleep(0.2)
    pytest.fail(f"no 200 within {RECOVERY_WITHIN} s of the database coming back")


def log_lines(server: Server, pattern: str) -> list[str]:
    return [line for line in server.log_text().splitlines() if re.search(pattern, line)]


def assert_one_incident(server: Server, request_id: str) -> None:
    log = server.log_text()
    unavailable = log_lines(server, r"ERROR clinic\.health .*Database unavailable")
    assert len(unavailable) == 1, log
    assert f"[{request_id}]" in unavailable[0]
    assert len(log_lines(server, r"Database available again")) == 1, log
    # Not once per request: no line of Django's per 503, no traceback.
    assert not log_lines(server, r"Service Unavailable"), log
    assert "Traceback" not in log, log


@pytest.mark.parametrize("fault", ["refuse", "hang"])
def test_an_unavailable_database_is_a_quick_503_until_it_is_back(
    server, database, fault
):
    assert server.get(LIST).status_code == 200  # a connection is open and kept

    if fault == "refuse":
        database.refuse()
        database.cut()
    else:
        database.hang()
    answers = [timed(server, LIST, **{"X-Request-ID": "outage-first"})]
    # Pages the database must answer (a page past the end is a 404 from the
    # list count kept in the cache, without the database).
    answers += [timed(server, f"{LIST}?{query}") for query in ("page=1", "locale=ko")]
    time.sleep(2.1)  # past the spacing of connection attempts: a real one again
    answers.append(timed(server, LIST))
    live, live_took = timed(server, "/healthz")
    ready, ready_took = timed(server, "/readyz")

    for response, took in answers:
        assert_503(response, took)
    assert answers[0][0].headers["X-Request-ID"] == "outage-first"
    assert re.fullmatch(r"[0-9a-f]{32}", answers[1][0].headers["X-Request-ID"])
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    assert live_took < ANSWER_WITHIN
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unavailable"
    assert ready_took < ANSWER_WITHIN

    database.pass_through()
    recovers(server)
    assert server.get("/readyz").json()["status"] == "ok"
    assert_one_incident(server, "outage-first")


@pytest.mark.parametrize(
    "path",
    # A list and a detail: both read the published versions through Django's
    # cursor, whose connection is checked before use.
    [LIST, "/api/v1/articles/mouth-corner-asymmetry/"],
)
def test_cut_connections_are_replaced_without_a_failed_request(server, database, path):
    assert server.get(path).status_code == 200

    database.cut()
    response = server.get(path)

    assert response.status_code == 200
    assert not log_lines(server, "Database unavailable")
