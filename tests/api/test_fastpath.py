"""The WSGI fast path (api/fastpath.py): repeated anonymous API reads are
answered before Django's handler, with exactly the bytes Django sent for the same
request under the same content version, and never otherwise."""

from __future__ import annotations

import pytest
from django.core.signals import request_started
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from api import fastpath
from clinic.wsgi import application
from publication import content_version, documents
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


def test_nothing_is_replayed_with_the_cache_and_the_store_off(settings, django_calls):
    settings.API_CACHE = {**settings.API_CACHE, "ENABLED": False, "DOCUMENTS": False}

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


# A cached answer is byte for byte what Django would answer for that request, or the
# request is not answered from a cache: each case below once got another answer.


def fresh(path=ARTICLE, query="locale=en", **headers):
    """What Django answers, with no cache at all."""
    from django.conf import settings

    enabled = settings.API_CACHE
    settings.API_CACHE = {**enabled, "ENABLED": False}
    try:
        return call(path, query, **headers)
    finally:
        settings.API_CACHE = enabled


def test_the_scheme_is_decided_as_django_decides_it(settings, django_calls):
    """Django takes the first value of X-Forwarded-Proto: after "https, http" (a
    secure request to Django), a plain-http request is redirected, not served the
    secure request's cached 200."""
    from django.core.handlers.wsgi import WSGIHandler

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    # SecurityMiddleware reads its settings when the handler is made.
    behind_proxy = fastpath.CachedApiApplication(WSGIHandler())

    def send(**headers):
        status, response_headers, body = wsgi_call(
            behind_proxy, ARTICLE, query="locale=en", **headers
        )
        return status, dict(response_headers)

    secure, _ = send(x_forwarded_proto="https, http")
    replayed, _ = send(x_forwarded_proto="https, http")
    plain, plain_headers = send()
    plain_as_http, _ = send(x_forwarded_proto="http, https")

    assert (secure, replayed) == ("200 OK", "200 OK")
    assert django_calls.count == 3
    assert plain.startswith("301")
    assert plain_headers["Location"] == f"https://localhost{ARTICLE}?locale=en"
    assert plain_as_http.startswith("301")


def test_a_script_name_from_the_server_changes_neither_routing_nor_links(django_calls):
    """gunicorn takes SCRIPT_NAME from a request header (from loopback) and strips it
    from the path: /api/v1/api/v1/faq-items/ reached the FAQ list, whose links then
    named the doubled path. Django ignores it (FORCE_SCRIPT_NAME); gunicorn no longer
    takes the header (tests/servers/test_gunicorn.py)."""
    faq = "/api/v1/faq-items/"
    plain = call(faq, "page_size=1")

    def mounted_by_the_client(environ, start_response):
        environ["SCRIPT_NAME"] = "/api/v1"
        return application(environ, start_response)

    status, headers, body = wsgi_call(mounted_by_the_client, faq, query="page_size=1")

    assert (status, sorted(headers), body) == plain
    next_link = b"http://localhost/api/v1/faq-items/?page=2\\u0026page_size=1"
    assert b'"next":"' + next_link + b'"' in body


def test_an_explicit_default_locale_is_its_own_answer(django_calls):
    """?locale=en and no locale show the same page, but its next link repeats the
    query as sent: the shared cache must not give one the other's bytes."""
    faq = "/api/v1/faq-items/"
    expected = fresh(faq, "locale=en&page_size=1")

    call(faq, "page_size=1")
    explicit = call(faq, "locale=en&page_size=1")
    again = call(faq, "locale=en&page_size=1")

    assert explicit == expected == again
    assert b"locale=en" in explicit[2]


@pytest.mark.parametrize("accept", ["text/html", "application/xml"])
def test_an_accept_the_api_cannot_answer_is_a_406_whatever_is_cached(
    django_calls, accept
):
    call()
    call()

    refused = call(accept=accept)

    assert refused[0] == "406 Not Acceptable"
    assert without_request_id(refused) == without_request_id(fresh(accept=accept))


def without_request_id(answer):
    """An error carries the id generated for its request."""
    status, headers, body = answer
    return status, [(n, v) for n, v in headers if n != "X-Request-ID"], body


