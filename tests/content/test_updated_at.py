"""``updated_at``: what the API serves as an object's last change (and the sitemap's
time). It moves when the object, one of its parts, something it embeds or one of its
links changes in a way a public response shows, and stays put when a save changes
nothing or changes only a draft (a language nobody publishes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from content.models import Article
from tests.conftest import fresh
from tests.factories import (
    ArticleBlockFactory,
    ArticleFactory,
    FAQItemFactory,
    ListItemFactory,
    comparison_grid,
    item_list_with_items,
)

LONG_AGO = timezone.now() - dt.timedelta(days=30)


def age(*objects) -> None:
    """Pretend the objects were last changed long ago."""
    for obj in objects:
        type(obj)._default_manager.filter(pk=obj.pk).update(updated_at=LONG_AGO)


@pytest.fixture
def article_with_comparison(db):
    grid = comparison_grid(methods=2, criteria=2, published=("en",))
    article = ArticleFactory()
    ArticleBlockFactory(article=article, kind="comparison", comparison=grid.comparison)
    article.publish("en")
    age(article, grid.comparison, *grid.methods)
    return article, grid


def test_a_save_that_changes_nothing_keeps_updated_at(article_with_comparison):
    article, _grid = article_with_comparison

    fresh(article).save()

    assert fresh(article).updated_at == LONG_AGO


def test_editing_a_published_field_moves_updated_at(article_with_comparison):
    article, _grid = article_with_comparison
    article = fresh(article)
    article.title_en = "A new title"

    article.save()

    assert fresh(article).updated_at > LONG_AGO


def test_editing_an_unpublished_translation_keeps_updated_at(article_with_comparison):
    # Published in en only: the Korean title is a draft no response shows.
    article, _grid = article_with_comparison
    article = fresh(article)
    article.title_ko = "새 제목"

    article.save()

    assert fresh(article).updated_at == LONG_AGO
    assert fresh(article).title_ko == "새 제목"


def test_editing_a_draft_keeps_updated_at(db):
    article = ArticleFactory()
    age(article)
    article = fresh(article)
    article.title_en = "Still a draft"

    article.save()

    assert fresh(article).updated_at == LONG_AGO


def test_editing_a_part_moves_its_owner(db):
    item_list = item_list_with_items(items=1, published=("en",))
    age(item_list)

    ListItemFactory(item_list=item_list, position=5)

    assert fresh(item_list).updated_at > LONG_AGO


def test_a_methods_fact_moves_the_comparison_and_the_article_that_embeds_it(
    article_with_comparison,
):
    article, grid = article_with_comparison
    fact = grid.fact(grid.methods[0], grid.criteria[0])
    fact.text_en = "New text"

    fact.save()

    assert fresh(grid.methods[0]).updated_at > LONG_AGO
    assert fresh(grid.comparison).updated_at > LONG_AGO
    assert fresh(article).updated_at > LONG_AGO
    assert fresh(grid.methods[1]).updated_at == LONG_AGO


def test_a_facts_unpublished_translation_moves_nothing(article_with_comparison):
    article, grid = article_with_comparison
    fact = grid.fact(grid.methods[0], grid.criteria[0])
    fact.text_ja = "新しい"

    fact.save()

    assert fresh(grid.methods[0]).updated_at == LONG_AGO
    assert fresh(grid.comparison).updated_at == LONG_AGO
    assert fresh(article).updated_at == LONG_AGO


def test_linking_drafts_moves_neither(db):
    article = ArticleFactory()
    item = FAQItemFactory()
    age(article, item)

    item.articles.add(article)

    assert fresh(article).updated_at == LONG_AGO
    assert fresh(item).updated_at == LONG_AGO


def test_linking_a_published_faq_item_to_an_article_moves_both(db):
    article = ArticleFactory()
    item = FAQItemFactory()
    item.publish("en")
    age(article, item)

    item.articles.add(article)

    assert fresh(article).updated_at > LONG_AGO
    assert fresh(item).updated_at > LONG_AGO


def test_publishing_moves_updated_at(db):
    article = ArticleFactory()
    age(article)

    Article.objects.get(pk=article.pk).publish("ko")

    assert fresh(article).updated_at > LONG_AGO


def test_publishing_an_edited_faq_item_moves_the_articles_that_show_it(db):
    article = ArticleFactory()
    article.publish("en")
    item = FAQItemFactory()
    item.publish("en")
    item.articles.add(article)
    age(article, item)
    item = fresh(item)
    item.question_en = "A new question?"
    item.save()
    shown_since = article.versions.get(locale="en").updated_at

    item.publish("en")

    # What readers see of the article (its FAQ block) changed: its time moves.
    assert article.versions.get(locale="en").updated_at > shown_since
