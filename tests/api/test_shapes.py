"""Each response is rendered by the serializer its schema documents: the views'
``serializer_class`` is set by their schema decorator (api/schema.py), and this
checks, from the URLconf, that the generated schema names that serializer for every
public endpoint. That every response of the demo is exactly its documented shape,
in every locale, is tests/api/test_schema_strict.py's check.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from api.base import ListView, PublicView
from api.serializers import ErrorSerializer, paginated
from content.models import ArticleBlock
from content.serializers import BLOCK_SERIALIZERS
from faq.serializers import FAQBlockSerializer, FAQItemSummarySerializer

LOCALES = ["en", "ko", "ja", "zh-hans"]
HREFLANG = {"en": "en", "ko": "ko", "ja": "ja", "zh-hans": "zh-Hans"}


def public_views(resolver=None, prefix: str = "") -> list[tuple[str, type]]:
    """(OpenAPI path, view class) of every public view in the URLconf."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += public_views(pattern, route)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", None)
            if view and issubclass(view, PublicView):
                path = "/" + route.replace("<str:slug>", "{slug}")
                found.append((path.replace("<slug>", "{slug}"), view))
    return found


VIEWS = [(path, view) for path, view in public_views() if view.serializer_class]


def component(serializer: type[serializers.Serializer]) -> str:
    """The schema component drf-spectacular names after a serializer class."""
    return "#/components/schemas/" + serializer.__name__.removesuffix("Serializer")


@pytest.fixture(scope="module")
def openapi() -> dict:
    """The schema /api/v1/schema/ serves (generated from the code alone)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_content_endpoint_is_rendered_by_a_serializer():
    rendered = {path for path, _view in VIEWS}

    assert len(rendered) == 21, sorted(rendered)
    assert {
        "/api/v1/",
        "/api/v1/locales/",
        "/api/v1/articles/{slug}/",
        "/api/v1/clinic/",
        "/api/v1/sitemap/",
    } <= rendered


@pytest.mark.parametrize(("path", "view"), VIEWS, ids=[path for path, _ in VIEWS])
def test_the_schema_documents_the_serializer_that_renders_the_view(openapi, path, view):
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    if issubclass(view, ListView):
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = openapi["components"]["schemas"][name]["properties"]["results"]
    schema = schema.get("items", schema)  # a page's results, or a plain list
    assert schema["$ref"] == component(view.serializer_class)


def test_every_block_kind_has_a_serializer_including_faq():
    assert set(BLOCK_SERIALIZERS) == set(ArticleBlock.Kind.values)
    assert BLOCK_SERIALIZERS["faq"] is FAQBlockSerializer


def envelope_fields(item) -> set[str]:
    return set(paginated(item)().fields)


DETAILED = [
    (path.removesuffix("{slug}/"), path)
    for path, _view in VIEWS
    if path.endswith("{slug}/")
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("list_path", "detail_path"), DETAILED)
def test_a_detail_is_its_list_entry_and_more(api, demo, locale, list_path, detail_path):
    page = api(list_path, locale=locale, page_size="100")
    assert page.status == 200

    for result in page.body["results"]:
        one = api(detail_path.replace("{slug}", result["slug"]), locale=locale)
        assert one.status == 200
        assert {k: one.body[k] for k in result} == result
    if locale != "zh-hans":
        assert page.body["results"], list_path


def assert_documented(serializer: type[serializers.Serializer], body, **kwargs):
    """An error body (a dict, built by api/errors.py) as its serializer gives it."""
    assert serializer(body, **kwargs).data == body


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/articles/?colour=red", 400),
        ("/api/v1/articles/?locale=EN", 400),
        ("/api/v1/faq-items/?search=" + "a" * 201, 400),
        ("/api/v1/articles/no-such-slug/", 404),
        ("/api/v1/nope/", 404),
    ],
)
def test_error_bodies_are_exactly_the_documented_error_shape(api, db, path, status):
    response = api(path)

    assert response.status == status
    assert_documented(ErrorSerializer, response.body)


def test_error_body_of_a_405_is_the_documented_error_shape(api, db):
    response = api("/api/v1/articles/", method="post")

    assert response.status == 405
    assert_documented(ErrorSerializer, response.body)


# FAQ structured data.


def pages(api, locale: str, **filters) -> list[dict]:
    """Every page of the FAQ list, two items a page, with structured data."""
    bodies, number = [], 1
    while True:
        body = api(
            "/api/v1/faq-items/",
            locale=locale,
            page_size="2",
            page=str(number),
            structured_data="true",
            **filters,
        ).body
        bodies.append(body)
        if body["next"] is None:
            return bodies
        number += 1


@pytest.mark.parametrize("locale", LOCALES)
def test_every_faq_page_carries_a_faq_page_of_its_own_questions(api, demo, locale):
    bodies = pages(api, locale)

    assert len(bodies) == 3
    for body in bodies:
        assert set(body) == envelope_fields(FAQItemSummarySerializer) | {
            "structured_data"
        }
        document = body["structured_data"]
        assert document == {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "inLanguage": HREFLANG[locale],
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": item["question"],
                    "acceptedAnswer": {"@type": "Answer", "text": item["answer"]},
                }
                for item in body["results"]
            ],
        }
        assert [q["name"] for q in document["mainEntity"]] == [
            item["question"] for item in body["results"]
        ]


def test_filtered_faq_page_carries_only_the_filtered_questions(api, demo):
    everything = api("/api/v1/faq-items/", page_size="100").body["results"]
    word = "Botox"
    matching = api("/api/v1/faq-items/", search=word, structured_data="true").body

    assert 0 < matching["count"] < len(everything)
    assert [q["name"] for q in matching["structured_data"]["mainEntity"]] == [
        item["question"] for item in matching["results"]
    ]


@pytest.mark.parametrize("value", [None, "false", "0"])
def test_faq_list_without_structured_data_has_no_such_key(api, demo, value):
    query = {} if value is None else {"structured_data": value}

    body = api("/api/v1/faq-items/", **query).body

    assert set(body) == envelope_fields(FAQItemSummarySerializer)


def test_faq_list_envelope_matches_the_documented_component(api, demo, openapi):
    ref = openapi["paths"]["/api/v1/faq-items/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["$ref"]
    documented = openapi["components"]["schemas"][
        ref.removeprefix("#/components/schemas/")
    ]

    body = api("/api/v1/faq-items/", structured_data="true").body

    assert set(body) == set(documented["properties"])
    assert set(documented["required"]) == set(body) - {"structured_data"}
