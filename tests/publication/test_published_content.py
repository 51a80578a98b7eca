"""The content types built from published versions (content/published.py): what
an article shows of the objects it embeds, and what reading them costs. That the
API serves the demo from its versions byte for byte as before is the golden
files' proof (tests/api/test_golden.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content import published as content_published
from content import serializers
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
SERIALIZERS = {
    Method: serializers.MethodDetailSerializer,
    Comparison: serializers.ComparisonDetailSerializer,
    Aftercare: serializers.AftercareDetailSerializer,
    ItemList: serializers.ItemListDetailSerializer,
    CauseType: serializers.CauseTypeDetailSerializer,
    Article: serializers.ArticleDetailSerializer,
}


def detail(published: Published, model, pk: int, code: str) -> dict:
    """The detail as the API renders it."""
    shown = content_published.detail(published, model, pk, code)
    return SERIALIZERS[model]().to_representation(shown)


def test_the_demo_shows_every_type_in_most_locales(demo):
    """Every type has visible objects in every locale but a few, so the golden
    files hold real documents of each."""
    published = Published()
    for model in TYPES:
        shown = [code for code in LANGUAGE_CODES if published.visible(model, code)]
        assert len(shown) >= 3, model


def test_publishing_an_article_does_not_publish_an_edited_embedded_comparison(demo):
    article = Article.objects.get()
    comparison = Comparison.objects.get()
    before = detail(Published(), Article, article.pk, "ko")
    comparison.conclusion_ko = "<p>아직 게시하지 않은 결론</p>"
    comparison.save()
    article.publish("ko")
    after = detail(Published(), Article, article.pk, "ko")
    assert "아직 게시하지 않은 결론" not in json.dumps(after, ensure_ascii=False)
    assert after["blocks"] == before["blocks"]
    comparison.publish("ko")
    republished = detail(Published(), Article, article.pk, "ko")
    assert "아직 게시하지 않은 결론" in json.dumps(republished, ensure_ascii=False)


def detail_queries(model, pk: int, code: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        detail(Published(), model, pk, code)
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
    shown = detail(Published(), Article, article.pk, "ko")
    assert sum(len(b.get("cause_types", [])) for b in shown["blocks"]) >= 10
    assert after == before


def test_a_scheduled_article_appears_when_its_time_comes(demo, client):
    """A version visible from a later time is not served now, and is read as
    visible at that time."""
    article = Article.objects.get()
    later = timezone.now() + dt.timedelta(hours=1)
    article.versions.update(visible_from=later)
    response = client.get(f"/api/v1/articles/{article.slug_en}/", {"locale": "en"})
    assert response.status_code == 404

    shown = detail(
        Published(at=later + dt.timedelta(seconds=1)), Article, article.pk, "en"
    )
    assert shown["title"] == article.title_en
    assert shown["blocks"]
