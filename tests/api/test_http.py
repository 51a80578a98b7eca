"""HTTP behaviour of the public API (DESIGN §2, §5): Content-Language, no cookies,
no negotiation on Accept-Language, HEAD, CORS for the configured frontends, the
root's endpoint list, and the OpenAPI schema with its documentation pages served
from local assets."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve

HREFLANG = {"en": "en", "ko": "ko", "ja": "ja", "zh-hans": "zh-Hans"}
ALLOWED_ORIGIN = "https://www.example.com"


def api_routes() -> list[tuple[str, str]]:
    """(route name, path) of every route under /api/, read from the URLconf; a
    path parameter is written ``{slug}`` (as in the OpenAPI schema)."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found.append((pattern.name, prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "/")
    # The preview answers only with a token for one object: its own tests
    # (tests/api/test_preview.py) check what these check of every route.
    return [
        (name, re.sub(r"<(?:\w+:)?slug>", "{slug}", path))
        for name, path in found
        if path.startswith("/api/") and name != "preview"
    ]


ROUTES = api_routes()
DOCUMENTATION = {"schema", "swagger-ui", "redoc"}
NOT_LOCALIZED = {"api-root", "locales", *DOCUMENTATION}
CONTENT_ROUTES = [(n, p) for n, p in ROUTES if n not in NOT_LOCALIZED]
JSON_ROUTES = [(n, p) for n, p in ROUTES if n not in DOCUMENTATION]


def list_route_of(detail_name: str) -> str:
    """``article-detail`` → the path of ``article-list``."""
    wanted = detail_name.removesuffix("-detail") + "-list"
    return next(path for name, path in ROUTES if name == wanted)


def concrete(api, name: str, path: str, locale: str = "en") -> str | None:
    """``path`` with the slug of the first object visible in ``locale``, or None
    when there is none."""
    if "{slug}" not in path:
        return path
    results = api(list_route_of(name), locale=locale).body["results"]
    return path.replace("{slug}", results[0]["slug"]) if results else None


# Content-Language.


@pytest.mark.parametrize(("name", "path"), CONTENT_ROUTES)
def test_every_content_response_says_its_language_as_bcp47(api, demo, name, path):
    for locale, tag in HREFLANG.items():
        # A type with nothing in this language (the demo has no zh-hans article)
        # still answers its list.
        target = concrete(api, name, path, locale) or list_route_of(name)

        response = api(target, locale=locale)

        if (name, locale) == ("clinic-profile", "zh-hans"):
            assert response.status == 404
            assert response.get("Content-Language") is None
        else:
            assert response.status == 200, (target, locale)
            assert response["Content-Language"] == tag


def test_absent_locale_is_english(api, demo):
    response = api("/api/v1/articles/")

    assert response["Content-Language"] == "en"
    assert {item["locale"] for item in response.body["results"]} == {"en"}


@pytest.mark.parametrize(
    ("name", "path"), [(n, p) for n, p in ROUTES if n in NOT_LOCALIZED]
)
def test_responses_in_no_language_carry_no_content_language(client, demo, name, path):
    response = client.get(path)

    assert response.status_code == 200
    assert "Content-Language" not in response


@pytest.mark.parametrize(
    "query",
    [
        {"locale": "ko", "colour": "red"},
        {"locale": "EN"},
        {"locale": "ko", "page": "9"},
        {"locale": "ko", "page_size": "500"},
    ],
)
def test_error_responses_carry_no_content_language(api, demo, query):
    response = api("/api/v1/faq-items/", **query)

    assert response.status >= 400
    assert response.get("Content-Language") is None


# Cookies and Accept-Language.


def public_routes_marked():
    return list(ROUTES)


@pytest.fixture
def admin_session_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return client


@pytest.mark.parametrize(("name", "path"), public_routes_marked())
def test_no_public_response_sets_a_cookie(api, demo, admin_session_client, name, path):
    target = concrete(api, name, path)

    for client, headers in [
        (Client(), {}),
        (admin_session_client, {}),
        (Client(), {"Accept-Language": "ko"}),
    ]:
        response = client.get(target, headers=headers)

        assert response.status_code == 200
        assert not response.cookies
        assert "Set-Cookie" not in response
        assert "cookie" not in response.get("Vary", "").lower()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nope/"),
        ("post", "/api/v1/nope/"),
        ("get", "/api/v1/articles/?colour=red"),
        ("get", "/api/v1/articles/no-such-slug/"),
        ("post", "/api/v1/articles/"),
        ("delete", "/api/v1/articles/no-such-slug/"),
    ],
)
def test_error_responses_set_no_cookie(admin_session_client, method, path):
    response = getattr(admin_session_client, method)(
        path, headers={"Accept-Language": "ko"}
    )

    assert response.status_code >= 400
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()


