"""Every content type built from published versions is what the API serves today:
for the demo, in every locale, every list and every detail (articles with all
their embedded blocks, the clinic profile) are equal (docs/publishing.md)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.registry import public_types
from content import published as content_published
from content.models import (
    Aftercare,
    Article,
    CauseType,
    Comparison,
    ItemList,
    Method,
)
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES
from publication.published import Published
from tests.factories import CauseTypeFactory, FAQItemFactory

pytestmark = pytest.mark.django_db

TYPES = [Method, Comparison, Aftercare, ItemList, CauseType, Article]


def api(client, path: str, code: str, **params):
    response = client.get(path, {"locale": code, **params})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def public_type(model):
    return next(t for t in public_types() if t.model is model)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
@pytest.mark.parametrize("model", TYPES, ids=lambda m: m.__name__)
def test_lists_from_versions_are_the_api_lists(demo, client, model, code):
    path = reverse(public_type(model).list_route)
    served = api(client, path, code, page_size=100)["results"]
    assert content_published.summaries(Published(), model, code) == served


@pytest.mark.parametrize("code", LANGUAGE_CODES)
@pytest.mark.parametrize("model", TYPES, ids=lambda m: m.__name__)
def test_details_from_versions_are_the_api_details(demo, client, model, code):
    published = Published()
    pks = published.visible(model, code)
    for pk in pks:
        slug = published.version(model, pk, code).slug
        path = reverse(public_type(model).detail_route, args=[slug])
        served = api(client, path, code)
        assert content_published.detail(published, model, pk, code) == served


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_clinic_profile_from_versions_is_the_api_profile(demo, client, code):
    response = client.get("/api/v1/clinic/", {"locale": code})
    expected = json.loads(response.content) if response.status_code == 200 else None
    assert content_published.clinic_profile(Published(), code) == expected


def test_the_comparisons_above_compare_something(demo):
    """Every type has visible objects in every locale but a few, so the detail
    tests above compare real documents."""
    published = Published()
    for model in TYPES:
        shown = [code for code in LANGUAGE_CODES if published.visible(model, code)]
        assert len(shown) >= 3, model


def test_publishing_an_article_does_not_publish_an_edited_embedded_comparison(demo):
    article = Article.objects.get()
    comparison = Comparison.objects.get()
    before = content_published.detail(Published(), Article, article.pk, "ko")
    comparison.conclusion_ko = "<p>아직 게시하지 않은 결론</p>"
    comparison.save()
    article.publish("ko")
    after = content_published.detail(Published(), Article, article.pk, "ko")
    assert "아직 게시하지 않은 결론" not in json.dumps(after, ensure_ascii=False)
    assert after["blocks"] == before["blocks"]
    comparison.publish("ko")
    republished = content_published.detail(Published(), Article, article.pk, "ko")
    assert "아직 게시하지 않은 결론" in json.dumps(republished, ensure_ascii=False)


def detail_queries(model, pk: int, code: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        content_published.detail(Published(), model, pk, code)
    return len(queries)


def test_the_article_from_versions_reads_the_same_queries_whatever_it_shows(demo):
    """Versions are read per type in bulk: ten more cause types (each listing
    every method) and ten more FAQ items on the article add no query."""
    article = Article.objects.get()
    # Once first: the content types' cache, which another test may have cleared.
    detail_queries(Article, article.pk, "ko")
    before = detail_queries(Article, article.pk, "ko")
    methods = list(Method.objects.filter(published_ko=True))
    category = FAQItem.objects.filter(published_ko=True).first().category
    for _ in range(10):
        cause_type = CauseTypeFactory()
        cause_type.methods.set(methods)
        cause_type.publish("ko")
        item = FAQItemFactory(category=category)
        item.articles.set([article])
        item.publish("ko")
    after = detail_queries(Article, article.pk, "ko")
    shown = content_published.detail(Published(), Article, article.pk, "ko")
    assert sum(len(b.get("cause_types", [])) for b in shown["blocks"]) >= 10
    assert after == before
