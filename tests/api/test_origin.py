"""The origin of the absolute URLs the API writes and of the HTTPS redirect
(runtime/origin.py): ``PUBLIC_ORIGIN`` when it is set, otherwise the request's host
without what Django's host check lets through unchecked (a port, a trailing dot)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

PUBLIC = "https://api.example.com"


def get(path: str, host: str, **extra):
    # A new client per request: SecurityMiddleware reads its settings when the
    # client's handler first loads the middleware.
    return Client().get(path, HTTP_HOST=host, **extra)


def links(host: str, **extra) -> list[str]:
    """Every absolute URL of a middle FAQ page and of the API root."""
    page = json.loads(
        get("/api/v1/faq-items/?page=2&page_size=1&locale=ko", host, **extra).content
    )
    root = json.loads(get("/api/v1/", host, **extra).content)
    return [page["next"], page["previous"], *root["endpoints"].values()]


@pytest.mark.parametrize(
    "host", ["testserver", "testserver:1", "testserver.", "TESTSERVER.:8443"]
)
def test_links_start_with_the_public_origin_whatever_the_host(demo, settings, host):
    settings.PUBLIC_ORIGIN = PUBLIC

    found = links(host)

    assert len(found) == 17
    assert all(url.startswith(PUBLIC + "/api/v1/") for url in found), found
    assert found[:2] == [
        f"{PUBLIC}/api/v1/faq-items/?locale=ko&page=3&page_size=1",
        f"{PUBLIC}/api/v1/faq-items/?locale=ko&page_size=1",
    ]


@pytest.mark.parametrize(
    "host", ["testserver:1", "testserver.", "testserver.:1", "testserver:80"]
)
def test_without_an_origin_links_carry_no_port_or_trailing_dot_from_the_host(
    demo, host
):
    found = links(host)

    assert {urlsplit(url).netloc for url in found} == {"testserver"}


def test_without_an_origin_links_keep_the_port_the_server_answers_on(demo):
    found = links("testserver:8000", SERVER_PORT="8000")

    assert {urlsplit(url).netloc for url in found} == {"testserver:8000"}


@pytest.fixture
def https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True


def test_https_redirect_goes_to_the_public_origin(db, settings, https_redirect):
    settings.PUBLIC_ORIGIN = PUBLIC

    response = get("/api/v1/articles/?locale=ko", "testserver.:1")

    assert response.status_code == 301
    assert response["Location"] == f"{PUBLIC}/api/v1/articles/?locale=ko"


@pytest.mark.parametrize("host", ["testserver:1", "testserver.", "testserver.:8080"])
def test_without_an_origin_the_https_redirect_drops_port_and_trailing_dot(
    db, https_redirect, host
):
    response = get("/admin/login/?next=/admin/", host)

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/?next=/admin/"
