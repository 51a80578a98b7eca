"""The reviewing physician is a name written per language (the article and its
JSON-LD), and, like any text set in English, needed where the article is published."""

from __future__ import annotations

import pytest
from django.test import Client

from content.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "name"), [("en", "Dr. Tak"), ("ko", "탁 원장"), ("ja", "タク院長")]
)
def test_the_demo_article_names_its_reviewer_in_the_requested_language(
    demo, code, name
):
    article = Article.objects.get()
    slug = getattr(article, f"slug_{code}")

    body = Client().get(f"/api/v1/articles/{slug}/", {"locale": code}).json()

    assert body["reviewed_by"] == name
    [page] = [
        node
        for node in body["structured_data"]["@graph"]
        if node["@type"] == "MedicalWebPage"
    ]
    assert page["reviewedBy"] == {"@type": "Person", "name": name}


def test_an_article_reviewed_in_english_needs_its_reviewer_named_in_korean(refused):
    article = ArticleFactory(reviewed_by_en="Dr. Tak")

    with refused("Cannot publish in Korean", "Missing in Korean: reviewed by."):
        article.publish("ko")

    article.reviewed_by_ko = "탁 원장"
    article.publish("ko")
    assert list(Article.objects.published("ko")) == [article]
