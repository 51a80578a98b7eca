"""Two editors, two browsers, one FAQ item: the second save from a form opened
before the first one's save is refused with the other editor's change shown and
everything typed still in the form; saving again applies it. Each save reaches
readers once published from the change page's panel."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from faq.models import FAQItem
from tests.browser.conftest import publish_selected, tab

pytestmark = pytest.mark.browser

OTHER, OTHER_PASSWORD = "bora", "bora-has-a-long-password-too"


@pytest.fixture
def item(demo, editor_account) -> FAQItem:
    get_user_model().objects.create_superuser(OTHER, "bora@example.com", OTHER_PASSWORD)
    return FAQItem.objects.order_by("pk")[1]


def test_a_stale_save_shows_the_other_editors_change_and_keeps_what_was_typed(
    admin_browser, item
):
    url = f"/admin/faq/faqitem/{item.pk}/change/"
    old_question, old_korean = item.question_en, item.question_ko
    mine = admin_browser.log_in()
    theirs = admin_browser.log_in(username=OTHER, password=OTHER_PASSWORD)
    mine.goto(url)
    theirs.goto(url)

    tab(theirs, "question", "en").click()
    theirs.locator("#id_question_en").fill("Is Botox alone ever enough?")
    theirs.locator("input[name=_continue]").click()
    expect(theirs.locator(".messagelist .success")).to_contain_text("was changed")
    # Saved, not published: readers see it once they publish it from the panel
    # (a publication is no conflict for my form; their save is).
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["question"]) == (200, old_question)
    publish_selected(theirs, "en")
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["question"]) == (200, "Is Botox alone ever enough?")

    tab(mine, "question", "ko").click()
    mine.locator("#id_question_ko").fill("보톡스만으로 충분한가요?")
    mine.locator("input[name=_continue]").click()

    expect(mine.locator(".errornote")).to_be_visible()
    expect(mine.locator("#faqitem_form .errorlist.nonfield")).to_contain_text(
        f"Someone else saved this FAQ item since you opened it: {OTHER}, "
    )
    conflict = mine.locator("#conflict")
    expect(conflict.locator("tbody tr")).to_have_count(1)
    expect(conflict.locator("tbody tr td")).to_have_text(
        ["FAQ item", "Question (English)", old_question, "Is Botox alone ever enough?"]
    )
    # What I typed is still there, and none of it was saved: the panel shows
    # what is stored, Korean as published, unchanged since (its question
    # outdated by their English one).
    tab(mine, "question", "ko").click()
    expect(mine.locator("#id_question_ko")).to_have_value("보톡스만으로 충분한가요?")
    panel = mine.locator("#publication-panel")
    expect(panel.locator("#publication-ko .state")).to_have_text(
        "published — 1 translation outdated"
    )
    status, ko = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    assert (status, ko["question"]) == (200, old_korean)

    # Saving again is deliberate: it applies this form, the English question it
    # holds included (the message said so), which differs from their published
    # one now. Published in Korean, my question reaches Korean readers.
    mine.locator("input[name=_continue]").click()
    expect(mine.locator(".messagelist .success")).to_contain_text("was changed")
    expect(panel.locator("#publication-ko .state")).to_have_text(
        "published — changed since published What changed"
    )
    expect(panel.locator("#publication-en .state")).to_have_text(
        "published — changed since published What changed"
    )
    publish_selected(mine, "ko")
    expect(panel.locator("#publication-ko .state")).to_have_text("published")
    status, ko = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    assert (status, ko["question"]) == (200, "보톡스만으로 충분한가요?")
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["question"]) == (200, "Is Botox alone ever enough?")
