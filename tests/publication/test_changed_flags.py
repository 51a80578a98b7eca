"""The stored "changed since published" flags (``changed_<code>``): true exactly
where an object has a published version and its working copy differs from it, kept
up to date by every save of the object, of its parts and labels, by its links, and
by every version stored or dropped (publication/models.py)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from content.models import Article, Comparison, Criterion, Method
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES
from publication.models import (
    PublishedVersion,
    changed_field,
    publishable_models,
    sync_versions,
)
from tests.conftest import fresh
from tests.factories import (
    ArticleFactory,
    FAQCategoryFactory,
    FAQItemFactory,
    ListItemFactory,
    item_list_with_items,
)

pytestmark = pytest.mark.django_db


def changed(obj) -> list[str]:
    """The languages the stored row says changed since published."""
    row = fresh(obj)
    return [code for code in LANGUAGE_CODES if getattr(row, changed_field(code))]


def published_item(*codes: str) -> FAQItem:
    item = FAQItemFactory()
    for code in codes:
        item.publish(code)
    return fresh(item)


def test_nothing_in_the_demo_has_changed_since_it_was_published(demo):
    flagged = [
        (obj, changed(obj))
        for model in publishable_models()
        for obj in model.objects.all()
        if changed(obj)
    ]
    assert flagged == []


def test_a_published_object_has_not_changed_since():
    item = published_item("en", "ko")

    assert changed(item) == []


def test_an_edit_in_korean_flags_korean_only():
    item = published_item("en", "ko", "ja")

    item.answer_ko = "<p>새 답변입니다.</p>"
    item.save()

    assert changed(item) == ["ko"]


def test_an_edit_of_a_language_not_published_flags_nothing():
    item = published_item("en")

    item.answer_ko = "<p>아직 게시하지 않은 번역</p>"
    item.save()

    assert changed(item) == []


def test_an_edit_of_a_field_every_language_shares_flags_every_published_one():
    item = published_item("en", "ko")

    item.category = FAQCategoryFactory()
    item.save()

    assert changed(item) == ["en", "ko"]


def test_writing_the_published_text_back_clears_the_flag():
    item = published_item("ko")
    published = item.answer_ko
    item.answer_ko = "<p>잠깐 바꾼 답변</p>"
    item.save()
    assert changed(item) == ["ko"]

    item.answer_ko = published
    item.save()

    assert changed(item) == []


def test_republishing_clears_the_flag_of_that_language_only():
    item = published_item("en", "ko")
    item.answer_en = "<p>A new answer.</p>"
    item.answer_ko = "<p>새 답변</p>"
    item.save()
    assert changed(item) == ["en", "ko"]

    fresh(item).publish("ko")

    assert changed(item) == ["en"]


def test_unpublishing_clears_the_flag():
    item = published_item("en", "ko")
    item.answer_ko = "<p>새 답변</p>"
    item.save()

    fresh(item).unpublish("ko")

    assert changed(item) == []


def test_a_part_edit_flags_its_root():
    article = ArticleFactory()
    article.publish("en")
    article.publish("ko")
    block = article.blocks.create(
        kind="text", position=1, body_en="<p>Why</p>", body_ko="<p>이유</p>"
    )
    assert changed(article) == ["en", "ko"], "a new block is a change"
    fresh(article).publish("en")
    fresh(article).publish("ko")
    assert changed(article) == []

    block.body_ko = "<p>새 문단</p>"
    block.save()

    assert changed(article) == ["ko"]


def test_a_list_item_edit_flags_its_list_and_a_delete_too():
    item_list = item_list_with_items(items=2, published=("en", "ko"))
    first, second = item_list.items.order_by("pk")

    first.text_ko = first.text_ko + " (수정)"
    first.save()
    assert changed(item_list) == ["ko"]

    fresh(item_list).publish("ko")
    second.delete()
    assert changed(item_list) == ["en", "ko"]

    ListItemFactory(item_list=item_list, title_ko="새 항목")
    assert changed(item_list) == ["en", "ko"]


def test_a_link_added_or_removed_flags_the_object_whose_field_it_is():
    item = published_item("en", "ko")
    article = ArticleFactory()

    item.articles.add(article)
    assert changed(item) == ["en", "ko"]
    assert changed(article) == []

    # From the other side of the relation: the item's links changed back.
    article.faq_items.remove(item)
    assert changed(item) == []


def test_a_label_edit_flags_the_objects_that_show_it(demo):
    comparison = Comparison.objects.get()
    criterion = Criterion.objects.filter(comparison_rows__comparison=comparison).first()
    method = Method.objects.filter(facts__criterion=criterion).first()

    criterion.name_ja = criterion.name_ja + "（改）"
    criterion.save()

    assert changed(comparison) == ["ja"]
    assert changed(method) == ["ja"]
    assert changed(Article.objects.get()) == []


def test_sync_versions_clears_the_flag_of_a_version_it_drops():
    item = published_item("en", "ko")
    # A flag cleared past save() (a bulk update) leaves a stale version behind.
    FAQItem.objects.filter(pk=item.pk).update(published_ko=False, changed_ko=True)

    sync_versions()

    assert changed(item) == []
    assert not PublishedVersion.objects.filter(
        content_type=ContentType.objects.get_for_model(FAQItem),
        object_id=item.pk,
        locale="ko",
    ).exists()
