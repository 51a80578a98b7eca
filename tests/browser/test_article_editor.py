"""The article page as a Korean editor works in it (editing.js): the page's
language switch, blocks of three kinds added by kind, a kind switched without
losing text, collapsing, reordering by drag and drop, translating to Japanese
with the English text under each field, the publication panel's links to a
missing field, and publishing in Korean and Japanese from the panel; then the
demo article's page measured against what it was (issue: 16,800 px, 516 inputs).

`make screenshots` saves the article page and its publication panel from here
(docs/admin-article-ko.png, docs/admin-publication-panel-ko.png).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from content.models import Article
from tests.browser.conftest import DOCS_SCREENSHOTS, docs_screenshot

pytestmark = pytest.mark.browser

# The demo article's change page before the block editor (the figures,
# measured in the same Chromium with the Korean UI).
HEIGHT_BEFORE = 16_800
INPUTS_BEFORE = 516


def block(page, number: int):
    """The ``number``-th block form (0-based, as Django numbers them)."""
    return page.locator(f"#blocks-{number}")


def body(page, number: int, code: str):
    return block(page, number).locator(
        f".field-body_{code.replace('-', '_')} .ProseMirror[contenteditable=true]"
    )


def write(page, locator, text: str) -> None:
    """Type ``text`` into a rich-text editor as an editor does."""
    locator.click()
    page.keyboard.type(text)


def source_under(field):
    """The English text shown under a translated ``field`` (a locator)."""
    return field.locator("xpath=ancestor::div[contains(@class,'ui-tabs')]").locator(
        ".source-text"
    )


def switch(page, name: str) -> None:
    page.locator("#language-switch").get_by_role(
        "button", name=name, exact=True
    ).click()
    expect(page.locator("#language-switch button[aria-pressed=true]")).to_have_text(
        name
    )


def test_a_korean_editor_writes_translates_and_publishes_an_article_with_blocks(
    admin_browser, demo
):
    page = admin_browser.log_in(locale="ko-KR")
    page.goto("/admin/content/article/add/")
    languages = page.locator("#language-switch .language-button")
    expect(languages).to_have_text(["English", "한국어", "日本語", "简体中文"])
    # The Korean UI opens the Korean fields.
    expect(page.locator("#language-switch button[aria-pressed=true]")).to_have_text(
        "한국어"
    )
    expect(page.locator("#id_title_ko")).to_be_visible()
    # modeltranslation's own dropdown is replaced by the switch.
    expect(page.locator("#modeltranslation-main-switch")).to_be_hidden()

    switch(page, "English")
    expect(page.locator("#id_title_en")).to_be_visible()
    expect(page.locator("#id_title_ko")).to_be_hidden()
    page.locator("#id_title_en").fill("Why one corner of the mouth droops")
    page.locator("#id_summary_en").fill("Three causes, and what helps.")

    # Blocks are added by kind; each shows its kind's fields only.
    chooser = page.locator(".block-chooser")
    expect(page.locator("#blocks-group .add-row")).to_be_hidden()
    chooser.get_by_role("button", name="텍스트", exact=True).click()
    expect(block(page, 0).locator("select[name='blocks-0-kind']")).to_have_value("text")
    expect(block(page, 0).locator(".field-cta_label_en")).to_be_hidden()
    expect(block(page, 0).locator(".field-item_list")).to_be_hidden()
    block(page, 0).locator("#id_blocks-0-heading_en").fill("The muscles")
    write(page, body(page, 0, "en"), "Two muscles pull each corner.")

    chooser.get_by_role("button", name="항목 목록", exact=True).click()
    expect(block(page, 1).locator(".field-item_list")).to_be_visible()
    expect(block(page, 1).locator(".field-cta_label_en")).to_be_hidden()
    block(page, 1).locator("#id_blocks-1-heading_en").fill("Book a visit")
    # Switched to a call to action: its fields show, the list's hide, and the
    # heading typed before stays.
    block(page, 1).locator("#id_blocks-1-kind").select_option("cta")
    expect(block(page, 1).locator(".field-item_list")).to_be_hidden()
    expect(block(page, 1).locator("#id_blocks-1-cta_label_en")).to_be_visible()
    expect(block(page, 1).locator("#id_blocks-1-heading_en")).to_have_value(
        "Book a visit"
    )
    block(page, 1).locator("#id_blocks-1-cta_label_en").fill("Chat with us")
    block(page, 1).locator("#id_blocks-1-cta_url_en").fill("https://example.com/chat")

    chooser.get_by_role("button", name="강조 박스", exact=True).click()
    expect(block(page, 2).locator("#id_blocks-2-kind")).to_have_value("callout")
    block(page, 2).locator("#id_blocks-2-heading_en").fill("See a doctor first")
    write(page, body(page, 2, "en"), "If it started suddenly, see a doctor today.")

    # The same fields in Korean; each shows the English text under it.
    switch(page, "한국어")
    expect(page.locator("#id_title_ko")).to_be_visible()
    title_source = source_under(page.locator("#id_title_ko"))
    expect(title_source).to_contain_text("Why one corner of the mouth droops")
    page.locator("#id_title_ko").fill("한쪽 입꼬리가 처지는 이유")
    page.locator("#id_summary_ko").fill("세 가지 원인과 도움이 되는 것.")
    block(page, 0).locator("#id_blocks-0-heading_ko").fill("근육")
    write(page, body(page, 0, "ko"), "두 근육이 입꼬리를 당깁니다.")
    block(page, 1).locator("#id_blocks-1-heading_ko").fill("상담 예약")
    block(page, 1).locator("#id_blocks-1-cta_label_ko").fill("채팅 상담")
    block(page, 1).locator("#id_blocks-1-cta_url_ko").fill(
        "https://example.com/ko/chat"
    )
    block(page, 2).locator("#id_blocks-2-heading_ko").fill("먼저 진료를")
    write(page, body(page, 2, "ko"), "갑자기 시작됐다면 오늘 진료를 받으세요.")

    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator(".errornote")).to_have_count(0)

    # The page opens again in the language last chosen, blocks in order.
    expect(page.locator("#language-switch button[aria-pressed=true]")).to_have_text(
        "한국어"
    )
    summaries = page.locator(
        "#blocks-group .inline-related:not(.empty-form) .block-summary"
    )
    expect(summaries).to_have_text(
        ["텍스트 — 근육", "행동 유도 버튼(CTA) — 상담 예약", "강조 박스 — 먼저 진료를"]
    )

    # Collapsing a block leaves its summary line.
    block(page, 0).locator(".block-toggle").click()
    expect(block(page, 0).locator("fieldset")).to_be_hidden()
    expect(block(page, 0).locator(".block-toggle")).to_have_text("펼치기")
    block(page, 0).locator(".block-toggle").click()
    expect(block(page, 0).locator("#id_blocks-0-heading_ko")).to_be_visible()
    page.get_by_role("button", name="모든 블록 접기").click()
    for number in range(3):
        expect(block(page, number).locator("fieldset")).to_be_hidden()

    # Reordered by drag and drop: the callout to the top.
    handles = page.locator("#blocks-group .inline-related:not(.empty-form) > h3")
    handles.nth(2).drag_to(handles.first)
    expect(summaries).to_have_text(
        ["강조 박스 — 먼저 진료를", "텍스트 — 근육", "행동 유도 버튼(CTA) — 상담 예약"]
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(summaries).to_have_text(
        ["강조 박스 — 먼저 진료를", "텍스트 — 근육", "행동 유도 버튼(CTA) — 상담 예약"]
    )

    # Japanese is missing: the panel names each field by block, and a link
    # opens the language, the block and the field.
    panel = page.locator("#publication-panel")
    ja = panel.locator("#publication-ja")
    expect(ja.locator(".state-text")).to_have_text(
        re.compile(r"^게시 안 됨: 필드 \d+개 누락$")
    )
    expect(ja.locator(".missing-group strong")).to_have_text(
        [
            "블록 1 “먼저 진료를”",
            "블록 2 “근육”",
            "블록 3 “상담 예약”",
        ]
    )
    page.get_by_role("button", name="모든 블록 접기").click()
    ja.locator("summary").click()
    ja.locator(".missing-group").filter(has_text="블록 3").get_by_role(
        "link", name="버튼 링크"
    ).click()
    expect(page.locator("#language-switch button[aria-pressed=true]")).to_have_text(
        "日本語"
    )
    third = page.locator("#blocks-group .inline-related:not(.empty-form)").nth(2)
    expect(third.locator("fieldset")).to_be_visible()
    expect(third.locator("input[name$='-cta_url_ja']")).to_be_focused()
    expect(third.locator("input[name$='-cta_url_ja']")).to_be_in_viewport()

    # Translating to Japanese, with the English text under each field.
    page.get_by_role("button", name="모든 블록 펼치기").click()
    title_source = source_under(page.locator("#id_title_ja"))
    expect(title_source).to_contain_text("Why one corner of the mouth droops")
    page.locator("#id_title_ja").fill("口角が片側だけ下がる理由")
    page.locator("#id_summary_ja").fill("三つの原因と、役立つこと。")
    forms = page.locator("#blocks-group .inline-related:not(.empty-form)")
    japanese = [
        ("すぐに受診を", "急に始まったなら、今日受診してください。"),
        ("筋肉", "二つの筋肉が口角を引きます。"),
        ("ご予約", None),
    ]
    for number, (heading, text) in enumerate(japanese):
        row = forms.nth(number)
        source = source_under(row.locator("input[name$='-heading_ja']"))
        expect(source).to_be_visible()
        row.locator("input[name$='-heading_ja']").fill(heading)
        if text:
            write(
                page,
                row.locator(".field-body_ja .ProseMirror[contenteditable=true]"),
                text,
            )
    forms.nth(2).locator("input[name$='-cta_label_ja']").fill("チャット相談")
    forms.nth(2).locator("input[name$='-cta_url_ja']").fill(
        "https://example.com/ja/chat"
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(ja.locator(".state-text")).to_have_text("게시 준비됨")
    expect(ja.locator("td.missing")).to_have_text("번역 완료")

    # Published in Korean and Japanese from the panel.
    panel.locator("#publish-select-ko").check()
    panel.locator("#publish-select-ja").check()
    panel.get_by_role("button", name="선택한 언어로 게시", exact=True).click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "한국어, 일본어(으)로 게시했습니다."
    )
    expect(panel.locator("#publication-ko .state-text")).to_have_text("게시됨")
    expect(panel.locator("#publication-ja .state-text")).to_have_text("게시됨")
    expect(panel.locator("#publication-en .state-text")).to_have_text("게시 준비됨")

    status, article = admin_browser.api(
        "articles/口角が片側だけ下がる理由/", locale="ja"
    )
    assert status == 200, article
    assert [(b["kind"], b["heading"]) for b in article["blocks"]] == [
        ("callout", "すぐに受診を"),
        ("text", "筋肉"),
        ("cta", "ご予約"),
    ]
    assert article["blocks"][2]["url"] == "https://example.com/ja/chat"
    status, _korean = admin_browser.api(
        "articles/한쪽-입꼬리가-처지는-이유/", locale="ko"
    )
    assert status == 200
    status, english = admin_browser.api(
        "articles/why-one-corner-of-the-mouth-droops/", locale="en"
    )
    assert status == 404, english


def test_the_demo_articles_page_in_one_language_is_under_a_third_of_what_it_was(
    admin_browser, demo, capsys
):
    article = Article.objects.get()
    blocks = article.blocks.count()
    page = admin_browser.log_in(locale="ko-KR")
    page.goto(f"/admin/content/article/{article.pk}/change/")
    expect(page.locator("form[data-editing-ready]")).to_have_count(1)

    measured = page.evaluate(
        """() => {
          const shown = (e) => e.getClientRects().length > 0;
          const fields = [...document.querySelectorAll(
            "#content-main form input:not([type=hidden]), #content-main form textarea,"
            + " #content-main form select, #content-main form [contenteditable=true]"
          )];
          return {
            height: document.documentElement.scrollHeight,
            shown: fields.filter(shown).length,
            all: fields.length,
          };
        }"""
    )
    with capsys.disabled():
        print(  # noqa: T201 (the figures the issue asks the test to print)
            f"\nthe demo article's page in Korean: {measured['height']} px tall "
            f"(was {HEIGHT_BEFORE}), {measured['shown']} inputs shown "
            f"(was {INPUTS_BEFORE}; {measured['all']} in the form, other "
            "languages' and collapsed blocks' hidden)"
        )
    assert measured["height"] < HEIGHT_BEFORE / 3
    assert measured["shown"] < INPUTS_BEFORE / 3
    # Past the first three, blocks open collapsed with their summary.
    rows = page.locator("#blocks-group .inline-related:not(.empty-form)")
    assert rows.count() == blocks > 3
    expect(rows.nth(3)).to_have_class(re.compile(r"\bblock-collapsed\b"))
    expect(rows.nth(3).locator(".block-summary")).not_to_be_empty()

    docs_screenshot(page, "admin-article-ko.png")
    # Simplified Chinese's missing fields, grouped by block.
    page.locator("#publication-zh-hans .missing summary").click()
    expect(
        page.locator("#publication-zh-hans .missing-group strong").first
    ).to_be_visible()
    if DOCS_SCREENSHOTS:
        page.locator("#publication-panel").screenshot(
            path=f"{DOCS_SCREENSHOTS}/admin-publication-panel-ko.png"
        )
