"""The comparison grid: one cell edited in Japanese on the grid page, which the
editor does not leave to save it, then published in Japanese from the change
page's panel."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from content.models import Comparison
from tests.browser.conftest import publish_selected

pytestmark = pytest.mark.browser


@pytest.fixture
def comparison(demo) -> Comparison:
    return Comparison.objects.get()


def test_one_cell_edited_in_japanese_on_the_grid_page_is_published_in_japanese(
    admin_browser, comparison
):
    page = admin_browser.log_in()
    before = {
        locale: admin_browser.api(f"comparisons/{slug}/", locale=locale)[1]
        for locale, slug in (("en", comparison.slug_en), ("ja", comparison.slug_ja))
    }
    page.goto(f"/admin/content/comparison/{comparison.pk}/change/")
    page.get_by_role("link", name="Edit the grid").click()
    page.locator(".grid-langs").get_by_role("link", name="Japanese").click()
    grid_url = f"/admin/content/comparison/{comparison.pk}/grid/?lang=ja"
    expect(page).to_have_url(grid_url)
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))

    # Row "Onset" (the third criterion), column 1 (the first method).
    row = page.locator("table.grid tbody tr").nth(2)
    expect(row.locator("th")).to_have_text(before["en"]["rows"][2]["criterion"]["name"])
    cell = row.locator("textarea").first
    expect(cell).to_have_value(before["ja"]["rows"][2]["cells"][0])
    cell.fill("注射後3〜7日で徐々に効果が出ます")
    page.get_by_role("button", name="Save the grid").click()

    expect(page.locator(".messagelist .success")).to_have_text(
        "Saved 1 cell(s) in Japanese."
    )
    expect(cell).to_have_value("注射後3〜7日で徐々に効果が出ます")
    assert [url.removeprefix(admin_browser.base_url) for url in visited] == [grid_url]
    # Saved, not published: Japanese readers still see the table as it was.
    _status, ja = admin_browser.api(f"comparisons/{comparison.slug_ja}/", locale="ja")
    assert ja["rows"] == before["ja"]["rows"]

    # Back on the change page, Japanese alone has changed; published there, the
    # cell reaches Japanese readers and nothing else moves.
    page.get_by_role("link", name="Back to the object").click()
    panel = page.locator("#publication-panel")
    expect(panel.locator("#publication-ja .state")).to_have_text(
        "published — changed since published What changed"
    )
    expect(panel.locator("#publication-en .state")).to_have_text("published")
    publish_selected(page, "ja")
    status, ja = admin_browser.api(f"comparisons/{comparison.slug_ja}/", locale="ja")
    assert status == 200
    assert ja["rows"][2]["cells"][0] == "注射後3〜7日で徐々に効果が出ます"
    before["ja"]["rows"][2]["cells"][0] = "注射後3〜7日で徐々に効果が出ます"
    assert ja["rows"] == before["ja"]["rows"]
    _status, en = admin_browser.api(f"comparisons/{comparison.slug_en}/", locale="en")
    assert en["rows"] == before["en"]["rows"]
