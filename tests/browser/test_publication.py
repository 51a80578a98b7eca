"""Publishing as a snapshot (issue 18), as an editor meets it in the English
admin: an edit of a published FAQ item is saved to the working copy, readers keep
the published answer, the publication panel says the language changed since
published and links to what changed, and publishing the language again makes the
edit public."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from faq.models import FAQItem
from tests.browser.conftest import publish_selected, rich_text, tab

pytestmark = pytest.mark.browser

NEW_ANSWER = "<p>Usually one session; a second one after two weeks if needed.</p>"


@pytest.fixture
def item(demo) -> FAQItem:
    """A demo FAQ item published in English and Korean."""
    item = FAQItem.objects.order_by("pk").first()
    assert {"en", "ko"} <= set(item.published_languages)
    return item


def test_an_edited_answer_reaches_readers_only_once_published_again(
    admin_browser, item
):
    page = admin_browser.log_in()
    _status, en_before = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    _status, ko_before = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    change_url = f"/admin/faq/faqitem/{item.pk}/change/"
    page.goto(change_url)
    panel = page.locator("#publication-panel")
    expect(panel.locator("#publication-en .state")).to_have_text("published")

    tab(page, "answer", "en").click()
    rich_text(page, "answer", "en").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Usually one session; a second one after two weeks if needed.")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed")

    # Saved to the working copy only: readers keep the published answer.
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["answer"]) == (200, en_before["answer"])
    english = panel.locator("#publication-en")
    expect(english.locator(".state")).to_have_text(
        "published — changed since published What changed"
    )
    # Korean readers keep their answer; its Korean translation is outdated now.
    expect(panel.locator("#publication-ko .state")).to_have_text(
        "published — 1 translation outdated"
    )

    english.get_by_role("link", name="What changed").click()
    expect(page).to_have_url(f"/admin/faq/faqitem/{item.pk}/changes/en/")
    changes = page.locator("#changes-since-published tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.locator("th")).to_have_text("answer")
    expect(changes.locator("td.published")).to_have_text(item.answer_en)
    expect(changes.locator("td.working")).to_have_text(NEW_ANSWER)

    page.get_by_role("link", name="Back to the object").click()
    expect(page).to_have_url(change_url)
    publish_selected(page, "en")

    expect(english.locator(".state")).to_have_text("published")
    expect(english.get_by_role("link", name="What changed")).to_have_count(0)
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["answer"]) == (200, NEW_ANSWER)
    _status, ko = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    assert ko == ko_before
