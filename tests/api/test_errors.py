"""Every error under ``/api/`` is the one JSON shape (DESIGN §5):

    {"error": {"status": 404, "code": "not_found", "message": "…", "details": {}}}

for 400, 404, 405, 429, 500 and 503, whether it comes from a view, from Django's
URL resolver, from a middleware or from the database; never an HTML page or a
traceback. Outside ``/api/`` Django's own pages are untouched.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import URLResolver, get_resolver
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from api.base import PublicView
from content import published as content_published
from faq import published as faq_published
from publication.languages import LANGUAGE_CODES
from publication.published import Published
from tests.api.conftest import ApiResponse
from tests.factories import FAQItemFactory, MethodFactory

ERROR_KEYS = {"status", "code", "message", "details"}
LOCALE_DETAILS = {"parameter": "locale", "valid": list(LANGUAGE_CODES)}
NO_ENDPOINT = {
    "error": {
        "status": 404,
        "code": "not_found",
        "message": "No API endpoint at this address.",
        "details": {},
    }
}
SERVER_ERROR = {
    "error": {
        "status": 500,
        "code": "server_error",
        "message": "Internal server error.",
        "details": {},
    }
}
UNAVAILABLE = {
    "error": {
        "status": 503,
        "code": "service_unavailable",
        "message": "The service is temporarily unavailable; retry shortly.",
        "details": {},
    }
}


def api_routes() -> list[tuple[str, str]]:
    """(route name, path) of every route under /api/, read from the URLconf; a
    path parameter is written ``{slug}``."""
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
# drf-spectacular's views, which are not PublicView subclasses.
DOCUMENTATION = {"schema", "swagger-ui", "redoc"}
PUBLIC_ROUTES = [(n, p) for n, p in ROUTES if n not in DOCUMENTATION]
LIST_ROUTES = [
    (n, p) for n, p in PUBLIC_ROUTES if n.endswith("-list") or n == "sitemap"
]
DETAIL_ROUTES = [(n, p) for n, p in ROUTES if "{slug}" in p]
LOCALIZED_ROUTES = [
    (n, p) for n, p in PUBLIC_ROUTES if n not in {"api-root", "locales"}
]


def url(path: str, slug: str = "any-slug") -> str:
    return path.replace("{slug}", slug)


def error_of(response: ApiResponse) -> dict:
    """The error object, after checking the shape every error shares."""
    assert set(response.body) == {"error"}, response.body
    error = response.body["error"]
    assert set(error) == ERROR_KEYS, error
    assert error["status"] == response.status
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    return error


@pytest.fixture
def raw_api(db):
    """Like ``api`` but with a client that returns the 500 instead of re-raising
    the exception, as a real server does."""

    def call(path: str, *, method: str = "get", headers=None, client=None):
        client = client or Client(raise_request_exception=False)
        return ApiResponse(getattr(client, method)(path, headers=headers or {}))

    return call


def test_every_api_route_is_found_in_the_urlconf():
    # The parametrized tests below are only as good as this list.
    names = {name for name, _path in ROUTES}
    assert {"api-root", "locales", "sitemap", "article-list", "faqitem-detail"} <= names
    assert len(DETAIL_ROUTES) == 8
    assert len(LIST_ROUTES) == 9


# 400.


@pytest.mark.parametrize(("name", "path"), PUBLIC_ROUTES)
def test_unknown_query_parameter_is_a_400_naming_it_and_the_allowed_ones(
    api, name, path
):
    response = api(url(path), colour="red")

    error = error_of(response)
    assert response.status == 400
    assert error["code"] == "unknown_parameter"
    assert error["details"]["unknown"] == ["colour"]
    assert "colour" not in error["details"]["allowed"]
    assert "colour" in error["message"]


@pytest.mark.parametrize("parameter", ["format", "Locale", "lang", "page_size "])
def test_near_miss_parameter_names_are_unknown_parameters(api, parameter):
    response = api("/api/v1/articles/", **{parameter: "en"})

    assert response.body == {
        "error": {
            "status": 400,
            "code": "unknown_parameter",
            "message": f"Unknown query parameter(s): {parameter}. This endpoint "
            "accepts: locale, page, page_size.",
            "details": {
                "unknown": [parameter],
                "allowed": ["locale", "page", "page_size"],
            },
        }
    }


@pytest.mark.parametrize(
    "query", ["locale=en&locale=ko", "locale=en&locale=en", "page=1&page=1"]
)
def test_repeated_query_parameter_is_a_400(api, query):
    response = api(f"/api/v1/articles/?{query}")

    name = query.split("=")[0]
    assert response.body == {
        "error": {
            "status": 400,
            "code": "invalid_parameter",
            "message": f"Query parameter(s) given more than once: {name}.",
            "details": {"repeated": [name]},
        }
    }


@pytest.mark.parametrize(
    "value",
    ["EN", "zh_hans", "zh-Hans", "zh", "", "en,ko", "ko ", "en-US", "kor", "\x00"],
)
def test_malformed_locale_is_a_400_listing_the_valid_codes(api, value):
    response = api("/api/v1/articles/", locale=value)

    error = error_of(response)
    assert response.status == 400
    assert error["code"] == "invalid_locale"
    assert error["details"] == LOCALE_DETAILS
    assert error["message"].endswith("Use one of: en, ko, ja, zh-hans.")


def test_huge_locale_is_a_400_that_does_not_echo_it_back(api):
    response = api("/api/v1/articles/", locale="x" * 5000)

    error = error_of(response)
    assert response.status == 400
    assert error["code"] == "invalid_locale"
    assert error["details"] == LOCALE_DETAILS
    assert len(response.response.content) < 500


@pytest.mark.parametrize(("name", "path"), LOCALIZED_ROUTES)
def test_invalid_locale_is_a_400_on_every_localized_route(api, name, path):
    # Before the slug is looked up: a bad locale is never a 404.
    response = api(url(path, "no-such-slug"), locale="EN")

    assert response.status == 400
    assert error_of(response)["code"] == "invalid_locale"
    assert response.body["error"]["details"] == LOCALE_DETAILS


@pytest.mark.parametrize(
    "value", ["0", "-1", "abc", "1.5", "", " 1", "1e3", "١", "99999999999999999999"]
)
def test_malformed_page_is_a_400(api, value):
    response = api("/api/v1/articles/", page=value)

    error = error_of(response)
    assert response.status == 400
    assert error["code"] == "invalid_parameter"
    assert error["details"] == {"parameter": "page", "maximum": None}


@pytest.mark.parametrize("value", ["0", "-5", "abc", "101", "1000", "9" * 30])
def test_page_size_outside_1_to_100_is_a_400_giving_the_maximum(api, value):
    response = api("/api/v1/faq-items/", page_size=value)

    error = error_of(response)
    assert response.status == 400
    assert error["code"] == "invalid_parameter"
    assert error["details"] == {"parameter": "page_size", "maximum": 100}


@pytest.mark.parametrize(("name", "path"), LIST_ROUTES)
def test_every_list_bounds_its_page_size_at_100(api, name, path):
    assert api(path, page_size="100").status == 200
    over = api(path, page_size="101")
    assert over.body == {
        "error": {
            "status": 400,
            "code": "invalid_parameter",
            "message": "‘page_size’ may be at most 100.",
            "details": {"parameter": "page_size", "maximum": 100},
        }
    }


@pytest.mark.parametrize("value", ["maybe", "TRUE", "yes", "", "2"])
def test_structured_data_other_than_true_or_false_is_a_400(api, value):
    response = api("/api/v1/faq-items/", structured_data=value)

    assert response.body == {
        "error": {
            "status": 400,
            "code": "invalid_parameter",
            "message": "‘structured_data’ must be true or false.",
            "details": {"parameter": "structured_data"},
        }
    }


@pytest.mark.parametrize("value", ["true", "1", "false", "0"])
def test_structured_data_true_or_false_is_accepted(api, value):
    assert api("/api/v1/faq-items/", structured_data=value).status == 200


@pytest.mark.parametrize("value", ["bogus", "articles", "Article", ""])
def test_unknown_sitemap_type_is_a_400_listing_the_types(api, value):
    response = api("/api/v1/sitemap/", type=value)

    error = error_of(response)
    assert response.status == 400
    assert error["code"] == "invalid_parameter"
    assert error["details"] == {
        "parameter": "type",
        "valid": [
            "article",
            "cause_type",
            "method",
            "comparison",
            "aftercare",
            "item_list",
            "faq_item",
            "faq_category",
        ],
    }


def test_search_over_200_characters_is_a_400(api):
    assert api("/api/v1/faq-items/", search="a" * 200).status == 200

    response = api("/api/v1/faq-items/", search="a" * 201)

    assert response.body == {
        "error": {
            "status": 400,
            "code": "invalid_parameter",
            "message": "Invalid filter value.",
            "details": {
                "fields": {
                    "search": [
                        {
                            "message": "Ensure this value has at most 200 "
                            "characters (it has 201).",
                            "code": "max_length",
                        }
                    ]
                }
            },
        }
    }


@pytest.mark.parametrize("name", ["category", "cause_type", "method", "article"])
def test_over_long_filter_slug_is_a_400(api, name):
    # Written into the path: ``method`` is also the fixture's HTTP method argument.
    response = api(f"/api/v1/faq-items/?{name}={'x' * 201}")

    error = error_of(response)
    assert response.status == 400
    assert error["code"] == "invalid_parameter"
    assert list(error["details"]["fields"]) == [name]


@pytest.mark.parametrize("name", ["search", "category"])
def test_nul_character_in_a_filter_is_a_400_not_a_database_error(api, name):
    response = api("/api/v1/faq-items/", **{name: "a\x00b"})

    assert response.status == 400
    assert error_of(response)["code"] == "invalid_parameter"


def test_too_many_query_parameters_is_a_json_400(raw_api, settings):
    """Past Django's request-field limit (raised for the admin's big forms)."""
    count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    query = "&".join(f"p{i}=1" for i in range(count))

    response = raw_api(f"/api/v1/articles/?{query}")

    assert response.status == 400
    assert error_of(response)["code"] == "bad_request"


def test_disallowed_host_is_a_json_400(raw_api):
    response = raw_api("/api/v1/articles/", headers={"Host": "attacker.example"})

    assert response.body == {
        "error": {
            "status": 400,
            "code": "bad_request",
            "message": "Bad request.",
            "details": {},
        }
    }


# 404.


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/v1/nope/",
        "/api/v1/articles/a/b/",
        "/api/v2/articles/",
        "/api/v2/",
        "/api/v1/ARTICLES/",
        "/api/nope",
    ],
)
def test_unknown_api_url_is_a_json_404(api, path):
    response = api(path)

    assert response.status == 404
    assert response.body == NO_ENDPOINT


@pytest.mark.parametrize(("name", "path"), DETAIL_ROUTES)
def test_unknown_slug_is_a_plain_404(api, demo, name, path):
    response = api(url(path, "no-such-slug"))

    error = error_of(response)
    assert response.status == 404
    assert error["code"] == "not_found"
    assert error["details"] == {}
    assert response.get("Content-Language") is None


@pytest.mark.parametrize(("name", "path"), DETAIL_ROUTES)
def test_nul_byte_in_a_slug_is_a_404_not_a_server_error(raw_api, demo, name, path):
    response = raw_api(url(path, "%00"))

    assert response.status == 404
    assert error_of(response)["code"] == "not_found"


def test_page_past_the_end_is_a_404_naming_the_last_page(api, demo):
    response = api("/api/v1/faq-items/", page_size="2", page="4")

    assert response.body == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "There is no page 4; the last page is 3.",
            "details": {},
        }
    }
    assert api("/api/v1/faq-items/", page_size="2", page="3").status == 200


def test_first_page_of_an_empty_list_is_a_200_and_the_second_a_404(api, demo):
    # The demo has no article in Simplified Chinese.
    empty = api("/api/v1/articles/", locale="zh-hans")
    assert empty.status == 200
    assert empty.body["results"] == []

    assert api("/api/v1/articles/", locale="zh-hans", page="2").status == 404


def alternates_of_every(api, list_path: str) -> list[list[dict]]:
    """The alternate languages of every object of a type visible in English."""
    body = api(list_path, page_size="100").body
    assert body["results"], list_path
    return [item["alternates"]["languages"] for item in body["results"]]


TYPES = [
    ("/api/v1/articles/", "/api/v1/articles/{slug}/"),
    ("/api/v1/cause-types/", "/api/v1/cause-types/{slug}/"),
    ("/api/v1/methods/", "/api/v1/methods/{slug}/"),
    ("/api/v1/comparisons/", "/api/v1/comparisons/{slug}/"),
    ("/api/v1/aftercare/", "/api/v1/aftercare/{slug}/"),
    ("/api/v1/item-lists/", "/api/v1/item-lists/{slug}/"),
    ("/api/v1/faq-items/", "/api/v1/faq-items/{slug}/"),
    ("/api/v1/faq-categories/", "/api/v1/faq-categories/{slug}/"),
]


def test_types_cover_every_detail_route():
    assert sorted(detail for _list, detail in TYPES) == sorted(
        path for _name, path in DETAIL_ROUTES
    )


@pytest.mark.parametrize(("list_path", "detail_path"), TYPES)
def test_another_languages_slug_is_a_404_naming_the_right_slug(
    api, demo, list_path, detail_path
):
    checked = 0
    for languages in alternates_of_every(api, list_path):
        for wanted in languages:
            for other in languages:
                if other["slug"] == wanted["slug"]:
                    continue
                response = api(url(detail_path, other["slug"]), locale=wanted["locale"])
                assert response.status == 404
                error = error_of(response)
                assert error["code"] == "not_in_locale"
                assert error["details"] == {
                    "locale": wanted["locale"],
                    "slug": wanted["slug"],
                }
                assert wanted["slug"] in error["message"]
                assert response.get("Content-Language") is None
                checked += 1
    assert checked >= 6


def test_slug_of_a_language_the_object_is_not_published_in_is_a_plain_404(api):
    method = MethodFactory()
    method.publish("en")
    korean_slug = method.slug_ko
    assert korean_slug

    response = api(f"/api/v1/methods/{korean_slug}/", locale="en")

    assert response.body == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "Nothing is published at this address in en.",
            "details": {},
        }
    }
    # Once Korean is published, the same request names the English slug.
    method.publish("ko")
    again = api(f"/api/v1/methods/{korean_slug}/", locale="en")
    assert again.body["error"]["code"] == "not_in_locale"
    assert again.body["error"]["details"] == {"locale": "en", "slug": method.slug_en}


def test_category_slug_of_a_language_without_visible_items_is_a_plain_404(api):
    item = FAQItemFactory()
    item.publish("en")
    category = item.category
    assert category.slug_ko

    response = api(f"/api/v1/faq-categories/{category.slug_ko}/", locale="en")

    error = error_of(response)
    assert response.status == 404
    assert error["code"] == "not_found"
    assert error["details"] == {}
    item.publish("ko")
    again = api(f"/api/v1/faq-categories/{category.slug_ko}/", locale="en")
    assert again.body["error"]["details"] == {"locale": "en", "slug": category.slug_en}


def test_unpublished_clinic_profile_is_a_plain_404(api, demo):
    response = api("/api/v1/clinic/", locale="zh-hans")

    assert response.body == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "The clinic profile is not published in zh-hans.",
            "details": {},
        }
    }


def test_non_api_404_is_djangos_html_page(client, db):
    response = client.get("/nope/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b'"error"' not in response.content


def test_admin_keeps_its_html_pages(client, admin_client):
    login = client.get("/admin/login/")
    assert login.status_code == 200
    assert login["Content-Type"].startswith("text/html")
    assert b"<form" in login.content

    assert client.get("/admin/").status_code == 302

    missing = admin_client.get("/admin/content/no-such-model/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")


# 405.

METHODS = ["post", "put", "patch", "delete", "options", "trace"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("name", "path"),
    ROUTES,
)
def test_every_method_but_get_and_head_is_a_json_405_with_allow(
    api, name, path, method
):
    response = api(url(path), method=method)

    assert response.status == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response.get("Allow") == "GET, HEAD"


@pytest.mark.parametrize(("name", "path"), PUBLIC_ROUTES)
def test_405_wins_over_unknown_query_parameters(api, name, path):
    response = api(url(path) + "?colour=red&locale=xx", method="post")

    assert response.status == 405
    assert error_of(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/nope/", 404), ("/api/v1/articles/", 405), ("/api/v1/schema/", 405)],
)
def test_post_without_csrf_token_is_a_json_error_not_a_csrf_page(raw_api, path, status):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = raw_api(path, method="post", client=client)

    assert response.status == status
    assert error_of(response)["code"] in {"not_found", "method_not_allowed"}


# 429.


@pytest.fixture
def two_per_minute(settings, monkeypatch):
    """What API_THROTTLE_RATE="2/minute" configures (clinic/settings.py)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"},
    }
    # DRF reloads api_settings on setting_changed, but views and throttles read
    # it into class attributes at import: give them the reloaded values.
    assert api_settings.DEFAULT_THROTTLE_RATES == {"anon": "2/minute"}
    monkeypatch.setattr(
        PublicView, "throttle_classes", api_settings.DEFAULT_THROTTLE_CLASSES
    )
    monkeypatch.setattr(
        AnonRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES
    )
    cache.clear()
    yield
    cache.clear()


