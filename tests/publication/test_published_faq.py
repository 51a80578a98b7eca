"""The FAQ built from published versions (faq/published.py): edits stay out of it
until published, and its filters over versions match the relational ones."""

from __future__ import annotations

import json

import pytest

from content.models import Article, CauseType, Method
from faq import published as faq_published
from faq.models import FAQItem
from faq.search import search_words
from faq.serializers import FAQItemSummarySerializer
from publication.languages import LANGUAGE_CODES, column
from publication.published import Published

pytestmark = pytest.mark.django_db


def api(client, path: str, code: str, **params):
    response = client.get(path, {"locale": code, **params})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_an_unpublished_edit_shows_nowhere_until_it_is_published(demo, client):
    """The working copy holds the edit; the list, the detail and the versions do
    not, until the item is published again."""
    item = FAQItem.objects.filter(published_en=True).order_by("pk").first()
    item.question_en = "Edited, not published?"
    item.save()
    detail = f"/api/v1/faq-items/{item.slug_en}/"
    for served in (
        api(client, "/api/v1/faq-items/", "en", page_size=100),
        api(client, detail, "en"),
        summaries(Published(), "en"),
    ):
        assert "Edited, not published?" not in json.dumps(served)
    item.publish("en")
    for served in (
        api(client, "/api/v1/faq-items/", "en", page_size=100),
        api(client, detail, "en"),
    ):
        assert "Edited, not published?" in json.dumps(served)


def summaries(published: Published, code: str) -> list[dict]:
    """Every visible item of ``code`` as the list renders it."""
    items = faq_published.items(published, code)
    return FAQItemSummarySerializer(many=True).to_representation(items)


def relational(code: str, **params: str) -> list[int]:
    """The items the working copy matches with the FAQ list's filters, for the
    demo (where the working copy is what is published): an oracle over the
    relations, independent of the versions' snapshots and refs."""
    slug = column("slug", code)
    rows = FAQItem.objects.published(code)
    if params.get("category"):
        rows = rows.filter(**{"category__" + slug: params["category"]})
    for name, model, relation in (
        ("cause_type", CauseType, "cause_types"),
        ("method", Method, "methods"),
        ("article", Article, "articles"),
    ):
        if params.get(name):
            visible = model.objects.published(code).filter(**{slug: params[name]})
            rows = rows.filter(**{f"{relation}__in": visible.values("pk")})
    for word in search_words(params.get("search") or ""):
        rows = rows.filter(**{column("search_text", code) + "__contains": word})
    return list(rows.order_by("position", "pk").values_list("pk", flat=True))


def filters_of_the_demo(published: Published, code: str) -> list[dict]:
    """Every filter value the demo offers in ``code``, and a few searches."""
    found = [{}]
    for item in summaries(published, code):
        found.append({"category": item["category"]["slug"]})
        found.append({"search": item["question"].split()[0]})
        found.append({"search": " ".join(item["question"].split()[:2])})
    for name, model in (
        ("cause_type", CauseType),
        ("method", Method),
        ("article", Article),
    ):
        for pk in published.visible(model, code):
            found.append({name: published.version(model, pk, code).slug})
    found += [
        {"category": "no-such-slug"},
        {"method": "no-such-slug"},
        {"search": "zzzz"},
    ]
    return found


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_every_filter_and_search_over_versions_is_the_relational_one(demo, code):
    """The filters over versions (the category in the snapshot, references in
    ``refs``, words in ``search_text``) match what the relational filters over
    the working copy match, for the demo, where the two hold the same content."""
    published = Published()
    filters = filters_of_the_demo(published, code)
    assert len(filters) > 10
    matched = 0
    for params in filters:
        expected = relational(code, **params)
        assert list(faq_published.filtered_items(published, code, **params)) == (
            expected
        ), params
        matched += bool(expected)
    assert matched > len(filters) // 2
