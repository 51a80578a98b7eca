"""History (django-reversion): a published Korean edit reverted from the history
page with "revert only Korean", leaving the English edited since as it is; the
restored text reaches readers once published again."""

from __future__ import annotations

import pytest
import reversion
from playwright.sync_api import expect

from faq.models import FAQCategory, FAQItem
from tests.browser.conftest import publish_selected

pytestmark = pytest.mark.browser


@pytest.fixture
def item_with_a_version(demo, editor_account) -> FAQItem:
    """An FAQ item published in en and ko, with one version in its history."""
    with reversion.create_revision():
        item = FAQItem.objects.create(
            category=FAQCategory.objects.order_by("position").first(),
            position=10,
            question_en="How long does the swelling last?",
            answer_en="<p>About a week.</p>",
            question_ko="붓기는 얼마나 가나요?",
            answer_ko="<p>일주일 정도예요.</p>",
            published_en=True,
            published_ko=True,
        )
        reversion.set_user(editor_account)
        reversion.set_comment("Added.")
    return item


def test_reverting_only_korean_from_the_history_brings_back_the_korean_text(
    admin_browser, item_with_a_version
):
    item = item_with_a_version
    page = admin_browser.log_in()
    change_url = f"/admin/faq/faqitem/{item.pk}/change/"
    page.goto(change_url)
    page.locator("#id_question_en").fill("How long does the swelling usually last?")
    page.locator('a[href="#tab_id_question_ko"]').click()
    page.locator("#id_question_ko").fill("붓기는 보통 며칠 가나요?")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    publish_selected(page, "en", "ko")
    status, ko = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    assert (status, ko["question"]) == (200, "붓기는 보통 며칠 가나요?")

    page.get_by_role("link", name="History").click()
    history = page.locator("#change-history tbody tr")
    # Latest first: the publication, the edit, the version before the edit.
    expect(history).to_have_count(3)
    expect(history.last.locator("td").nth(1)).to_have_text("Added.")
    history.last.locator("td.revert-language").get_by_role(
        "link", name="Korean"
    ).click()

    changes = page.locator("#language-changes tbody tr:not(:first-child)")
    expect(changes.locator("td")).to_have_text(
        ["question", "붓기는 보통 며칠 가나요?", "붓기는 얼마나 가나요?"]
    )
    page.get_by_role("button", name="Restore the Korean text").click()

    expect(page).to_have_url(change_url)
    expect(page.locator(".messagelist .success")).to_contain_text(
        "Restored the Korean text of the version of"
    )
    expect(page.locator("#id_question_ko")).to_have_value("붓기는 얼마나 가나요?")
    expect(page.locator("#id_question_en")).to_have_value(
        "How long does the swelling usually last?"
    )
    # A revert restores the working copy and keeps the publication as it was:
    # Korean has changed since published, English has not.
    panel = page.locator("#publication-panel")
    expect(panel.locator("#publication-ko .state")).to_have_text(
        "published — changed since published What changed"
    )
    expect(panel.locator("#publication-en .state")).to_have_text("published")
    status, ko = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    assert (status, ko["question"]) == (200, "붓기는 보통 며칠 가나요?")

    publish_selected(page, "ko")
    status, ko = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    assert (status, ko["question"]) == (200, "붓기는 얼마나 가나요?")
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["question"]) == (200, "How long does the swelling usually last?")
