"""The JSON the views build (``selectors`` over ``values()`` rows) against the
serializers that document it in the OpenAPI schema: rendering a response through
its documented serializer must give it back unchanged, so a key added, dropped or
renamed on either side fails here (see ``api/serializers.py``).

The endpoint → serializer mapping is written out below from the views' schema
decorators (``list_schema``/``detail_schema``/...), and checked against the
components the generated schema names for each operation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from api.schema import LocaleSerializer, RootSerializer, SitemapEntrySerializer
from api.serializers import ErrorSerializer, paginated
from content.serializers import (
    BLOCK_SERIALIZERS,
    AftercareDetailSerializer,
    AftercareSummarySerializer,
    ArticleDetailSerializer,
    ArticleSummarySerializer,
    BlockField,
    CauseTypeDetailSerializer,
    CauseTypeSummarySerializer,
    ClinicProfileSerializer,
    ComparisonDetailSerializer,
    ComparisonSummarySerializer,
    ItemListDetailSerializer,
    ItemListSummarySerializer,
    MethodDetailSerializer,
    MethodSummarySerializer,
)
from faq.serializers import (
    FAQBlockSerializer,
    FAQCategorySerializer,
    FAQItemDetailSerializer,
    FAQItemSummarySerializer,
)

LOCALES = ["en", "ko", "ja", "zh-hans"]
HREFLANG = {"en": "en", "ko": "ko", "ja": "ja", "zh-hans": "zh-Hans"}

# (list path, item serializer, detail path, detail serializer), as declared by
# @list_schema / @detail_schema in content/views.py, faq/views.py and
# api/views.py (sitemap_schema).
ENDPOINTS = [
    (
        "/api/v1/articles/",
        ArticleSummarySerializer,
        "/api/v1/articles/{slug}/",
        ArticleDetailSerializer,
    ),
    (
        "/api/v1/cause-types/",
        CauseTypeSummarySerializer,
        "/api/v1/cause-types/{slug}/",
        CauseTypeDetailSerializer,
    ),
    (
        "/api/v1/methods/",
        MethodSummarySerializer,
        "/api/v1/methods/{slug}/",
        MethodDetailSerializer,
    ),
    (
        "/api/v1/comparisons/",
        ComparisonSummarySerializer,
        "/api/v1/comparisons/{slug}/",
        ComparisonDetailSerializer,
    ),
    (
        "/api/v1/aftercare/",
        AftercareSummarySerializer,
        "/api/v1/aftercare/{slug}/",
        AftercareDetailSerializer,
    ),
    (
        "/api/v1/item-lists/",
        ItemListSummarySerializer,
        "/api/v1/item-lists/{slug}/",
        ItemListDetailSerializer,
    ),
    (
        "/api/v1/faq-items/",
        FAQItemSummarySerializer,
        "/api/v1/faq-items/{slug}/",
        FAQItemDetailSerializer,
    ),
    (
        "/api/v1/faq-categories/",
        FAQCategorySerializer,
        "/api/v1/faq-categories/{slug}/",
        FAQCategorySerializer,
    ),
    ("/api/v1/sitemap/", SitemapEntrySerializer, None, None),
]
# Endpoints with one object (or a plain list) instead of a page.
SINGLE = [
    ("/api/v1/", RootSerializer),
    ("/api/v1/locales/", LocaleSerializer),
    ("/api/v1/clinic/", ClinicProfileSerializer),
]
ENDPOINT_IDS = [list_path.split("/")[3] for list_path, *_ in ENDPOINTS]


def component(serializer: type[serializers.Serializer]) -> str:
    """The schema component drf-spectacular names after a serializer class."""
    return "#/components/schemas/" + serializer.__name__.removesuffix("Serializer")


def undocumented_values(field, value, path: str = "$") -> list[str]:
    """What equality after rendering cannot see: a null where the field is not
    nullable (DRF passes None through any field), a value outside a documented
    enum, a date-time that is not ISO 8601 UTC."""
    if value is None:
        return [] if field.allow_null else [f"{path}: null"]
    if isinstance(field, serializers.ListSerializer):
        return [
            problem
            for i, item in enumerate(value)
            for problem in undocumented_values(field.child, item, f"{path}[{i}]")
        ]
    if isinstance(field, serializers.ListField):
        return [
            problem
            for i, item in enumerate(value)
            for problem in undocumented_values(field.child, item, f"{path}[{i}]")
        ]
    if isinstance(field, BlockField):
        block = BLOCK_SERIALIZERS[value["kind"]]()
        return undocumented_values(block, value, path)
    if isinstance(field, serializers.Serializer):
        return [
            problem
            for name, child in field.fields.items()
            if name in value
            for problem in undocumented_values(child, value[name], f"{path}.{name}")
        ]
    if isinstance(field, serializers.ChoiceField) and value not in field.choices:
        return [f"{path}: {value!r} not in {sorted(field.choices)}"]
    if isinstance(field, serializers.DateTimeField):
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if not value.endswith("Z") or parsed.microsecond:
            return [f"{path}: {value!r} is not whole seconds in UTC"]
    if isinstance(field, serializers.DateField):
        dt.date.fromisoformat(value)
    return []


def assert_documented(serializer: type[serializers.Serializer], body, **kwargs):
    assert serializer(body, **kwargs).data == body
    assert undocumented_values(serializer(**kwargs), body) == []


@pytest.fixture(scope="module")
def openapi() -> dict:
    """The schema /api/v1/schema/ serves (generated from the code alone)."""
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("list_path", "item", "detail_path", "detail"), ENDPOINTS, ids=ENDPOINT_IDS
)
def test_mapping_names_the_components_the_schema_documents(
    openapi, list_path, item, detail_path, detail
):
    page = openapi["paths"][list_path]["get"]["responses"]["200"]
    envelope = page["content"]["application/json"]["schema"]["$ref"]
    name = envelope.removeprefix("#/components/schemas/")
    results = openapi["components"]["schemas"][name]["properties"]["results"]
    assert results["items"]["$ref"] == component(item)
    if detail_path:
        one = openapi["paths"][detail_path]["get"]["responses"]["200"]
        assert one["content"]["application/json"]["schema"]["$ref"] == component(detail)


@pytest.mark.parametrize(("path", "serializer"), SINGLE)
def test_single_object_mapping_names_the_documented_component(
    openapi, path, serializer
):
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    schema = schema.get("items", schema)
    assert schema["$ref"] == component(serializer)


def test_every_block_kind_has_a_documented_serializer_including_faq():
    from content.models import ArticleBlock

    assert set(BLOCK_SERIALIZERS) == set(ArticleBlock.Kind.values)
    assert BLOCK_SERIALIZERS["faq"] is FAQBlockSerializer


def envelope_fields(item) -> set[str]:
    return set(paginated(item)().fields)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("list_path", "item", "detail_path", "detail"), ENDPOINTS, ids=ENDPOINT_IDS
)
def test_list_and_detail_bodies_are_exactly_their_documented_shape(
    api, demo, locale, list_path, item, detail_path, detail
):
    page = api(list_path, locale=locale, page_size="100")
    assert page.status == 200

    assert set(page.body) == envelope_fields(item)
    assert_documented(paginated(item), page.body)
    for result in page.body["results"]:
        assert_documented(item, result)

    if detail_path is None:
        return
    for result in page.body["results"]:
        one = api(detail_path.replace("{slug}", result["slug"]), locale=locale)
        assert one.status == 200
        assert_documented(detail, one.body)
        # A detail is the summary and more.
        assert set(result) <= set(one.body)
        assert {k: one.body[k] for k in result} == result


@pytest.mark.parametrize(
    ("list_path", "item", "detail_path", "detail"), ENDPOINTS, ids=ENDPOINT_IDS
)
def test_every_endpoint_has_demo_objects_to_check(
    api, demo, list_path, item, detail_path, detail
):
    # Guards the test above against passing on empty lists.
    counts = {locale: api(list_path, locale=locale).body["count"] for locale in LOCALES}

    assert all(counts[code] > 0 for code in ("en", "ko", "ja")), counts


def test_article_blocks_are_each_their_kinds_documented_shape(api, demo):
    kinds = set()
    for locale in ("en", "ko", "ja"):
        article = api("/api/v1/articles/mouth-corner-asymmetry/", locale="en")
        slug = next(
            a["slug"]
            for a in article.body["alternates"]["languages"]
            if a["locale"] == locale
        )
        body = api(f"/api/v1/articles/{slug}/", locale=locale).body
        for block in body["blocks"]:
            serializer = BLOCK_SERIALIZERS[block["kind"]]
            assert_documented(serializer, block)
            kinds.add(block["kind"])

    # Every registered kind, the FAQ app's included, was checked on real content.
    assert kinds == set(BLOCK_SERIALIZERS)


@pytest.mark.parametrize("locale", LOCALES)
def test_clinic_profile_is_exactly_its_documented_shape(api, demo, locale):
    response = api("/api/v1/clinic/", locale=locale)

    if locale == "zh-hans":
        assert response.status == 404
        return
    assert response.status == 200
    assert_documented(ClinicProfileSerializer, response.body)
    assert response.body["trust_points"] is not None
    assert response.body["care_system"] is not None


def test_root_is_exactly_its_documented_shape(api, db):
    assert_documented(RootSerializer, api("/api/v1/").body)


def test_locales_are_exactly_their_documented_shape(api, demo):
    body = api("/api/v1/locales/").body

    assert [entry["code"] for entry in body] == LOCALES
    assert_documented(LocaleSerializer, body, many=True)


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
