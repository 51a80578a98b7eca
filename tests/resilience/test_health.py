"""/healthz and /readyz, and X-Request-ID, through Django's test client (SQLite or
PostgreSQL)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings

from api.fastpath import CachedApiApplication
from runtime.request_id import RequestIdFilter, current_request_id
from tests.conftest import connection_kept, wsgi_call

JSON = "application/json; charset=utf-8"
READY = {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "runtime.cache_backends.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def body(response) -> dict:
    assert response["Content-Type"] == JSON
    return json.loads(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_any_host_over_plain_http_uncached(settings, path):
    settings.ALLOWED_HOSTS = ["cms.example.com"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    # Probes come often: a rate limit must never refuse them.
    settings.API_THROTTLE_RATE = "1/minute"
    client = Client()

    responses = [client.get(path, HTTP_HOST="10.0.0.7:8000") for _ in range(3)]

    for response in responses:
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert not response.cookies
    assert body(responses[0]) == ({"status": "ok"} if path == "/healthz" else READY)


def test_liveness_needs_no_database():
    # No django_db mark: any query would fail the test.
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert body(response) == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_is_503_while_the_database_fails(monkeypatch, caplog):
    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unavailable)
    client = Client()

    with caplog.at_level(logging.ERROR, logger="clinic.health"):
        first = client.get("/readyz")
        second = client.get("/readyz")

    for response in (first, second):
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert body(response) == {
            "status": "unavailable",
            "checks": {"database": "unavailable", "cache": "ok"},
        }
    assert client.get("/healthz").status_code == 200
    # One incident, one line.
    assert len([r for r in caplog.records if r.name == "clinic.health"]) == 1


@pytest.mark.django_db
def test_readiness_reports_a_cache_outage_but_stays_ready():
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = Client().get("/readyz")

    assert response.status_code == 200
    assert body(response) == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "unavailable"},
    }


def test_health_checks_take_get_and_head_only():
    response = Client().post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert body(response)["error"]["code"] == "method_not_allowed"


# X-Request-ID.


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_echoed():
    response = Client().get("/api/v1/locales/", HTTP_X_REQUEST_ID="lb-7f3a.42")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "a" * 129, "<script>", "two words"])
def test_an_insane_request_id_is_replaced_and_a_made_one_is_sent_on_errors(sent):
    client = Client()

    ok = client.get("/api/v1/locales/", HTTP_X_REQUEST_ID=sent)
    error = client.get("/api/v1/nope/", HTTP_X_REQUEST_ID=sent)

    # A 2xx names no log line: a cached answer keeps the headers of the fresh one.
    assert "X-Request-ID" not in ok
    assert re.fullmatch(r"[0-9a-f]{32}", error["X-Request-ID"])


def test_log_records_carry_the_request_id():
    seen = []

    class Spy:
        def __init__(self, get_response):
            pass

        def __call__(self, request):
            seen.append(current_request_id())
            record = logging.LogRecord("x", logging.INFO, "", 0, "m", (), None)
            RequestIdFilter().filter(record)
            seen.append(record.request_id)
            from django.http import HttpResponse

            return HttpResponse()

    from runtime.request_id import RequestIdMiddleware

    request = type("Request", (), {"META": {"HTTP_X_REQUEST_ID": "abc-1"}})()
    RequestIdMiddleware(Spy(None))(request)
    outside = logging.LogRecord("x", logging.INFO, "", 0, "m", (), None)
    RequestIdFilter().filter(outside)

    assert seen == ["abc-1", "abc-1"]
    assert outside.request_id == "-"


@pytest.mark.response_cache
@pytest.mark.django_db
def test_a_replayed_answer_echoes_each_requests_own_id(demo):
    from django.core.wsgi import get_wsgi_application

    application = CachedApiApplication(get_wsgi_application())

    def call(request_id=None):
        headers = {"x_request_id": request_id} if request_id else {}
        _status, response_headers, _body = wsgi_call(
            application, "/api/v1/locales/", **headers
        )
        return [v for n, v in response_headers if n.lower() == "x-request-id"]

    with connection_kept():
        first = call("first-1")
        replayed = call("second-2")
        anonymous = call()

    assert first == ["first-1"]
    assert replayed == ["second-2"]
    assert anonymous == []
    assert application.entries, "nothing was replayed"


# A database outage outside a view.


class OpensATransaction:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import transaction

        with transaction.atomic():
            return self.get_response(request)


@pytest.mark.django_db(transaction=True)
def test_an_outage_while_opening_a_transaction_is_a_503_logged_once(
    settings, monkeypatch, caplog
):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.OpensATransaction"]

    def refused():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "get_autocommit", refused)
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.WARNING):
        responses = [client.get("/api/v1/locales/") for _ in range(3)]

    for response in responses:
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert body(response)["error"]["code"] == "service_unavailable"
    logged = [(r.name, r.levelname) for r in caplog.records]
    assert logged == [("clinic.health", "ERROR")]
