"""Hostile input on every public endpoint: NUL bytes, invalid UTF-8, out-of-range
and non-numeric pages, fields and orderings the API does not offer, malformed and
huge locales, huge search strings, 4-byte emoji, huge or odd headers.

Every answer is a JSON error of the one shape (4xx), or a 200 byte-for-byte the
same as the request without the hostile part (a header the API ignores, a parameter
drf-spectacular's documentation views ignore). Never a 5xx, never an HTML error
page, never a different 200 that would mean a hidden parameter was honoured.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import yaml
from django.test import Client

from tests.security import test_deny_by_default as deny
from tests.security.test_deny_by_default import (
    API_ROUTES,
    ERROR_KEYS,
    JSON,
    concrete_path,
)

# The demo, loaded once for this module too, with a real slug per detail route.
demo_slugs = deny.demo_slugs

ROUTE_IDS = [str(r) for r in API_ROUTES]
DETAIL_ROUTES = [r for r in API_ROUTES if "<" in r.pattern]
EMOJI = quote("😀")
HUGE = str(10**30)

# Query strings as they arrive on the wire (already percent-encoded).
QUERY_CASES = {
    "nul-in-value": "locale=en%00",
    "nul-in-name": "%00=1",
    "nul-in-page": "page=1%00",
    "page-zero": "page=0",
    "page-negative": "page=-1",
    "page-huge": f"page={HUGE}",
    "page-not-a-number": "page=abc",
    "page-fraction": "page=1.5",
    "page-non-ascii-digit": "page=" + quote("١"),
    "page-empty": "page=",
    "page-size-over-large": "page_size=100000",
    "page-size-huge": f"page_size={HUGE}",
    "page-size-zero": "page_size=0",
    "ordering-not-offered": "ordering=answer_ko",
    "status-filter": "status=draft",
    "preview": "preview=1",
    "fields": "fields=id,answer_ko,title_ko",
    "format": "format=api",
    "locale-huge": "locale=" + "en" * 5000,
    "locale-with-quality": "locale=" + quote("ko;q=1"),
    "locale-path-traversal": "locale=" + quote("../"),
    "locale-unicode": "locale=" + quote("한국어"),
    "locale-emoji": f"locale={EMOJI}",
    "locale-invalid-utf8": "locale=%ff%fe",
    "locale-wrong-case": "locale=EN",
    "locale-list": "locale=en,ko",
    "locale-repeated": "locale=en&locale=en",
    "locale-empty": "locale=",
    "search-10-kb": "search=" + "a" * 10240,
    "emoji-in-value": f"page={EMOJI}",
    "emoji-in-name": f"{EMOJI}=1",
    "invalid-utf8-name": "%ff%fe=1",
    "invalid-utf8-page": "page=%ff%fe",
    "sitemap-type-nul": "type=%00",
    "spectacular-lang": "lang=" + quote("../"),
    "spectacular-version": f"version={EMOJI}",
    "spectacular-version-newline": "version=%0d%0aX-Injected:%201",
}

HEADER_CASES = {
    "accept-language-20-kb": {"Accept-Language": "en-US,en;q=0.9," * 1400},
    "accept-language-garbage": {"Accept-Language": "../../etc/passwd;q=x,*;q=-1"},
    "accept-html": {"Accept": "text/html"},
    "accept-xml": {"Accept": "application/xml"},
    "accept-nothing": {"Accept": "*/*;q=0"},
    "accept-json-refused": {"Accept": "application/json;q=0"},
    "accept-json-huge-indent": {"Accept": "application/json; indent=99999999"},
    "accept-json-utf16": {"Accept": "application/json; charset=utf-16"},
    "accept-not-a-media-type": {"Accept": "not a media type;;;,,,"},
    "accept-20-kb": {"Accept": "application/json;q=0.1," * 900},
}

SLUG_CASES = {
    "nul": "%00",
    "nul-inside": "a%00b",
    "emoji": EMOJI,
    "emoji-4-byte-mixed": "abc" + EMOJI + "def",
    "invalid-utf8": "%ff%fe",
    "encoded-traversal": "..%2f..%2fadmin",
    "10-kb": "a" * 10240,
    "sql-quote": quote("x' OR '1'='1"),
    "like-wildcard": "%25",
}

HOSTILE_FILTER_VALUES = {
    "nul": "%00",
    "emoji": EMOJI,
    "invalid-utf8": "%ff%fe",
    "like-percent": "%25",
    "like-underscore": "_",
    "sql-quote": quote("' OR 1=1 --"),
    "backslash": quote("\\"),
    "10-kb": "a" * 10240,
}
FAQ_FILTERS = ["category", "cause_type", "method", "article", "search"]


def error_shape(response) -> dict:
    assert response["Content-Type"] == JSON, (
        response.status_code,
        response["Content-Type"],
        response.content[:200],
    )
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == ERROR_KEYS, error
    assert error["status"] == response.status_code
    assert isinstance(error["code"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    return error


def assert_refused_or_unchanged(response, baseline) -> None:
    """A JSON 4xx in the one error shape, or exactly the plain request's answer."""
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        error_shape(response)
        return
    assert response.status_code == baseline.status_code == 200
    if response["Content-Type"] == "application/json" and baseline[
        "Content-Type"
    ].startswith("application/vnd.oai.openapi"):
        # drf-spectacular's negotiation: the same schema, as JSON.
        assert json.loads(response.content) == yaml.safe_load(baseline.content)
        return
    assert response["Content-Type"] == baseline["Content-Type"]
    assert response.content == baseline.content, "a hostile part changed a 200"


