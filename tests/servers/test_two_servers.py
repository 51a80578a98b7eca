"""Two app servers, one truth.

Two independent gunicorn processes (A and B, one sync worker each, DEBUG off) run on
loopback against the same PostgreSQL database (pytest-django's test database) and
the same Redis, as two app servers behind a load balancer. Both are addressed with
the same Host, so they share response cache entries and the content version.

The tests prove that the shared API response cache (``api/cache.py``) never
lets one server serve what another has just changed: with both servers' caches warm
(the Redis entry and each process's local copy), a publication change or an edit
made through A's admin over HTTP is visible on B on the very next request (no sleep
and no retry between the write's response and that read): an unpublished article is
a JSON 404 on both, comes back on both when published again, and an FAQ question
edited (which alone changes nothing) and then published is served by B at once. The
delivery store (publication/documents.py) is the database both share. Remove the
shared content version (give each server its own CACHE_KEY_PREFIX) and both tests
fail: B serves what it had cached.

Every read is an HTTP request to a server; every write goes through A's admin over
HTTP, logged in as a superuser created in the test database. Skipped unless the
tests run on PostgreSQL; on PostgreSQL, a missing or unreachable Redis (REDIS_URL)
fails them.
"""

from __future__ import annotations

import html
import re
import secrets
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from content.models import Article
from faq.models import FAQItem
from tests.admin.conftest import read_form
from tests.servers.conftest import Server

pytestmark = [
    pytest.mark.servers,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two gunicorn servers need a shared database: run on PostgreSQL "
        "(DATABASE_URL) with Redis (REDIS_URL)",
    ),
]

ARTICLE = "mouth-corner-asymmetry"
JSON = "application/json; charset=utf-8"

_MESSAGE = re.compile(
    r'<li class="(success|warning|error|info|debug)">(.*?)</li>', re.S
)
_ERRORS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)


def changelist_url(model) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


class Editor:
    """An editor's browser on one server's admin: a cookie jar, the CSRF token from
    its cookie, English pages."""

    def __init__(self, server: Server):
        self.server = server
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "en"

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.server.url(path), timeout=10)

    def post(self, path: str, data, **kwargs) -> requests.Response:
        token = self.session.cookies.get(settings.CSRF_COOKIE_NAME)
        assert token, "no CSRF cookie: GET a form first"
        return self.session.post(
            self.server.url(path),
            data={**data, "csrfmiddlewaretoken": token},
            timeout=10,
            **kwargs,
        )

    def log_in(self, username: str, password: str) -> None:
        login = reverse("admin:login")
        assert self.get(login).status_code == 200
        response = self.post(
            login,
            {"username": username, "password": password, "next": "/"},
            allow_redirects=False,
        )
        assert response.status_code == 302, (
            f"login refused ({response.status_code}): {errors_of(response)}"
        )

    def action(self, model, action: str, obj) -> list[tuple[str, str]]:
        """Run a changelist action on ``obj``; the messages of the page it leads to."""
        response = self.post(
            changelist_url(model),
            {"action": action, "index": "0", "_selected_action": str(obj.pk)},
        )
        assert response.history, f"{action}: no redirect ({response.status_code})"
        assert response.history[0].status_code == 302, action
        assert response.status_code == 200, action
        return messages_of(response)

    def publish(self, obj, code: str) -> list[tuple[str, str]]:
        """Press the change page's "Publish" for ``code`` (the publication panel);
        the messages of the page it leads back to."""
        opts = obj._meta
        response = self.post(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_publication", args=[obj.pk]
            ),
            {"publish": code},
        )
        assert response.history, f"publish {code}: no redirect"
        return messages_of(response)

    def edit(self, obj, form_id: str, **changes: str) -> None:
        """Read ``obj``'s change form as rendered, change fields, save it."""
        url = change_url(obj)
        page = self.get(url)
        assert page.status_code == 200, page.status_code
        data = read_form(page, form_id)
        for name, value in changes.items():
            assert name in data, f"{name} not in the form"
            data[name] = [value]
        response = self.post(url, data, allow_redirects=False)
        assert response.status_code == 302, (
            f"save refused ({response.status_code}): {errors_of(response)}"
        )


def messages_of(response: requests.Response) -> list[tuple[str, str]]:
    return [
        (level, html.unescape(text)) for level, text in _MESSAGE.findall(response.text)
    ]


def errors_of(response: requests.Response) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", " ", found)).strip()
        for found in _ERRORS.findall(response.text)
    ]


def json_of(response: requests.Response) -> dict:
    assert response.headers["Content-Type"] == JSON, response.headers["Content-Type"]
    return response.json()


def slugs(listing: requests.Response) -> list[str]:
    assert listing.status_code == 200, listing.status_code
    return [item["slug"] for item in json_of(listing)["results"]]


def alternate_locales(detail: requests.Response) -> set[str]:
    return {alt["locale"] for alt in json_of(detail)["alternates"]["languages"]}


def warm(server: Server, path: str, **params) -> requests.Response:
    """GET twice; the second answer (from the cache) must be the first's."""
    first = server.get(path, params=params)
    second = server.get(path, params=params)
    assert first.status_code == second.status_code == 200, (
        server.name,
        path,
        first.status_code,
        second.status_code,
    )
    assert second.headers["ETag"] == first.headers["ETag"], (server.name, path)
    assert second.content == first.content, (server.name, path)
    return second


def entry_is_shared(server: Server, path: str, **params: str) -> bool:
    """Whether a GET of this address leaves its response in the shared cache.
    Another test run on the same Redis database may empty it at any moment (the
    suite's autouse fixture clears the cache, i.e. FLUSHDB), so the GET is retried
    a few times before concluding that nothing is stored."""
    for _attempt in range(3):
        assert server.get(path, params=params).status_code == 200
        if server.stored(path, **params):
            return True
    return False