def test_third_request_in_a_minute_is_a_429_with_retry_after(api, two_per_minute):
    assert api("/api/v1/articles/").status == 200
    assert api("/api/v1/locales/").status == 200

    response = api("/api/v1/articles/", locale="ko")

    error = error_of(response)
    assert response.status == 429
    assert error["code"] == "throttled"
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    assert error["details"] == {"retry_after": retry_after}
    assert response.get("Content-Language") is None


def test_throttle_counts_each_client_address_apart(api, two_per_minute):
    for _ in range(2):
        assert api("/api/v1/articles/").status == 200
    assert api("/api/v1/articles/").status == 429

    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get("/api/v1/articles/").status_code == 200


def test_throttled_request_with_a_bad_parameter_is_still_json(api, two_per_minute):
    api("/api/v1/articles/")
    api("/api/v1/articles/")

    response = api("/api/v1/articles/", colour="red")

    assert response.status == 429
    assert error_of(response)["code"] == "throttled"


# 500 and 503.


def fail_with(exception: Exception):
    def fail(*args, **kwargs):
        raise exception

    return fail


SECRET = "s3cr3t-connection-string"


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_error_in_a_view_is_a_json_500_without_traceback(
    raw_api, settings, monkeypatch, debug
):
    settings.DEBUG = debug
    monkeypatch.setattr(content_published, "ordered", fail_with(RuntimeError(SECRET)))

    response = raw_api("/api/v1/articles/")

    assert response.status == 500
    assert response.body == SERVER_ERROR
    content = response.response.content.decode()
    assert SECRET not in content
    assert "Traceback" not in content
    assert "RuntimeError" not in content


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("exception", [OperationalError, InterfaceError])
def test_database_outage_in_a_view_is_a_503_with_retry_after(
    raw_api, settings, monkeypatch, debug, exception
):
    settings.DEBUG = debug
    monkeypatch.setattr(faq_published, "in_list_order", fail_with(exception(SECRET)))

    response = raw_api("/api/v1/faq-items/", headers={"Accept-Language": "ko"})

    assert response.status == 503
    assert response.body == UNAVAILABLE
    assert response["Retry-After"] == "5"
    assert SECRET not in response.response.content.decode()


