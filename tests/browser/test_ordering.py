"""Order by drag and drop (django-admin-sortable2): the rows of a comparison (an
inline, saved with the form, public once published from the panel) and the FAQ
items (the list page, saved at once). The public API follows the new order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from content.models import Comparison
from faq.models import FAQItem
from tests.browser.conftest import publish_selected

pytestmark = pytest.mark.browser


@pytest.fixture
def comparison(demo) -> Comparison:
    return Comparison.objects.get()


@pytest.fixture
def faq_items(demo) -> list[tuple[str, str]]:
    """(pk, English slug) of the demo's FAQ items, in their order."""
    return [
        (str(pk), slug)
        for pk, slug in FAQItem.objects.order_by("position").values_list(
            "pk", "slug_en"
        )
    ]


def test_dragging_a_comparison_row_to_the_top_reorders_the_published_table(
    admin_browser, comparison
):
    page = admin_browser.log_in()
    _status, before = admin_browser.api(f"comparisons/{comparison.slug_en}/")
    keys = [row["criterion"]["key"] for row in before["rows"]]
    names = [row["criterion"]["name"] for row in before["rows"]]
    slugs = {
        "en": comparison.slug_en,
        "ko": comparison.slug_ko,
        "ja": comparison.slug_ja,
    }
    page.goto(f"/admin/content/comparison/{comparison.pk}/change/")
    labels = page.locator("#rows-group tbody tr.has_original td.original p")
    expect(labels).to_have_text(names)

    labels.last.drag_to(labels.first)
    expect(labels).to_have_text([names[-1], *names[:-1]])
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(labels).to_have_text([names[-1], *names[:-1]])
    # The new order is saved, not published: each language it is published in
    # has changed since.
    panel = page.locator("#publication-panel")
    for code in slugs:
        expect(panel.locator(f"#publication-{code} .state")).to_have_text(
            "published — changed since published What changed"
        )
    assert row_keys(admin_browser, "en", slugs["en"]) == keys

    publish_selected(page, "en", "ko")
    expected = [keys[-1], *keys[:-1]]
    assert row_keys(admin_browser, "en", slugs["en"]) == expected
    assert row_keys(admin_browser, "ko", slugs["ko"]) == expected
    # Japanese, not published again, keeps the order it was published with.
    assert row_keys(admin_browser, "ja", slugs["ja"]) == keys


def row_keys(admin_browser, locale: str, slug: str) -> list[str]:
    """The comparison's rows in ``locale`` as the API serves them, by criterion."""
    status, comparison = admin_browser.api(f"comparisons/{slug}/", locale=locale)
    assert status == 200
    return [row["criterion"]["key"] for row in comparison["rows"]]


def test_dragging_an_faq_item_in_the_list_reorders_the_published_faq(
    admin_browser, faq_items
):
    page = admin_browser.log_in()
    page.goto("/admin/faq/faqitem/")
    handles = page.locator("#result_list tbody tr .drag.handle")
    expect(handles).to_have_count(len(faq_items))

    with page.expect_response("**/adminsortable2_update/") as saved:
        handles.nth(2).drag_to(handles.first)
    assert saved.value.ok
    # The editor is told (admin/clinic/reorder.js).
    expect(page.locator(".messagelist #reorder-status.success")).to_have_text(
        "The new order is saved."
    )

    expected = [faq_items[2], faq_items[0], faq_items[1], *faq_items[3:]]
    status, after = admin_browser.api("faq-items/", locale="en")
    assert status == 200
    assert [item["slug"] for item in after["results"]] == [s for _pk, s in expected]
    # The list shows the saved order after a reload.
    page.reload()
    shown = handles.evaluate_all("handles => handles.map(h => h.getAttribute('pk'))")
    assert shown == [pk for pk, _slug in expected]


def test_a_link_clicked_right_after_a_drop_waits_for_the_order_to_be_saved(
    admin_browser, faq_items
):
    page = admin_browser.log_in()
    aborted = []
    page.on("requestfailed", lambda request: aborted.append(request.url))
    page.goto("/admin/faq/faqitem/")
    handles = page.locator("#result_list tbody tr .drag.handle")
    expect(handles).to_have_count(len(faq_items))

    handles.nth(1).drag_to(handles.first)
    # At once, before the save has answered: the page takes the click only after.
    page.locator(".breadcrumbs a").first.click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    assert aborted == []
    status, after = admin_browser.api("faq-items/", locale="en")
    assert status == 200
    assert [item["slug"] for item in after["results"][:2]] == [
        faq_items[1][1],
        faq_items[0][1],
    ]
