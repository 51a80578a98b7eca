"""Redis unreachable: public reads still answer 200 from the database, the admin
still saves and publishes, and the invalidation of a change committed meanwhile is
not lost.

The app (the WSGI fast path and Django, in this process) reaches the real Redis
through a fault proxy that refuses or hangs; the machine's Redis is never touched.
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.urls import reverse

from api.fastpath import CachedApiApplication
from clinic.demo import load_demo
from content.models import Article
from runtime import cache_backends
from tests.admin.conftest import read_form
from tests.conftest import connection_kept, wsgi_call

pytestmark = [
    pytest.mark.response_cache,
    pytest.mark.django_db(transaction=True),
]

ARTICLE_SLUG = "mouth-corner-asymmetry"
ARTICLE = f"/api/v1/articles/{ARTICLE_SLUG}/"
FAQ = "/api/v1/faq-items/"
EDITED = "A title edited while Redis was down"


@pytest.fixture
def app(redis_proxy, key_prefix, monkeypatch):
    """The production WSGI stack on a cache reached through the proxy."""
    proxy, url = redis_proxy
    monkeypatch.setattr(cache_backends, "RETRY_INTERVAL", 0.3)
    caches = {
        "default": {
            "BACKEND": "runtime.cache_backends.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with connection_kept(), override_settings(CACHES=caches):
        yield proxy, CachedApiApplication(get_wsgi_application())


def get(application, path: str) -> tuple[str, dict]:
    status, _headers, body = wsgi_call(application, path)
    return status, json.loads(body)


def cache_errors(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "clinic.cache" and r.levelno >= logging.ERROR
    ]


@pytest.mark.parametrize("fault", ["refuse", "hang"])
def test_public_reads_answer_from_the_database_while_redis_is_down(
    app, fault, caplog, monkeypatch
):
    proxy, application = app
    # The requests below must all fall inside one retry interval, whatever the
    # machine's load: with the fixture's 0.3 s, a slow CI run let the last request
    # try Redis again. Trying again after the interval is tested further down.
    monkeypatch.setattr(cache_backends, "RETRY_INTERVAL", 60.0)
    load_demo()
    warm = {path: get(application, path) for path in (ARTICLE, FAQ)}
    get(application, ARTICLE)  # replayed by the fast path from now on

    if fault == "refuse":
        proxy.refuse()
        proxy.cut()
    else:
        proxy.hang()
    with caplog.at_level(logging.WARNING):
        during = {path: get(application, path) for path in (ARTICLE, FAQ)}
        attempts = proxy.accepted
        again = get(application, ARTICLE)

    assert during == warm
    assert again == warm[ARTICLE]
    assert warm[ARTICLE][0] == "200 OK"
    # Once Redis failed, calls fail at once: no new connection to it.
    assert proxy.accepted == attempts
    # Logged once for the outage, not per request or per call.
    assert len([m for m in cache_errors(caplog) if "unavailable" in m]) == 1


def test_the_admin_saves_and_publishes_while_redis_is_down_and_it_is_served_after(
    app, admin_client, caplog
):
    proxy, application = app
    load_demo()
    article = Article.objects.get(slug_en=ARTICLE_SLUG)
    before = get(application, ARTICLE)
    assert get(application, ARTICLE) == before  # cached, and replayed

    proxy.refuse()
    proxy.cut()
    url = reverse("admin:content_article_change", args=[article.pk])
    with caplog.at_level(logging.WARNING):
        page = admin_client.get(url)
        assert page.status_code == 200
        data = read_form(page, "article_form")
        data["title_en"] = [EDITED]
        saved = admin_client.post(url, data)
        assert saved.status_code == 302, saved.content[:2000]
        assert (
            admin_client.get(reverse("admin:content_article_changelist")).status_code
            == 200
        )
        unpublished = get(application, ARTICLE)
        panel = reverse("admin:content_article_publication", args=[article.pk])
        published = admin_client.post(panel, {"publish": "en"})
        assert published.status_code == 302
        during = get(application, ARTICLE)

        proxy.pass_through()
        time.sleep(0.4)  # the retry interval (shortened here)
        after = get(application, ARTICLE)

    assert Article.objects.get(pk=article.pk).title_en == EDITED
    assert unpublished == before  # saved, not yet published
    assert during[0] == "200 OK"
    assert during[1]["title"] == EDITED
    # Redis is back with the entries stored before the edit: the version was
    # bumped when it answered again, so none of them is served.
    assert after[0] == "200 OK"
    assert after[1]["title"] == EDITED
    errors = cache_errors(caplog)
    assert any("Could not store the new content version" in m for m in errors)
    assert any(
        r.getMessage() == "Content version bumped after a cache outage"
        for r in caplog.records
    )