@pytest.fixture
def editor(two_servers, transactional_db) -> Editor:
    """A superuser, logged in to server A's admin."""
    password = secrets.token_urlsafe(24)
    get_user_model().objects.create_superuser(
        "servers-editor", "servers-editor@example.com", password
    )
    editor = Editor(two_servers[0])
    editor.log_in("servers-editor", password)
    return editor


def test_unpublish_and_publish_through_a_show_on_both_servers_at_once(
    demo, two_servers, editor
):
    """Writes: the admin's "Unpublish in Korean" / "Publish in Korean" changelist
    actions, POSTed to server A. Reads: the public API on A and B."""
    a, b = two_servers
    article = Article.objects.get(slug_en=ARTICLE)
    en_path = f"/api/v1/articles/{ARTICLE}/"
    ko_slug = next(
        alt["slug"]
        for alt in json_of(a.get(en_path, params={"locale": "en"}))["alternates"][
            "languages"
        ]
        if alt["locale"] == "ko"
    )
    ko_path = f"/api/v1/articles/{quote(ko_slug)}/"
    list_path = "/api/v1/articles/"

    # Both caches warm: the shared entry in Redis and each process's local copy.
    warmed = {server.name: warm(server, ko_path, locale="ko") for server in (a, b)}
    assert warmed["A"].headers["ETag"] == warmed["B"].headers["ETag"]
    assert warmed["A"].content == warmed["B"].content
    for server in (a, b):
        assert "ko" in alternate_locales(warm(server, en_path, locale="en"))
        assert ko_slug in slugs(warm(server, list_path, locale="ko"))
    # One shared entry per address, whichever server stored it first.
    assert entry_is_shared(b, ko_path, locale="ko")
    assert entry_is_shared(b, en_path, locale="en")
    assert entry_is_shared(b, list_path, locale="ko")
    # A validator issued by one server is honoured by the other.
    revalidated = b.get(
        ko_path,
        params={"locale": "ko"},
        headers={"If-None-Match": warmed["A"].headers["ETag"]},
    )
    assert revalidated.status_code == 304

    assert editor.action(Article, "unpublish_ko", article) == [
        ("success", "Unpublished 1 object(s) in Korean.")
    ]

    # The very next request, on the other server: gone.
    gone = {"B": b.get(ko_path, params={"locale": "ko"})}
    gone["A"] = a.get(ko_path, params={"locale": "ko"})
    for name, response in gone.items():
        assert response.status_code == 404, (name, response.status_code)
        assert json_of(response)["error"]["status"] == 404, name
        assert "ETag" not in response.headers, name
        assert response.headers["Cache-Control"] == "no-store", name
    for server in (b, a):
        assert ko_slug not in slugs(server.get(list_path, params={"locale": "ko"}))
        en = server.get(en_path, params={"locale": "en"})
        assert en.status_code == 200, server.name
        assert alternate_locales(en) == {"en", "ja"}, server.name

    assert editor.action(Article, "publish_ko", article) == [
        ("success", "Published 1 object(s) in Korean.")
    ]

    back_b = b.get(ko_path, params={"locale": "ko"})
    assert back_b.status_code == 200
    assert back_b.headers["ETag"]
    assert json_of(back_b)["slug"] == ko_slug
    back_a = a.get(ko_path, params={"locale": "ko"})
    assert back_a.status_code == 200
    assert back_a.headers["ETag"] == back_b.headers["ETag"]
    assert back_a.content == back_b.content
    for server in (b, a):
        assert ko_slug in slugs(server.get(list_path, params={"locale": "ko"}))
        en = server.get(en_path, params={"locale": "en"})
        assert alternate_locales(en) == {"en", "ko", "ja"}, server.name


def test_an_edit_published_on_a_is_served_by_b_at_once(demo, two_servers, editor):
    """Writes: the FAQ item's change form on server A, read as rendered and posted
    back with a new English question (as an editor's browser would), then the
    publication panel's "Publish" in English. Reads: the public API on B first,
    then A: the saved edit alone changes nothing; the publish shows at once."""
    a, b = two_servers
    item = FAQItem.objects.filter(published_en=True).order_by("pk").first()
    detail_path = f"/api/v1/faq-items/{quote(item.slug_en)}/"
    list_path = "/api/v1/faq-items/"

    before = {server.name: warm(server, detail_path, locale="en") for server in (a, b)}
    assert before["A"].content == before["B"].content
    for server in (a, b):
        warm(server, list_path, locale="en")
    old_question = json_of(before["B"])["question"]
    new_question = f"{old_question} (edited {secrets.token_hex(4)})"

    editor.edit(item, "faqitem_form", question_en=new_question)

    saved_only = b.get(detail_path, params={"locale": "en"})
    assert saved_only.content == before["B"].content
    assert saved_only.headers["ETag"] == before["B"].headers["ETag"]

    assert ("success", "Published in English.") in editor.publish(item, "en")

    after_b = b.get(detail_path, params={"locale": "en"})
    assert after_b.status_code == 200
    assert json_of(after_b)["question"] == new_question
    assert after_b.headers["ETag"] != before["B"].headers["ETag"]
    listed = {
        entry["slug"]: entry["question"]
        for entry in json_of(b.get(list_path, params={"locale": "en"}))["results"]
    }
    assert listed[item.slug_en] == new_question
    after_a = a.get(detail_path, params={"locale": "en"})
    assert after_a.content == after_b.content
    assert after_a.headers["ETag"] == after_b.headers["ETag"]