def test_database_outage_in_a_detail_lookup_is_a_503(raw_api, monkeypatch):
    # The slug is nowhere; the outage strikes the look-up of it in other languages.
    monkeypatch.setattr(Published, "slug_elsewhere", fail_with(OperationalError()))

    response = raw_api("/api/v1/methods/no-such-slug/")

    assert response.status == 503
    assert response.body == UNAVAILABLE


class Explode:
    """A middleware that fails on every request (which exception: the class
    attribute, set by the test)."""

    exception: Exception = RuntimeError(SECRET)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise type(self).exception


EXPLODE = f"{__name__}.Explode"


@pytest.fixture(params=["inner", "outer"])
def exploding_middleware(request, settings):
    """Explode as the innermost middleware, or right inside ApiErrorMiddleware."""
    middleware = list(settings.MIDDLEWARE)
    assert middleware[0] == "api.errors.ApiErrorMiddleware"
    if request.param == "inner":
        middleware.append(EXPLODE)
    else:
        middleware.insert(1, EXPLODE)
    settings.MIDDLEWARE = middleware
    return Explode


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_error_in_a_middleware_is_a_json_500(
    raw_api, settings, monkeypatch, exploding_middleware, debug
):
    settings.DEBUG = debug
    monkeypatch.setattr(exploding_middleware, "exception", RuntimeError(SECRET))

    response = raw_api("/api/v1/articles/")

    assert response.status == 500
    assert response.body == SERVER_ERROR
    assert SECRET not in response.response.content.decode()


