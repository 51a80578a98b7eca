"""A Japanese translator's change page (publication/roles.py), in the Korean UI:
the Japanese fields are editable, the other languages are shown read-only with
the English text readable, no block can be added, and the publication panel
offers no button; the Japanese saved reaches the working copy only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from faq.models import FAQItem
from publication import roles

pytestmark = pytest.mark.browser

TRANSLATOR = "translator"
PASSWORD = "translator-password-1"


@pytest.fixture
def item(demo, editor_account) -> FAQItem:
    roles.ensure_demo_groups()
    user = get_user_model().objects.create_user(
        TRANSLATOR, password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Japanese translators"))
    return FAQItem.objects.order_by("position").first()


def test_a_translators_change_page_writes_japanese_only(admin_browser, item):
    english = item.question_en
    page = admin_browser.log_in(locale="ko-KR", username=TRANSLATOR, password=PASSWORD)
    page.goto(f"/admin/faq/faqitem/{item.pk}/change/")

    expect(page.locator("#id_question_ja")).to_be_editable()
    expect(page.locator("#id_question_en")).to_have_count(0)
    expect(page.locator("#id_question_ko")).to_have_count(0)
    expect(page.locator(".field-question_en .readonly")).to_contain_text(english)
    expect(page.locator("#id_category")).to_have_count(0)
    panel = page.locator("#publication-panel")
    expect(panel.locator("button[name=publish], button[name=unpublish]")).to_have_count(
        0
    )

    page.locator("#id_question_ja").fill(
        "非対称が筋肉か骨かは、どうすればわかりますか？"
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator("#id_question_ja")).to_have_value(
        "非対称が筋肉か骨かは、どうすればわかりますか？"
    )
    # Saved, not published: Japanese readers see the published question.
    status, published = admin_browser.api(f"faq-items/{item.slug_ja}/", locale="ja")
    assert (status, published["question"]) == (200, item.question_ja)