@pytest.fixture
def anon(db, demo_slugs) -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("case", QUERY_CASES)
@pytest.mark.parametrize("route", API_ROUTES, ids=ROUTE_IDS)
def test_hostile_query_is_a_json_4xx_or_the_plain_answer(anon, demo_slugs, route, case):
    path = concrete_path(route, demo_slugs)

    response = anon.get(f"{path}?{QUERY_CASES[case]}")

    assert_refused_or_unchanged(response, anon.get(path))


@pytest.mark.parametrize("case", HEADER_CASES)
@pytest.mark.parametrize("route", API_ROUTES, ids=ROUTE_IDS)
def test_hostile_header_is_a_json_4xx_or_the_plain_answer(
    anon, demo_slugs, route, case
):
    path = concrete_path(route, demo_slugs)

    response = anon.get(path, headers=HEADER_CASES[case])

    assert_refused_or_unchanged(response, anon.get(path))


@pytest.mark.parametrize("route", API_ROUTES, ids=ROUTE_IDS)
def test_nul_byte_in_a_fixed_path_segment_is_a_json_404(anon, demo_slugs, route):
    path = concrete_path(route, demo_slugs)
    hostile = path[:-1] + "%00/" if path != "/api/v1/" else "/api/v1/%00/"

    response = anon.get(hostile)

    assert response.status_code == 404
    assert error_shape(response)["code"] == "not_found"


@pytest.mark.parametrize("case", SLUG_CASES)
@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=[str(r) for r in DETAIL_ROUTES])
def test_hostile_slug_is_a_plain_json_404(anon, route, case):
    prefix = route.pattern.split("<", 1)[0]

    response = anon.get(f"/{prefix}{SLUG_CASES[case]}/")

    assert response.status_code == 404, response.content[:300]
    assert error_shape(response)["code"] == "not_found"


@pytest.mark.parametrize("value", HOSTILE_FILTER_VALUES)
@pytest.mark.parametrize("name", FAQ_FILTERS)
def test_hostile_faq_filter_matches_nothing_or_is_a_400(anon, name, value):
    response = anon.get(f"/api/v1/faq-items/?{name}={HOSTILE_FILTER_VALUES[value]}")

    assert response.status_code in {200, 400}, response.content[:300]
    if response.status_code == 400:
        assert error_shape(response)["code"] == "invalid_parameter"
    else:
        # No slug or question holds any of these: a filter that matched rows would
        # have been read as a pattern or as SQL.
        body = json.loads(response.content)
        assert (body["count"], body["results"]) == (0, [])


def test_the_hostile_filter_values_would_be_noticed(anon):
    """The filters do narrow the list (else "matches nothing" above proves
    nothing)."""
    everything = json.loads(anon.get("/api/v1/faq-items/").content)["count"]
    some = json.loads(anon.get("/api/v1/faq-items/?search=a").content)["count"]

    assert everything > 0
    assert 0 < some <= everything
    assert json.loads(anon.get("/api/v1/faq-items/?search=zzqx").content) == {
        "count": 0,
        "page": 1,
        "pages": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize(
    "value", ["TRUE", "yes", "%00", EMOJI, "%ff%fe", "1" * 5000, ""]
)
def test_hostile_structured_data_flag_is_a_400(anon, value):
    response = anon.get(f"/api/v1/faq-items/?structured_data={value}")

    assert response.status_code == 400
    assert error_shape(response)["code"] == "invalid_parameter"