def test_database_outage_in_a_middleware_is_a_503(
    raw_api, monkeypatch, exploding_middleware
):
    monkeypatch.setattr(exploding_middleware, "exception", OperationalError(SECRET))

    response = raw_api("/api/v1/sitemap/")

    assert response.status == 503
    assert response.body == UNAVAILABLE
    assert response["Retry-After"] == "5"


def test_error_in_a_middleware_outside_the_api_is_djangos_html_500(
    db, settings, exploding_middleware
):
    client = Client(raise_request_exception=False)

    response = client.get("/admin/login/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert SECRET.encode() not in response.content


def test_unknown_api_url_is_json_even_with_debug(api, settings):
    settings.DEBUG = True

    response = api("/api/v1/nope/")

    assert response.status == 404
    assert error_of(response)["code"] == "not_found"
    assert b"<html" not in response.response.content.lower()


def test_unknown_parameter_is_json_even_with_debug(api, settings):
    settings.DEBUG = True

    response = api("/api/v1/articles/", colour="red")

    assert response.status == 400
    assert error_of(response)["code"] == "unknown_parameter"


def test_error_bodies_carry_no_content_language(api, demo):
    for response in (
        api("/api/v1/articles/", locale="ko", colour="red"),
        api("/api/v1/articles/no-such-slug/", locale="ko"),
        api("/api/v1/articles/", locale="ko", method="post"),
        api("/api/v1/nope/", locale="ko"),
    ):
        assert response.status >= 400
        error_of(response)
        assert response.get("Content-Language") is None