def test_the_response_cache_itself_honours_accept(client):
    """The shared cache (ApiCacheMiddleware), without the WSGI fast path."""
    cached = client.get(ARTICLE, {"locale": "en"})
    assert cached.status_code == 200

    refused = client.get(ARTICLE, {"locale": "en"}, headers={"accept": "text/html"})
    negotiated = client.get(
        ARTICLE, {"locale": "en"}, headers={"accept": "text/html, */*;q=0.1"}
    )

    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "not_acceptable"
    assert negotiated.status_code == 200
    assert negotiated.content == cached.content


def test_a_new_cache_configuration_is_followed_at_once(django_calls):
    call()
    other = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    other["default"]["LOCATION"] = "another"

    with override_settings(CACHES=other):
        call()
        call()
        content_version.bump()
        call()

    # The first call in the new configuration and the one after its bump reach
    # Django; a backend kept from before would not see that bump.
    assert django_calls.count == 3


# The delivery store without the response cache (API_RESPONSE_CACHE=false): what
# this process sent from a stored document is replayed while that document stays
# fresh and the same, checked with one narrow query.


@pytest.fixture
def store_only(settings):
    settings.API_CACHE = {**settings.API_CACHE, "ENABLED": False, "DOCUMENTS": True}


@pytest.mark.usefixtures("store_only")
def test_a_stored_document_is_replayed_after_one_narrow_query(django_calls):
    rendered = call()  # rendered and stored
    assert django_calls.count == 1

    with CaptureQueriesContext(connection) as queries:
        again = call()

    assert django_calls.count == 1
    assert len(queries) == 1
    assert "SELECT etag, last_modified, stale" in queries[0]["sql"]
    assert again == rendered


@pytest.mark.usefixtures("store_only")
def test_an_answer_read_from_the_store_is_replayed_too(django_calls):
    rendered = call()
    application.entries.clear()  # another process: it never sent this answer
    from_store = call()  # the middleware answers from the store

    again = call()

    assert django_calls.count == 2
    assert again == from_store == rendered


@pytest.mark.usefixtures("store_only")
def test_a_stale_stored_document_sends_the_next_request_to_django(django_calls):
    call()
    call()
    url = "http://localhost" + ARTICLE + "?locale=en"
    documents.invalidate(documents.read(url).tags())

    call()

    assert django_calls.count == 2


@pytest.mark.usefixtures("store_only")
def test_a_replaced_stored_document_sends_the_next_request_to_django(django_calls):
    call()
    call()
    url = "http://localhost" + ARTICLE + "?locale=en"
    # Another render wrote it meanwhile (another server, the worker).
    documents.Document.objects.filter(key=documents.key_of(url)).update(
        etag='"another"'
    )

    call()

    assert django_calls.count == 2


@pytest.mark.usefixtures("store_only")
def test_a_stored_document_is_revalidated_with_the_304_django_gave(django_calls):
    _, headers, _ = call()
    etag = etag_of(headers)
    from_django = call(if_none_match=etag)
    calls = django_calls.count

    again = call(if_none_match=etag)

    assert django_calls.count == calls
    assert again == from_django
    assert again[0] == "304 Not Modified"


@pytest.mark.usefixtures("store_only")
def test_a_replayed_stored_document_echoes_the_request_id(django_calls):
    call()
    call()

    _, headers, _ = call(x_request_id="req-12345")

    assert django_calls.count == 1
    assert ("X-Request-ID", "req-12345") in headers


@pytest.mark.usefixtures("store_only")
def test_an_unstored_answer_is_not_replayed_without_the_cache(django_calls):
    search = "/api/v1/faq-items/"
    call(path=search, query="locale=en&search=botox")
    call(path=search, query="locale=en&search=botox")

    assert django_calls.count == 2


@pytest.mark.usefixtures("store_only")
def test_a_failing_database_sends_the_replay_to_django(monkeypatch, django_calls):
    call()
    expected = call()

    def broken(url):
        raise OperationalError("the database is down")

    monkeypatch.setattr(documents, "validators", broken)
    got = call()

    assert django_calls.count == 2
    assert got == expected
