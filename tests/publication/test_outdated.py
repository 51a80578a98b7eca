"""Outdated translations (publication/outdated.py): a translation written against
one English text is outdated once the English changes, per field and per part,
until it is updated or confirmed."""

from __future__ import annotations

import pytest

from content.models import Article, ArticleBlock
from faq.models import FAQItem
from publication import outdated
from publication.languages import LANGUAGE_CODES
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

OTHERS = [code for code in LANGUAGE_CODES if code != "en"]


def outdated_fields(obj, parts=()) -> dict[str, list[tuple[str, str]]]:
    """Per language: (object's describe or model name, field) of each outdated
    translation."""
    found = outdated.outdated_in(obj, parts)
    return {
        code: [(type(o.obj).__name__, o.field) for o in items]
        for code, items in found.items()
        if items
    }


def filtered(model, code: str) -> list[int]:
    return sorted(
        model.objects.filter(outdated.outdated_q(model, code)).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def item(demo) -> FAQItem:
    """The third FAQ item, published in every language."""
    item = FAQItem.objects.order_by("position")[2]
    assert item.published_languages == list(LANGUAGE_CODES)
    return item


def test_rewriting_an_english_answer_marks_that_field_outdated_in_every_other_language(
    item,
):
    assert outdated_fields(item) == {}
    old_answer = item.answer_en

    item.answer_en = "<p>Rewritten: the swelling lasts about ten days.</p>"
    item.save()

    assert outdated_fields(item) == {code: [("FAQItem", "answer")] for code in OTHERS}
    for code in OTHERS:
        assert filtered(FAQItem, code) == [item.pk]
    assert outdated.outdated_counts(FAQItem) == dict.fromkeys(OTHERS, 1)
    ko = outdated.outdated_in(item)["ko"][0]
    assert (ko.old, ko.new) == (old_answer, item.answer_en)
    diff = ko.diff_html()
    assert "<ins>about ten days.</ins>" in diff
    assert "<ins>Rewritten:" in diff
    assert "<del>It varies widely by method and type." in diff
    # Nothing is unpublished.
    assert fresh(item).published_languages == list(LANGUAGE_CODES)


def test_updating_or_confirming_a_translation_clears_it_in_that_language_only(item):
    item.answer_en = "<p>Rewritten.</p>"
    item.save()

    item = fresh(item)
    item.answer_ko = "<p>다시 썼습니다.</p>"
    item.save()
    assert outdated.confirm(item, "answer", "ja") is True
    assert outdated.confirm(item, "answer", "ja") is False

    assert outdated_fields(item) == {"zh-hans": [("FAQItem", "answer")]}
    assert filtered(FAQItem, "ko") == []
    assert filtered(FAQItem, "ja") == []
    assert filtered(FAQItem, "zh-hans") == [item.pk]
    assert outdated.outdated_counts(FAQItem) == {"ko": 0, "ja": 0, "zh-hans": 1}


def test_a_translation_written_with_its_source_is_current_and_an_empty_one_missing(
    item,
):
    item.answer_en = "<p>New English.</p>"
    item.answer_ko = "<p>새 한국어.</p>"
    item.answer_ja = ""
    item.save()

    assert outdated_fields(item) == {"zh-hans": [("FAQItem", "answer")]}


def test_a_question_left_alone_is_not_outdated_and_a_slug_never_is(item):
    item.question_en = "A new question?"
    item.slug_en = "a-new-question"
    item.save()

    assert outdated_fields(item) == {code: [("FAQItem", "question")] for code in OTHERS}


def test_a_blocks_changed_source_makes_its_article_outdated(demo):
    article = Article.objects.get()
    block = article.blocks.filter(kind=ArticleBlock.Kind.TEXT).first()

    block.body_en = "<p>A different English body.</p>"
    block.save()

    parts = list(article.parts())
    assert outdated_fields(article, parts) == {
        code: [("ArticleBlock", "body")] for code in ("ko", "ja")
    }
    assert [o.obj.pk for o in outdated.outdated_in(article, parts)["ko"]] == [block.pk]
    assert filtered(Article, "ko") == [article.pk]
    assert filtered(Article, "zh-hans") == []
    assert outdated.outdated_counts(Article) == {"ko": 1, "ja": 1, "zh-hans": 0}


def test_a_deleted_object_leaves_no_outdated_rows(item):
    item.answer_en = "<p>Rewritten.</p>"
    item.save()

    item.delete()

    assert outdated.outdated_counts(FAQItem) == dict.fromkeys(OTHERS, 0)
    assert not outdated.TranslationSource.objects.filter(object_id=item.pk).exists()


def test_a_save_that_changes_no_text_writes_no_row(item, django_assert_num_queries):
    item = fresh(item)
    rows = outdated.TranslationSource.objects.count()

    item.position = item.position + 1
    item.save()

    assert outdated.TranslationSource.objects.count() == rows
