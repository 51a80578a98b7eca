"""An editor's save is never refused for publication reasons (docs/publishing.md,
decision 1): the change form saves the working copy even where it leaves a
published language incomplete; readers keep the published version, and the
publication panel refuses to publish that language again, naming what is missing."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.urls import reverse

from faq.models import FAQItem
from publication.models import empty_in
from tests.conftest import fresh
from tests.content.served import detail, unchanged_for_readers

pytestmark = pytest.mark.django_db


def admin_url(obj, page: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in response.context["messages"]]


def panel_row(response, code: str) -> dict:
    [row] = [
        row
        for row in response.context["publication_panel"]["rows"]
        if row["code"] == code
    ]
    return row


def test_emptying_the_korean_answer_of_a_published_faq_item_keeps_what_readers_see(
    demo, admin_client, client, form_reader
):
    item = FAQItem.objects.filter(published_ko=True).order_by("pk").first()
    answer = detail(client, item, "ko")["answer"]
    assert answer
    data = form_reader(admin_client.get(admin_url(item, "change")), "faqitem_form")
    data["answer_ko"] = [""]

    with unchanged_for_readers(client, item):
        response = admin_client.post(admin_url(item, "change"), data)
        refusal = admin_client.post(
            admin_url(item, "publication"), {"publish": "ko"}, follow=True
        )

    assert response.status_code == 302
    item = fresh(item)
    assert empty_in(item, "answer", "ko")
    assert not item.complete_ko
    assert "ko" in item.published_languages
    assert detail(client, item, "ko")["answer"] == answer
    [(saved, _message), *refused] = messages_of(refusal)
    assert saved == constants.SUCCESS
    assert refused == [
        (constants.ERROR, "Nothing was published."),
        (
            constants.ERROR,
            "Cannot publish in Korean: it is not complete. Missing in Korean: answer.",
        ),
    ]
    assert panel_row(refusal, "ko")["state"] == "published — changed since published"
    assert panel_row(refusal, "ko")["missing"] == ["answer"]


def test_the_korean_answer_written_again_is_published_from_the_panel(
    demo, admin_client, client, form_reader
):
    item = FAQItem.objects.filter(published_ko=True).order_by("pk").first()
    change = admin_url(item, "change")
    data = form_reader(admin_client.get(change), "faqitem_form")
    data["answer_ko"] = [""]
    assert admin_client.post(change, data).status_code == 302
    data = form_reader(admin_client.get(change), "faqitem_form")
    data["answer_ko"] = ["<p>다시 쓴 답변입니다.</p>"]
    assert admin_client.post(change, data).status_code == 302

    published = admin_client.post(
        admin_url(item, "publication"), {"publish": "ko"}, follow=True
    )

    assert messages_of(published)[-1] == (constants.SUCCESS, "Published in Korean.")
    assert fresh(item).complete_ko
    assert detail(client, item, "ko")["answer"] == "<p>다시 쓴 답변입니다.</p>"
