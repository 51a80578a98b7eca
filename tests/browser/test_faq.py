"""Writing, translating, publishing and finding FAQ items in the admin, in a
browser: the language tabs, the rich-text editor, the publication rules' refusal
with nothing typed lost, and the "missing in" filter."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from faq.models import FAQCategory, FAQItem
from tests.browser.conftest import (
    add_link,
    editor_button,
    publish_selected,
    rich_text,
    select_back,
    tab,
)

pytestmark = pytest.mark.browser

FORM_VALUES = """form => [...new FormData(form)]
    .filter(([name]) => name !== "csrfmiddlewaretoken")"""


@pytest.fixture
def category(demo) -> FAQCategory:
    return FAQCategory.objects.order_by("position").first()


@pytest.fixture
def untranslated_in_japanese(category) -> FAQItem:
    """Published in en and ko, no Japanese text yet."""
    return FAQItem.objects.create(
        category=category,
        position=10,
        question_en="How long does the swelling last?",
        answer_en="<p>About a week.</p>",
        question_ko="붓기는 얼마나 가나요?",
        answer_ko="<p>일주일 정도예요.</p>",
        published_en=True,
        published_ko=True,
    )


def test_an_faq_item_written_in_the_editor_is_published_in_english_and_korean_only(
    admin_browser, category
):
    page = admin_browser.log_in()
    page.goto("/admin/faq/faqitem/add/")

    tab(page, "question", "en").click()
    page.locator("#id_question_en").fill("Can I eat spicy food after the lift?")
    tab(page, "answer", "en").click()
    rich_text(page, "answer", "en").click()
    page.keyboard.type("Avoid ")
    editor_button(page, "answer", "en", "bold")
    page.keyboard.type("spicy food")
    editor_button(page, "answer", "en", "bold")
    page.keyboard.type(" for a week:")
    page.keyboard.press("Enter")
    editor_button(page, "answer", "en", "bulletList")
    page.keyboard.type("no chili")
    page.keyboard.press("Enter")
    page.keyboard.type("no hot soup")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # out of the list
    page.keyboard.type("Questions? Call our clinic today. Or click here")
    for _ in range(len(" today. Or click here")):
        page.keyboard.press("ArrowLeft")
    select_back(page, len("our clinic"))
    add_link(page, "answer", "en", "https://example.com/contact")
    # A link whose address the allow-list refuses.
    page.keyboard.press("End")
    select_back(page, len("here"))
    add_link(page, "answer", "en", "javascript:alert(1)")

    tab(page, "question", "ko").click()
    page.locator("#id_question_ko").fill("리프팅 후에 매운 음식을 먹어도 되나요?")
    tab(page, "answer", "ko").click()
    rich_text(page, "answer", "ko").click()
    page.keyboard.type("일주일 동안 ")
    editor_button(page, "answer", "ko", "bold")
    page.keyboard.type("매운 음식")
    editor_button(page, "answer", "ko", "bold")
    page.keyboard.type("은 피하세요.")

    page.locator("#id_category").select_option(str(category.pk))
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist .success")).to_have_text(
        "The FAQ item “Can I eat spicy food after the lift?” was added "
        "successfully. You may edit it again below."
    )
    # Published from the change page's publication panel.
    panel = page.locator("#publication-panel")
    expect(panel.locator("#publication-en .state")).to_have_text("ready to publish")
    publish_selected(page, "en", "ko")
    expect(panel.locator("#publication-ko .state")).to_have_text("published")
    expect(panel.locator("#publication-ja .missing li")).to_have_text(
        ["question", "slug", "answer"]
    )
    status, en = admin_browser.api(
        "faq-items/can-i-eat-spicy-food-after-the-lift/", locale="en"
    )
    assert status == 200
    assert en["question"] == "Can I eat spicy food after the lift?"
    # Sanitized on save and on output: nofollow links, the editor's empty titles
    # dropped, and the link with a refused address gone (its text stays).
    assert en["answer"] == (
        "<p>Avoid <strong>spicy food</strong> for a week:</p>"
        "<ul><li><p>no chili</p></li><li><p>no hot soup</p></li></ul>"
        '<p>Questions? Call <a href="https://example.com/contact" '
        'rel="noopener noreferrer nofollow">our clinic</a> today. '
        "Or click here</p>"
    )
    assert [entry["locale"] for entry in en["alternates"]["languages"]] == [
        "en",
        "ko",
    ]
    ko_slug = en["alternates"]["languages"][1]["slug"]
    assert ko_slug == "리프팅-후에-매운-음식을-먹어도-되나요"

    status, ko = admin_browser.api(f"faq-items/{ko_slug}/", locale="ko")
    assert status == 200
    assert ko["question"] == "리프팅 후에 매운 음식을 먹어도 되나요?"
    assert ko["answer"] == "<p>일주일 동안 <strong>매운 음식</strong>은 피하세요.</p>"

    status, ja_list = admin_browser.api("faq-items/", locale="ja", page_size="100")
    assert status == 200
    assert en["slug"] not in [item["slug"] for item in ja_list["results"]]
    assert ko_slug not in [item["slug"] for item in ja_list["results"]]
    status, ja = admin_browser.api(f"faq-items/{en['slug']}/", locale="ja")
    assert (status, ja["error"]["code"]) == (404, "not_found")


def test_publishing_in_japanese_without_japanese_text_is_refused_keeping_the_edits(
    admin_browser, untranslated_in_japanese
):
    item = untranslated_in_japanese
    page = admin_browser.log_in()
    page.goto(f"/admin/faq/faqitem/{item.pk}/change/")
    form = page.locator("#faqitem_form")
    panel = page.locator("#publication-panel")

    tab(page, "question", "en").click()
    page.locator("#id_question_en").fill("How long does the swelling really last?")
    tab(page, "answer", "ko").click()
    rich_text(page, "answer", "ko").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("일주일 정도예요. 붓기에는 ")
    editor_button(page, "answer", "ko", "bold")
    page.keyboard.type("냉찜질")
    editor_button(page, "answer", "ko", "bold")
    page.keyboard.type("이 도움이 됩니다.")
    typed = form.evaluate(FORM_VALUES)
    assert [
        "answer_ko",
        "<p>일주일 정도예요. 붓기에는 <strong>냉찜질</strong>이 도움이 됩니다.</p>",
    ] in typed

    # Publishing publishes what is saved: with unsaved edits the panel does not
    # post (it would leave the page), it says to save first.
    panel.locator("button[name=publish][value=ja]").click()
    expect(panel.locator(".unsaved-note")).to_be_visible()
    assert form.evaluate(FORM_VALUES) == typed
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["question"]) == (200, "How long does the swelling last?")

    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed")
    panel.locator("button[name=publish][value=ja]").click()

    expect(page.locator(".messagelist .error")).to_have_text(
        [
            "Nothing was published.",
            "Cannot publish in Japanese: it is not complete. "
            "Missing in Japanese: question; slug; answer.",
        ]
    )
    expect(panel.locator("#publication-ja .state")).to_have_text(
        "not published: 3 fields missing"
    )
    # What was saved stays saved, in the editors too.
    tab(page, "answer", "ko").click()
    expect(rich_text(page, "answer", "ko")).to_contain_text("냉찜질이 도움이 됩니다.")
    expect(rich_text(page, "answer", "ko").locator("strong")).to_have_text("냉찜질")
    # The English question changed: the Korean one, not edited, is outdated.
    for code, outdated in (("en", ""), ("ko", " — 1 translation outdated")):
        expect(panel.locator(f"#publication-{code} .state")).to_have_text(
            f"published — changed since published{outdated} What changed"
        )
    # Saved, not published yet; published in the complete languages, it is.
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["question"]) == (200, "How long does the swelling last?")
    publish_selected(page, "en", "ko", with_outdated=True)
    status, en = admin_browser.api(f"faq-items/{item.slug_en}/", locale="en")
    assert (status, en["question"]) == (200, "How long does the swelling really last?")
    status, ko = admin_browser.api(f"faq-items/{item.slug_ko}/", locale="ko")
    assert (status, ko["answer"]) == (
        200,
        "<p>일주일 정도예요. 붓기에는 <strong>냉찜질</strong>이 도움이 됩니다.</p>",
    )
    status, ja = admin_browser.api(f"faq-items/{item.slug_en}/", locale="ja")
    assert status == 404


@pytest.fixture
def lacking_chinese(demo, category) -> list[str]:
    """The demo's FAQ items are complete in Simplified Chinese; these two are not
    (one has no Chinese at all, one only a question). Their questions."""
    FAQItem.objects.create(
        category=category,
        position=20,
        question_en="Does the lift leave a scar?",
        answer_en="<p>A fine line, hidden in the lip border.</p>",
        published_en=True,
    )
    FAQItem.objects.create(
        category=category,
        position=21,
        question_en="When can I wear lipstick again?",
        answer_en="<p>After the stitches are out.</p>",
        question_zh_hans="什么时候可以再涂口红？",
    )
    return ["Does the lift leave a scar?", "When can I wear lipstick again?"]


def test_the_missing_in_chinese_filter_lists_exactly_the_items_lacking_chinese(
    admin_browser, lacking_chinese
):
    page = admin_browser.log_in()
    page.goto("/admin/faq/faqitem/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(7)

    page.locator('details[data-filter-title="missing in"]').get_by_role(
        "link", name="Simplified Chinese"
    ).click()

    expect(page).to_have_url("/admin/faq/faqitem/?missing_in=zh-hans")
    expect(rows.locator("th.field-question")).to_have_text(lacking_chinese)
    expect(
        rows.locator('td.field-status_zh_hans span[title="missing translations"]')
    ).to_have_count(2)
