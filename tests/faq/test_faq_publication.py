"""Publication of FAQ items and the category label they show (faq/models.py)."""

from __future__ import annotations

import pytest

from faq.models import FAQItem
from tests.conftest import fresh, missing_in
from tests.content.served import detail, unchanged_for_readers
from tests.factories import ArticleBlockFactory, ArticleFactory, FAQItemFactory

pytestmark = pytest.mark.django_db


def test_faq_item_published_in_korean_is_visible_in_korean_only():
    item = FAQItemFactory()

    item.publish("ko")

    assert list(FAQItem.objects.published("ko")) == [item]
    assert not FAQItem.objects.published("en").exists()
    assert not FAQItem.objects.published("ja").exists()


def test_faq_item_cannot_be_published_in_ja_while_its_category_has_no_japanese_name(
    refused,
):
    item = FAQItemFactory(
        category__name_en="Mouth corner asymmetry", category__name_ja=""
    )

    with refused("Cannot publish in Japanese: it is not complete.") as messages:
        item.publish("ja")

    assert len(messages) == 1
    assert missing_in(messages[0], "Japanese") == {
        "FAQ category “Mouth corner asymmetry”: name",
        "FAQ category “Mouth corner asymmetry”: slug",
    }
    assert not fresh(item).published_ja


def test_faq_item_is_published_once_its_category_is_named_in_that_language():
    item = FAQItemFactory(category__name_ja="")
    category = item.category

    category.name_ja = "口角の非対称"
    category.save()
    item.publish("ja")

    assert list(FAQItem.objects.published("ja")) == [item]
    assert fresh(category).slug_ja == "口角の非対称"


def test_faq_item_needs_its_answer_translated(refused):
    item = FAQItemFactory(answer_ko="<p><br></p>")

    with refused("Cannot publish in Korean", "Missing in Korean: answer."):
        item.publish("ko")


def test_emptying_category_name_where_an_item_is_published_waits_for_a_new_name(
    client, refused
):
    item = FAQItemFactory(question_en="Can Botox alone correct it?")
    draft = FAQItemFactory(category=item.category)
    category = item.category
    item.publish("ko")
    name = category.name_ko

    with unchanged_for_readers(client, item):
        category.name_ko = ""
        category.save()
        with refused("Cannot publish in Korean: it is not complete.") as messages:
            fresh(item).publish("ko")

    assert missing_in(messages[0], "Korean") == {
        f"FAQ category “{category.name_en}”: name"
    }
    assert fresh(category).name_ko == ""
    assert not fresh(item).complete_ko
    assert not fresh(draft).complete_ko
    assert detail(client, item, "ko")["category"]["name"] == name
    category.name_ko = "입꼬리 비대칭 교정"
    category.save()
    fresh(item).publish("ko")
    assert detail(client, item, "ko")["category"]["name"] == "입꼬리 비대칭 교정"


def test_category_name_can_be_emptied_where_none_of_its_items_is_published():
    item = FAQItemFactory()
    item.publish("ko")
    category = item.category

    category.name_ja = ""
    category.save()

    assert fresh(category).name_ja == ""
    assert fresh(item).published_languages == ["ko"]
    assert not fresh(item).complete_ja


def test_emptying_the_question_of_a_published_item_waits_for_a_new_question(
    client, refused
):
    item = FAQItemFactory()
    item.publish("ja")
    question = item.question_ja

    with unchanged_for_readers(client, item):
        item.question_ja = ""
        item.save()
        with refused("Cannot publish in Japanese", "Missing in Japanese: question."):
            fresh(item).publish("ja")

    assert not fresh(item).question_ja
    assert not fresh(item).complete_ja
    assert detail(client, item, "ja")["question"] == question
    item.question_ja = "ボトックスだけで治せますか？"
    item.save()
    fresh(item).publish("ja")
    assert detail(client, item, "ja")["question"] == "ボトックスだけで治せますか？"


def test_unpublished_faq_item_does_not_block_publishing_its_article():
    article = ArticleFactory()
    ArticleBlockFactory(article=article, kind="faq", heading_en="FAQ")
    item = FAQItemFactory(question_ko="")
    item.articles.add(article)

    article.publish("ko")

    assert fresh(article).published_ko
    assert not fresh(item).published_ko


def test_faq_item_can_be_unpublished_while_its_article_stays_published():
    article = ArticleFactory()
    ArticleBlockFactory(article=article, kind="faq", heading_en="FAQ")
    item = FAQItemFactory()
    item.articles.add(article)
    item.publish("ko")
    article.publish("ko")

    item.unpublish("ko")

    assert not FAQItem.objects.published("ko").exists()
    assert fresh(article).published_ko


def test_naming_the_category_in_japanese_marks_its_draft_items_complete_there():
    item = FAQItemFactory(category__name_ja="")
    assert not fresh(item).complete_ja

    category = item.category
    category.name_ja = "口角の非対称"
    category.save()

    assert fresh(item).complete_ja


@pytest.mark.parametrize("answer", ["", "<p></p>", "<p> </p>", "<br>", "<p><br></p>"])
def test_faq_item_without_an_english_answer_cannot_be_published_in_english(
    refused, answer
):
    item = FAQItemFactory(answer_en=answer)

    with refused("Cannot publish in English", "Missing in English: answer."):
        item.publish("en")

    assert not fresh(item).published_en
    assert not fresh(item).complete_en
    assert not FAQItem.objects.published("en").exists()


def test_faq_item_without_an_english_question_cannot_be_published_in_english(
    refused,
):
    item = FAQItemFactory(question_en="")

    with refused("Cannot publish in English", "Missing in English: question"):
        item.publish("en")


def test_markup_typed_in_a_plain_text_question_is_text_not_an_empty_question():
    item = FAQItemFactory(question_en="<b></b>")

    item.publish("en")

    assert fresh(item).published_en
