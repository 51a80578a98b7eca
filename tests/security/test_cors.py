"""CORS: the configured frontends, exactly; nobody else; never outside the API."""

from __future__ import annotations

import pytest
from django.test import Client

FRONTEND = "https://example.com"
OTHER_FRONTEND = "https://ko.example.com"


@pytest.fixture
def browser(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND, OTHER_FRONTEND]
    return Client()


def cors_headers(response) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",") if v}


API_PATHS = [
    "/api/v1/locales/",  # 200
    "/api/v1/articles/?locale=xx",  # 400
    "/api/v1/no-such-endpoint/",  # 404
]


@pytest.mark.parametrize("origin", [FRONTEND, OTHER_FRONTEND])
@pytest.mark.parametrize("path", API_PATHS)
def test_an_allowed_frontend_gets_its_origin_back_and_vary_origin(
    db, browser, origin, path
):
    response = browser.get(path, headers={"Origin": origin})

    assert cors_headers(response) == {"access-control-allow-origin": origin}
    assert "origin" in vary(response)


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com.evil.test",  # look-alike suffix
        "https://evil-example.com",
        "https://evil.example.com",  # a subdomain nobody listed
        "http://example.com",  # downgraded scheme
        "https://example.com:8443",  # another port
        "null",  # sandboxed frames, file:// pages
        "HTTPS://EXAMPLE.COM.evil.test",
    ],
)
@pytest.mark.parametrize("path", API_PATHS)
def test_other_origins_get_no_cors_headers(db, browser, origin, path):
    response = browser.get(path, headers={"Origin": origin})

    assert cors_headers(response) == {}
    # Still Vary: Origin, so a shared cache does not hand this answer to a frontend.
    assert "origin" in vary(response)


@pytest.mark.parametrize("origin", ["https://example.com.evil.test", "null"])
def test_a_preflight_from_another_origin_is_not_allowed(db, browser, origin):
    response = browser.options(
        "/api/v1/locales/",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
    )

    assert cors_headers(response) == {}


def test_a_preflight_from_a_frontend_allows_reading_only_without_credentials(
    db, browser
):
    response = browser.options(
        "/api/v1/locales/",
        headers={"Origin": FRONTEND, "Access-Control-Request-Method": "GET"},
    )

    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == FRONTEND
    assert set(headers["access-control-allow-methods"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
    assert "access-control-allow-credentials" not in headers


def test_no_credentials_header_even_when_the_frontend_sends_cookies(db, browser):
    browser.cookies["sessionid"] = "whatever"

    response = browser.get("/api/v1/locales/", headers={"Origin": FRONTEND})

    assert "access-control-allow-credentials" not in cors_headers(response)


def outside_the_api(settings) -> list[str]:
    return [
        f"/{settings.ADMIN_URL}login/",
        f"/{settings.ADMIN_URL}",
        "/",
        "/static/admin/css/base.css",
    ]


def test_nothing_outside_the_api_answers_cors_even_for_a_frontend(
    db, browser, settings
):
    for path in outside_the_api(settings):
        get = browser.get(path, headers={"Origin": FRONTEND})
        preflight = browser.options(
            path,
            headers={"Origin": FRONTEND, "Access-Control-Request-Method": "POST"},
        )
        assert cors_headers(get) == {}, path
        assert cors_headers(preflight) == {}, path