@pytest.mark.parametrize(("name", "path"), ROUTES)
def test_api_responses_do_not_vary_on_accept_language(client, api, demo, name, path):
    target = concrete(api, name, path)

    response = client.get(target, headers={"Accept-Language": "ko"})

    assert response.status_code == 200
    assert "accept-language" not in response.get("Vary", "").lower()


def test_admin_login_page_follows_accept_language(client, db):
    korean = client.get("/admin/login/", headers={"Accept-Language": "ko"})
    english = client.get("/admin/login/", headers={"Accept-Language": "en"})

    assert korean["Content-Language"] == "ko"
    assert "accept-language" in korean["Vary"].lower()
    assert "로그인" in korean.content.decode()
    assert english["Content-Language"] == "en"
    assert "로그인" not in english.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/",
        "/api/v1/articles/mouth-corner-asymmetry/",
        "/api/v1/faq-items/",
        "/api/v1/clinic/",
        "/api/v1/sitemap/",
        "/api/v1/locales/",
    ],
)
def test_accept_language_does_not_change_the_content_language(api, demo, path):
    plain = api(path)
    korean = api(path, headers={"Accept-Language": "ko,en;q=0.5"})

    assert plain.status == korean.status == 200
    assert korean.body == plain.body
    assert korean.get("Content-Language") == plain.get("Content-Language")


def test_error_messages_are_english_for_a_korean_browser(api, db):
    response = api("/api/v1/articles/", colour="red", headers={"Accept-Language": "ko"})

    assert response.body["error"]["message"] == (
        "Unknown query parameter(s): colour. This endpoint accepts: locale, page, "
        "page_size."
    )
    not_allowed = api(
        "/api/v1/articles/", method="post", headers={"Accept-Language": "ko"}
    )
    assert not_allowed.body["error"]["message"] == 'Method "POST" not allowed.'


# HEAD.


@pytest.mark.parametrize(("name", "path"), ROUTES)
def test_head_answers_like_get_without_a_body(client, api, demo, name, path):
    target = concrete(api, name, path)

    get = client.get(target)
    head = client.head(target)

    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "Content-Language", "Content-Length"):
        assert head.get(header) == get.get(header), header
    assert int(head["Content-Length"]) == len(get.content)


# CORS.


@pytest.fixture
def frontends(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED_ORIGIN]
    return Client()


def cors_headers(response) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


@pytest.mark.parametrize(("name", "path"), JSON_ROUTES)
def test_allowed_origin_is_echoed_without_credentials(frontends, api, demo, name, path):
    target = concrete(api, name, path)

    response = frontends.get(target, headers={"Origin": ALLOWED_ORIGIN})

    assert response.status_code == 200
    assert cors_headers(response) == {"access-control-allow-origin": ALLOWED_ORIGIN}
    assert "origin" in response["Vary"].lower()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "http://www.example.com",
        "https://www.example.com.evil.com",
        "https://www.example.com:8443",
        "null",
    ],
)
def test_other_origins_get_no_cors_headers(frontends, db, origin):
    response = frontends.get("/api/v1/articles/", headers={"Origin": origin})

    assert response.status_code == 200
    assert cors_headers(response) == {}
    # A CDN must not hand one origin's answer to another.
    assert "origin" in response["Vary"].lower()


@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/v1/articles/?colour=red", "/api/v1/clinic/"]
)
def test_errors_carry_cors_headers_so_frontends_can_read_them(frontends, db, path):
    response = frontends.get(path, headers={"Origin": ALLOWED_ORIGIN})

    assert response.status_code >= 400
    assert response["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


def test_preflight_from_an_allowed_origin_allows_get_only(frontends, db):
    response = frontends.options(
        "/api/v1/articles/",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"},
    )

    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    methods = {m.strip() for m in headers["access-control-allow-methods"].split(",")}
    assert "GET" in methods
    assert not methods & {"POST", "PUT", "PATCH", "DELETE"}
    assert headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in headers


def test_preflight_from_another_origin_is_not_allowed(frontends, db):
    response = frontends.options(
        "/api/v1/articles/",
        headers={
            "Origin": "https://evil.example.com",
            "Access-Control-Request-Method": "GET",
        },
    )

    assert "access-control-allow-origin" not in cors_headers(response)


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/"])
def test_admin_gets_no_cors_headers_even_for_an_allowed_origin(frontends, db, path):
    get = frontends.get(path, headers={"Origin": ALLOWED_ORIGIN})
    preflight = frontends.options(
        path,
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
    )

    assert get.status_code in {200, 302}
    assert cors_headers(get) == {}
    assert cors_headers(preflight) == {}


# The root.


def test_root_lists_every_endpoint_without_a_parameter(api, db):
    body = api("/api/v1/").body

    listed = {urlsplit(u).path for u in body["endpoints"].values()}
    expected = {p for n, p in ROUTES if "{slug}" not in p and n != "api-root"}
    assert listed == expected
    assert body["locales"] == list(HREFLANG)
    assert body["default_locale"] == "en"


def test_every_url_the_root_lists_answers_200(api, client, demo):
    endpoints = api("/api/v1/").body["endpoints"]

    for name, address in endpoints.items():
        assert urlsplit(address).netloc == "testserver", name
        assert client.get(address).status_code == 200, name


# The OpenAPI schema.


@pytest.fixture
def openapi(client, db) -> dict:
    response = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_schema_is_openapi_3_in_json_or_yaml(client, openapi):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert "json" not in response["Content-Type"]
    assert yaml.safe_load(response.content) == openapi
    assert openapi["openapi"].startswith("3.")


def test_schema_documents_every_api_path_and_nothing_else(openapi):
    expected = {p for n, p in ROUTES if n not in DOCUMENTATION}
    expected.add("/api/v1/preview/{type_name}/{id}/")

    assert set(openapi["paths"]) == expected
    for path, operations in openapi["paths"].items():
        assert set(operations) == {"get"}, path


@pytest.mark.parametrize(("name", "path"), JSON_ROUTES)
def test_schema_documents_the_query_parameters_each_view_accepts(openapi, name, path):
    view = resolve(path.replace("{slug}", "x")).func.view_class()
    operation = openapi["paths"][path]["get"]

    documented = {
        p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
    }

    assert documented == set(view.allowed_query_params())


@pytest.mark.parametrize(("name", "path"), JSON_ROUTES)
def test_schema_documents_the_error_responses(openapi, name, path):
    responses = openapi["paths"][path]["get"]["responses"]

    assert {"200", "400", "429", "500", "503"} <= set(responses)
    if "{slug}" in path or name.endswith("-list") or name == "sitemap":
        assert "404" in responses
    for status in set(responses) - {"200", "304"}:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)


