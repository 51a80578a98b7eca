"""Security headers on every kind of response: the API's successes and each of its
errors, the documentation pages and the admin."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.db import OperationalError
from django.test import Client

from content import published as content_published
from faq import published as faq_published

JSON = "application/json; charset=utf-8"
HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def production(settings):
    """The header settings of a production deployment at the second HSTS stage."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def fail(exception):
    def raiser(*args, **kwargs):
        raise exception

    return raiser


def assert_common_security_headers(response) -> None:
    assert response["Strict-Transport-Security"] == HSTS
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Server" not in response
    assert "X-Powered-By" not in response


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Every class of API response, and how to get it.


def ok(client):
    return client.get("/api/v1/locales/", secure=True)


def not_modified(client):
    etag = client.get("/api/v1/locales/", secure=True)["ETag"]
    return client.get("/api/v1/locales/", secure=True, headers={"If-None-Match": etag})


def bad_request(client):
    return client.get("/api/v1/articles/?locale=xx", secure=True)


def not_found(client):
    return client.get("/api/v1/no-such-endpoint/", secure=True)


def method_not_allowed(client):
    return client.post("/api/v1/locales/", secure=True)


def throttled(client, settings):
    settings.API_THROTTLE_RATE = "1/minute"
    client.get("/api/v1/locales/", secure=True)
    return client.get("/api/v1/locales/", secure=True)


def server_error(client, monkeypatch):
    monkeypatch.setattr(content_published, "ordered", fail(RuntimeError()))
    return client.get("/api/v1/articles/", secure=True)


def unavailable(client, monkeypatch):
    monkeypatch.setattr(faq_published, "in_list_order", fail(OperationalError()))
    return client.get("/api/v1/faq-items/", secure=True)


API_RESPONSES = [
    (ok, 200),
    (not_modified, 304),
    (bad_request, 400),
    (not_found, 404),
    (method_not_allowed, 405),
    (throttled, 429),
    (server_error, 500),
    (unavailable, 503),
]


def call(make, client, settings, monkeypatch):
    arguments = {"settings": settings, "monkeypatch": monkeypatch}
    names = make.__code__.co_varnames[1 : make.__code__.co_argcount]
    return make(client, **{name: arguments[name] for name in names})


@pytest.mark.parametrize(
    ("make", "status"), API_RESPONSES, ids=[m.__name__ for m, _ in API_RESPONSES]
)
def test_every_api_response_carries_the_security_headers_and_no_cookie(
    db, production, monkeypatch, make, status
):
    client = Client(raise_request_exception=False)

    response = call(make, client, production, monkeypatch)

    assert response.status_code == status
    assert_common_security_headers(response)
    # JSON is never a document: the policy allows nothing to load, run or frame it.
    assert policy(response) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    if status != 304:
        assert response["Content-Type"] == JSON
    assert not response.cookies


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_no_browsable_api_a_browser_gets_json(db):
    response = Client().get("/api/v1/locales/", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert response["Content-Type"] == JSON
    assert response.content.startswith(b"[{")


def test_plain_http_responses_carry_no_hsts(db, production):
    # HSTS over plain HTTP would be ignored by browsers and is not sent.
    response = Client().get("/api/v1/locales/")

    assert "Strict-Transport-Security" not in response


# The admin: a strict policy, and pages that need nothing it forbids.

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
EXTERNAL_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""")


def admin_pages(admin_url: str) -> list[str]:
    return [
        f"/{admin_url}",
        f"/{admin_url}content/article/",
        f"/{admin_url}content/article/add/",
        f"/{admin_url}faq/faqitem/add/",
        f"/{admin_url}auth/user/",
    ]


def test_admin_login_page_carries_the_headers_and_a_self_only_policy(db, production):
    response = Client().get(f"/{production.ADMIN_URL}login/", secure=True)

    assert response.status_code == 200
    assert_common_security_headers(response)
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for values in directives.values():
        assert not any(v.startswith(("http", "*")) for v in values), directives


def test_admin_login_cookies_are_secure_httponly_and_same_site(
    db, production, django_user_model
):
    django_user_model.objects.create_superuser("editor", password="a-long-passphrase")
    client = Client(enforce_csrf_checks=True)
    login = f"/{production.ADMIN_URL}login/"
    page = client.get(login, secure=True)
    csrf = client.cookies["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)

    response = client.post(
        login,
        {
            "username": "editor",
            "password": "a-long-passphrase",
            "csrfmiddlewaretoken": token.group(1).decode(),
        },
        secure=True,
        headers={"Referer": f"https://testserver{login}"},
    )

    assert response.status_code == 302
    session = response.cookies[production.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    # Readable by the admin's own drag-and-drop script, which posts the new order.
    assert not csrf["httponly"]


def test_rich_text_editor_page_allows_its_import_map(demo, admin_client, production):
    response = admin_client.get(f"/{production.ADMIN_URL}content/article/add/")

    import_map = re.search(
        r'<script type="importmap">(.*?)</script>', response.content.decode(), re.S
    )
    assert import_map, "the prose editor loads its modules through an import map"
    assert policy(response)["script-src"] == ["'self'", sha256(import_map.group(1))]


def test_admin_pages_run_no_inline_script_the_policy_would_block(
    demo, admin_client, production
):
    for path in admin_pages(production.ADMIN_URL):
        response = admin_client.get(path, secure=True)
        assert response.status_code == 200, path
        assert_common_security_headers(response)
        html = response.content.decode()
        import_maps = []
        for attributes, body in SCRIPT_TAG.findall(html):
            if attributes == ' type="importmap"':
                import_maps.append(body)
                continue
            # JSON data is not run; anything else inline would be blocked.
            allowed = "src=" in attributes or "application/json" in attributes
            assert allowed or not body.strip(), (path, attributes, body[:200])
        assert policy(response)["script-src"] == [
            "'self'",
            *map(sha256, import_maps),
        ]
        assert not EVENT_HANDLER.search(html), path
        assert not EXTERNAL_URL.search(html), path


# The documentation pages.

DOCS = ["/api/v1/docs/", "/api/v1/redoc/"]


def sha256(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@pytest.mark.parametrize("path", DOCS)
def test_docs_allow_exactly_their_own_inline_scripts_and_nothing_third_party(
    db, production, path
):
    response = Client().get(path, secure=True)

    assert response.status_code == 200
    assert_common_security_headers(response)
    assert not response.cookies
    html = response.content.decode()
    inline = [body for attrs, body in SCRIPT_TAG.findall(html) if "src=" not in attrs]
    external = [attrs for attrs, body in SCRIPT_TAG.findall(html) if "src=" in attrs]
    assert external
    assert all('src="/static/' in attrs for attrs in external)
    directives = policy(response)
    assert directives["script-src"] == ["'self'", *map(sha256, inline)]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["worker-src"] == ["'self'", "blob:"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not re.search(r"https?://", html), re.findall(r"https?://\S+", html)


def test_docs_policy_does_not_admit_a_script_the_page_does_not_contain(db, production):
    swagger = policy(Client().get(DOCS[0], secure=True))["script-src"]
    redoc = policy(Client().get(DOCS[1], secure=True))["script-src"]

    # Each page's hashes are its own: Redoc's start-up code is not allowed on the
    # Swagger UI page and the reverse.
    assert set(swagger[1:]).isdisjoint(redoc[1:])
