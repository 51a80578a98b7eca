"""The WSGI fast path (clinic/api/fastpath.py): repeated anonymous API reads are
answered before Django's handler, with exactly the bytes Django sent for the same
request under the same content version, and never otherwise."""

from __future__ import annotations

import pytest
from django.core.signals import request_started
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic import content_version
from clinic.api import fastpath
from clinic.wsgi import application
from tests.conftest import connection_kept, wsgi_call

pytestmark = [pytest.mark.response_cache, pytest.mark.usefixtures("demo")]

ARTICLE = "/api/v1/articles/mouth-corner-asymmetry/"


@pytest.fixture(autouse=True)
def _fresh_entries(monkeypatch):
    monkeypatch.setattr(application, "entries", {})


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    with connection_kept():
        yield


class Handled:
    """Counts the requests that reached Django's handler."""

    def __init__(self):
        self.count = 0

    def __call__(self, **kwargs):
        self.count += 1


@pytest.fixture
def django_calls():
    counter = Handled()
    request_started.connect(counter)
    yield counter
    request_started.disconnect(counter)


def call(path=ARTICLE, query="locale=en", method="GET", **headers):
    status, response_headers, body = wsgi_call(
        application, path, query=query, method=method, **headers
    )
    return status, sorted(response_headers), body


def etag_of(headers):
    return dict(headers)["ETag"]


def test_a_repeated_get_is_answered_without_django_with_the_same_bytes(django_calls):
    first = call()
    assert django_calls.count == 1

    with CaptureQueriesContext(connection) as queries:
        second = call()

    assert django_calls.count == 1
    assert len(queries) == 0
    assert second == first
    assert first[0] == "200 OK"


def test_revalidation_gets_the_304_django_gave(django_calls):
    _, headers, _ = call()
    etag = etag_of(headers)
    from_django = call(if_none_match=etag)
    calls = django_calls.count

    again = call(if_none_match=etag)
    weak = call(if_none_match=f"W/{etag}")

    assert django_calls.count == calls
    assert again == from_django
    assert again[0] == "304 Not Modified"
    assert again[2] == b""
    assert weak == from_django


def test_a_stale_tag_gets_the_full_response(django_calls):
    status, headers, body = call()

    got = call(if_none_match='"not-the-tag"')

    assert got == (status, headers, body)
    assert django_calls.count == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://www.example.com"},
        {"if_modified_since": "Tue, 24 Nov 2026 00:00:00 GMT"},
        {"if_match": '"x"'},
        {"cookie": "sessionid=abc"},
        {"authorization": "Bearer x"},
        {"range": "bytes=0-10"},
    ],
    ids=lambda headers: next(iter(headers)),
)
def test_requests_that_may_get_another_answer_go_to_django(django_calls, headers):
    call()

    call(**headers)

    assert django_calls.count == 2


def test_head_and_other_paths_go_to_django(django_calls):
    call()
    call(method="HEAD")
    call(path="/api/v1/schema/", query="")
    call(path="/api/v1/schema/", query="")

    assert django_calls.count == 4


def test_a_new_content_version_sends_the_next_request_to_django(django_calls):
    call()
    content_version.bump()

    call()

    assert django_calls.count == 2


def test_another_locale_or_host_is_another_request(django_calls):
    articles = "/api/v1/articles/"
    call(path=articles)
    call(path=articles, query="locale=ko")
    ko = call(path=articles, query="locale=ko")
    call(path=articles, host="127.0.0.1")

    assert django_calls.count == 3
    assert b'"locale":"ko"' in ko[2]


def test_nothing_is_replayed_with_the_cache_off(settings, django_calls):
    settings.API_CACHE = {**settings.API_CACHE, "ENABLED": False}

    call()
    call()

    assert django_calls.count == 2


def test_a_failing_cache_sends_requests_to_django(monkeypatch, django_calls):
    call()

    def broken(cache):
        raise ConnectionError("cache down")

    monkeypatch.setattr(fastpath, "read_version", broken)
    status, _, _ = call()

    assert django_calls.count == 2
    assert status == "200 OK"


def test_errors_are_not_replayed(django_calls):
    call(path="/api/v1/articles/no-such-article/")
    status, _, _ = call(path="/api/v1/articles/no-such-article/")

    assert django_calls.count == 2
    assert status.startswith("404")


def test_with_a_rate_limit_every_read_reaches_django_and_is_counted(
    django_calls, settings
):
    """The fast path stands aside while API_THROTTLE_RATE is set: a replayed answer
    would not be counted."""
    from django.core.cache import cache

    settings.API_THROTTLE_RATE = "3/minute"
    cache.clear()

    statuses = [call()[0] for _ in range(4)]

    assert statuses == ["200 OK", "200 OK", "200 OK", "429 Too Many Requests"]
    assert django_calls.count == 4
