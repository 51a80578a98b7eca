"""An editor whose browser prefers Korean gets the Korean admin: Django's own
strings and the project's (locale/ko), on the login page, the index, an FAQ item's
language tabs and publication panel, and the comparison grid.

`make screenshots` runs this test to save the README's pictures of the Korean
admin (docs/admin-faq-ko.png, docs/admin-comparison-grid-ko.png).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from content.models import Comparison
from faq.models import FAQItem
from tests.browser.conftest import docs_screenshot, tab

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(demo) -> dict[str, str]:
    item = FAQItem.objects.order_by("position").first()
    comparison = Comparison.objects.get()
    return {
        "faq_item": f"/admin/faq/faqitem/{item.pk}/change/",
        "grid": f"/admin/content/comparison/{comparison.pk}/grid/?lang=ko",
        "comparison_title": comparison.title_ko,
    }


def test_an_editor_whose_browser_prefers_korean_gets_the_korean_admin(
    admin_browser, pages
):
    page = admin_browser.open(locale="ko-KR")
    page.goto("/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#login-form [type=submit]")).to_have_value("로그인")

    admin_browser.log_in(page)

    expect(page.locator("#site-name")).to_have_text("병원 콘텐츠 관리")
    expect(page.locator("#content h1")).to_have_text("환자 안내 콘텐츠 및 FAQ")
    expect(page.locator("#user-tools")).to_contain_text("로그아웃")
    expect(page.locator(".model-faqitem th a")).to_have_text("FAQ 항목")

    page.goto(pages["faq_item"])
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("label[for=id_question_ko]")).to_have_text("질문:")
    expect(page.locator("label[for=id_answer_ko]")).to_have_text("답변:")
    # The tabs are named in the UI language; the editor's language opens first.
    expect(tab(page, "question", "ja")).to_have_attribute("title", "일본어")
    expect(page.locator("#tab_id_question_ko")).to_be_visible()
    expect(page.locator("#tab_id_question_en")).to_be_hidden()
    publication = page.locator("#publication-panel")
    expect(publication.locator("h2")).to_have_text("게시")
    expect(
        publication.locator("#publication-en").locator("th, td.state, td.missing")
    ).to_have_text(["영어", "게시됨", "번역 완료"])
    expect(publication.locator("button[name=unpublish][value=en]")).to_have_text(
        "게시 취소"
    )
    docs_screenshot(page, "admin-faq-ko.png")

    page.goto(pages["grid"])
    expect(page.locator("#content h1")).to_have_text(
        f"{pages['comparison_title']} — 한국어 표"
    )
    expect(page.locator(".grid-langs a.current")).to_have_text("한국어")
    expect(page.locator("#grid-form [type=submit]")).to_have_value("표 저장")
    docs_screenshot(page, "admin-comparison-grid-ko.png")
