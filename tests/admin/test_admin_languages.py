"""Content in some languages only, and the messages editors get for the database's
rules, through real admin submissions (Korean and English admin)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from faq.models import FAQItem
from tests.factories import (
    FAQCategoryFactory,
    FAQItemFactory,
)

pytestmark = pytest.mark.django_db

ADD_FAQ_ITEM = "admin:faq_faqitem_add"


@pytest.fixture(autouse=True)
def _language_restored():
    """The admin's LocaleMiddleware leaves the editor's language (Korean here) active
    in the thread; the tests that run next expect the one they started with."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.mark.parametrize("admin_language", ["ko", "en"])
def test_a_korea_only_faq_item_is_added_in_the_admin_and_shown_in_korean_only(
    admin_client, form_reader, admin_language
):
    category = FAQCategoryFactory(name_en="Lips", name_ko="입술")
    url = reverse(ADD_FAQ_ITEM)
    headers = {"HTTP_ACCEPT_LANGUAGE": admin_language}
    data = form_reader(admin_client.get(url, **headers), "faqitem_form")
    data["category"] = [str(category.pk)]
    data["question_ko"] = ["주말에도 상담이 가능한가요?"]
    data["answer_ko"] = ["<p>토요일 오전에 상담합니다.</p>"]

    response = admin_client.post(url, data, **headers)

    assert response.status_code == 302, response.context["adminform"].form.errors
    item = FAQItem.objects.get()
    published = admin_client.post(
        reverse("admin:faq_faqitem_publication", args=[item.pk]),
        {"publish": "ko"},
        **headers,
    )
    assert published.status_code == 302
    item.refresh_from_db()
    assert item.published_languages == ["ko"]
    assert item.question_en in ("", None)
    korean = admin_client.get("/api/v1/faq-items/", {"locale": "ko"}).json()
    assert [i["question"] for i in korean["results"]] == ["주말에도 상담이 가능한가요?"]
    english = admin_client.get("/api/v1/faq-items/", {"locale": "en"}).json()
    assert english["results"] == []
    assert (
        admin_client.get(
            f"/api/v1/faq-items/{item.slug_ko}/", {"locale": "en"}
        ).status_code
        == 404
    )


def test_a_faq_item_with_no_text_in_any_language_is_saved_as_a_draft(
    admin_client, form_reader
):
    category = FAQCategoryFactory()
    url = reverse(ADD_FAQ_ITEM)
    data = form_reader(admin_client.get(url), "faqitem_form")
    data["category"] = [str(category.pk)]

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert FAQItem.objects.get().published_languages == []


def test_a_korea_only_faq_item_cannot_be_published_in_english(
    admin_client, form_reader
):
    category = FAQCategoryFactory()
    url = reverse(ADD_FAQ_ITEM)
    data = form_reader(admin_client.get(url), "faqitem_form")
    data["category"] = [str(category.pk)]
    data["question_ko"] = ["주말에도 상담이 가능한가요?"]
    data["answer_ko"] = ["<p>토요일 오전에 상담합니다.</p>"]
    assert admin_client.post(url, data, follow=True).redirect_chain
    item = FAQItem.objects.get()

    response = admin_client.post(
        reverse("admin:faq_faqitem_publication", args=[item.pk]),
        {"publish": "en"},
        follow=True,
    )

    nothing, refusal = [m.message for m in response.context["messages"]]
    assert nothing == "Nothing was published."
    assert refusal.startswith("Cannot publish in English: it is not complete.")
    item.refresh_from_db()
    assert item.published_languages == []


def test_a_duplicate_slug_is_an_error_on_the_slug_field_in_korean(
    admin_client, form_reader
):
    taken = FAQItemFactory(slug_ko="주말-상담")
    url = reverse(ADD_FAQ_ITEM)
    korean = {"HTTP_ACCEPT_LANGUAGE": "ko"}
    data = form_reader(admin_client.get(url, **korean), "faqitem_form")
    data["category"] = [str(taken.category.pk)]
    data["question_ko"] = ["주말에도 상담이 가능한가요?"]
    data["answer_ko"] = ["<p>토요일 오전에 상담합니다.</p>"]
    data["slug_ko"] = ["주말-상담"]

    response = admin_client.post(url, data, **korean)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {
        "slug_ko": ["이 언어에서 이미 쓰이는 슬러그입니다. 다른 슬러그를 입력하세요."]
    }
    page = response.content.decode()
    assert "faq_item_unique_slug" not in page
    assert "이미 쓰이는 슬러그" in page
    assert FAQItem.objects.count() == 1


def test_a_korea_only_faq_item_is_named_in_korean_in_the_english_admin(admin_client):
    item = FAQItemFactory(question_en="", answer_en="", question_ko="주말 상담?")

    response = admin_client.get(
        reverse("admin:faq_faqitem_change", args=[item.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert str(item) == "주말 상담?"
    assert item.describe() == "FAQ item “주말 상담?”"
    assert "<h2>주말 상담?</h2>" in response.content.decode()