@pytest.mark.parametrize(("name", "path"), JSON_ROUTES)
def test_200_and_304_carry_every_header_the_schema_says_they_always_carry(
    openapi, client, api, demo, name, path
):
    """What a generated client may rely on: the validators, Cache-Control and (for
    content) Content-Language on the 200 and again on the 304 to its ETag."""
    operation = openapi["paths"][path]["get"]
    documented = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert documented == {"If-None-Match", "If-Modified-Since"}
    assert "content" not in operation["responses"]["304"]
    url = concrete(api, name, path)
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert (first.status_code, again.status_code) == (200, 304)
    for status, response in (("200", first), ("304", again)):
        headers = operation["responses"][status]["headers"]
        required = {h for h, spec in headers.items() if spec.get("required")}
        assert {"ETag", "Last-Modified", "Cache-Control"} <= required
        assert ("Content-Language" in required) == (name not in NOT_LOCALIZED)
        missing = {h for h in required if not response.has_header(h)}
        assert not missing, (url, status, missing)
        # Tags name what a response shows; the root shows no content.
        tagged = {"Cache-Tag", "Surrogate-Key"} <= {
            h for h in headers if response.has_header(h)
        }
        assert tagged == (name != "api-root"), (url, status)


# The documentation pages.


class AssetReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "spec-url"} and value:
                self.urls.append(value)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def local_static_path(address: str) -> str:
    prefix = django_settings.STATIC_URL
    assert prefix.startswith("/")
    assert address.startswith(prefix), address
    return address.removeprefix(prefix)


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_documentation_pages_reference_no_other_host(client, db, path):
    html = page(client, path)
    reader = AssetReader()
    reader.feed(html)

    assert reader.urls
    for address in reader.urls:
        assert urlsplit(address).netloc in {"", "testserver"}, address
    for address in re.findall(r"(?:https?:)?//[\w.-]+", html):
        assert urlsplit(address).netloc == "testserver", address
    assert "cdn." not in html.lower()
    assert "jsdelivr" not in html.lower()


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_documentation_assets_are_local_static_files_that_exist(client, db, path):
    reader = AssetReader()
    reader.feed(page(client, path))
    assets = [
        a
        for a in reader.urls
        if urlsplit(a).path.startswith(django_settings.STATIC_URL)
    ]

    assert any(a.endswith(".js") for a in assets)
    for address in assets:
        assert finders.find(local_static_path(urlsplit(address).path)), address


def test_swagger_ui_does_not_call_the_online_validator(client, db):
    html = page(client, "/api/v1/docs/")
    found = re.search(r"const swaggerSettings = (\{.*?\});", html, re.DOTALL)
    assert found

    swagger_settings = json.loads(found.group(1))

    assert "validatorUrl" in swagger_settings
    assert swagger_settings["validatorUrl"] is None


def test_redoc_reads_the_local_schema(client, db):
    reader = AssetReader()
    reader.feed(page(client, "/api/v1/redoc/"))

    assert "/api/v1/schema/" in reader.urls


def test_swagger_ui_reads_the_local_schema(client, db):
    assert 'url: "/api/v1/schema/"' in page(client, "/api/v1/docs/")
