"""Outdated translations in the admin: the list filter with its counts, the
publication panel's list with the two English texts diffed and "Still correct",
and publishing a language with an outdated translation only once confirmed."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.urls import reverse

from faq.models import FAQItem
from publication import outdated
from tests.conftest import fresh

REWRITTEN = "<p>Rewritten: it depends on the method; ask us.</p>"


def url(obj, name: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[obj.pk])


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in response.context["messages"]]


@pytest.fixture
def item(demo) -> FAQItem:
    """A demo FAQ item published everywhere whose English answer was rewritten
    (in the working copy): its answer is outdated in ko, ja and zh-hans."""
    item = FAQItem.objects.order_by("position")[2]
    item.answer_en = REWRITTEN
    item.save()
    item.answer_ko = "<p>방법에 따라 다릅니다. 문의하세요.</p>"
    item.save()
    return fresh(item)


def test_every_list_filters_and_counts_the_outdated_translations(admin_client, item):
    response = admin_client.get(reverse("admin:faq_faqitem_changelist"))
    page = response.content.decode()
    assert "outdated in" in page
    assert "Japanese (1)" in page
    assert "Korean (0)" in page

    listed = admin_client.get(
        reverse("admin:faq_faqitem_changelist"), {"outdated_in": "ja"}
    )
    assert [obj.pk for obj in listed.context["cl"].result_list] == [item.pk]
    none = admin_client.get(
        reverse("admin:faq_faqitem_changelist"), {"outdated_in": "ko"}
    )
    assert list(none.context["cl"].result_list) == []
    # Lists of other models have the filter too.
    assert (
        "outdated in"
        in admin_client.get(
            reverse("admin:content_article_changelist")
        ).content.decode()
    )


def test_the_panel_shows_each_outdated_translation_with_the_english_diffed(
    admin_client, item
):
    response = admin_client.get(url(item, "change"))

    rows = {r["code"]: r for r in response.context["publication_panel"]["rows"]}
    assert rows["ko"]["outdated"] == []
    assert [(o["column"], o["label"]) for o in rows["ja"]["outdated"]] == [
        ("answer_ja", "answer")
    ]
    assert rows["ja"]["state"] == "published — 1 translation outdated"
    diff = rows["ja"]["outdated"][0]["diff"]
    assert "<ins>" in diff
    assert "<del>" in diff
    assert "method;" in diff
    page = response.content.decode()
    assert f'value="faq.faqitem:{item.pk}|answer|ja"' in page


def test_publishing_a_language_with_an_outdated_translation_asks_for_confirmation(
    admin_client, item
):
    published_at = item.published_version("ja").published_at

    response = admin_client.post(
        url(item, "publication"), {"publish": "ja"}, follow=True
    )

    assert messages_of(response)[0] == (constants.ERROR, "Nothing was published.")
    assert (
        "Japanese has 1 translation whose English text changed"
        in (messages_of(response)[1][1])
    )
    assert fresh(item).published_version("ja").published_at == published_at

    response = admin_client.post(
        url(item, "publication"),
        {"publish": "ja", "outdated_confirmed": "ja"},
        follow=True,
    )
    assert messages_of(response) == [(constants.SUCCESS, "Published in Japanese.")]
    assert fresh(item).published_version("ja").published_at > published_at
    # Publishing does not bless it: it stays outdated until updated or confirmed.
    assert [o.field for o in outdated.outdated_in(fresh(item))["ja"]] == ["answer"]


def test_still_correct_clears_one_language(admin_client, item):
    response = admin_client.post(
        url(item, "outdated"),
        {"confirm": f"faq.faqitem:{item.pk}|answer|ja"},
        follow=True,
    )

    assert messages_of(response) == [
        (
            constants.SUCCESS,
            "Confirmed that the Japanese translation of answer still holds.",
        )
    ]
    found = outdated.outdated_in(fresh(item))
    assert (found["ja"], [o.field for o in found["zh-hans"]]) == ([], ["answer"])
    # Publishing Japanese needs no confirmation now.
    response = admin_client.post(
        url(item, "publication"), {"publish": "ja"}, follow=True
    )
    assert messages_of(response) == [(constants.SUCCESS, "Published in Japanese.")]


def test_still_correct_for_something_not_outdated_changes_nothing(admin_client, item):
    response = admin_client.post(
        url(item, "outdated"),
        {"confirm": f"faq.faqitem:{item.pk}|question|ja"},
        follow=True,
    )
    assert messages_of(response) == [
        (constants.WARNING, "That translation is not outdated (any more).")
    ]
    assert [o.field for o in outdated.outdated_in(fresh(item))["ja"]] == ["answer"]
    assert admin_client.get(url(item, "outdated")).status_code == 405


def test_the_list_action_does_not_publish_past_an_outdated_translation(
    admin_client, item
):
    other = FAQItem.objects.exclude(pk=item.pk).filter(published_ja=True).first()
    other.answer_ja = other.answer_ja.replace("</p>", " (改)</p>", 1)
    other.save()
    published_at = item.published_version("ja").published_at

    response = admin_client.post(
        reverse("admin:faq_faqitem_changelist"),
        {
            "action": "publish_ja",
            "_selected_action": [item.pk, other.pk],
        },
        follow=True,
    )

    found = messages_of(response)
    assert (constants.SUCCESS, "Published 1 object(s) in Japanese.") in found
    assert any(
        level == constants.ERROR and "publish it from its page" in text
        for level, text in found
    )
    assert fresh(item).published_version("ja").published_at == published_at
    assert "(改)" in str(fresh(other).published_version("ja").data)
