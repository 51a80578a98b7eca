"""The FAQ built from published versions is the FAQ the API serves today: for the
demo, in every locale, the list and every detail are equal (the net under the
switch of the read path to published versions, docs/publishing.md)."""

from __future__ import annotations

import json

import pytest

from content.models import Article, CauseType, Method
from faq import published as faq_published
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES
from publication.published import Published

pytestmark = pytest.mark.django_db


def api(client, path: str, code: str, **params):
    response = client.get(path, {"locale": code, **params})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_faq_list_from_versions_is_the_api_list(demo, client, code):
    served = api(client, "/api/v1/faq-items/", code, page_size=100)["results"]
    assert served
    assert faq_published.item_summaries(Published(), code) == served


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_every_faq_detail_from_versions_is_the_api_detail(demo, client, code):
    published = Published()
    pks = published.visible(FAQItem, code)
    assert pks
    for pk in pks:
        slug = published.version(FAQItem, pk, code).slug
        served = api(client, f"/api/v1/faq-items/{slug}/", code)
        assert faq_published.item_detail(published, pk, code) == served


def test_an_unpublished_edit_shows_in_the_api_but_not_in_the_versions(demo, client):
    """Today's read path serves the working copy; the versions keep what was
    published. (When the read path switches, this test turns around.)"""
    item = FAQItem.objects.filter(published_en=True).order_by("pk").first()
    item.question_en = "Edited, not published?"
    item.save()
    summaries = faq_published.item_summaries(Published(), "en")
    assert "Edited, not published?" not in json.dumps(summaries)
    served = api(client, "/api/v1/faq-items/", "en", page_size=100)["results"]
    assert "Edited, not published?" in json.dumps(served)


def filters_of_the_demo(published: Published, code: str) -> list[dict]:
    """Every filter value the demo offers in ``code``, and a few searches."""
    found = [{}]
    for item in faq_published.item_summaries(published, code):
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
def test_every_filter_and_search_from_versions_is_the_api_list(demo, client, code):
    published = Published()
    filters = filters_of_the_demo(published, code)
    assert len(filters) > 10
    matched = 0
    for params in filters:
        served = api(client, "/api/v1/faq-items/", code, page_size=100, **params)
        pks = faq_published.filtered_items(published, code, **params)
        mine = faq_published.item_summaries(published, code, [row["pk"] for row in pks])
        assert mine == served["results"], params
        matched += bool(mine)
    assert matched > len(filters) // 2
