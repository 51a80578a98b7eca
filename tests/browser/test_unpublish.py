"""Unpublishing in one language from the list page's actions: the public API stops
showing the object in that language at once, the shared response cache included,
and keeps showing it in the others."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from content.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.response_cache]


@pytest.fixture
def article(demo) -> Article:
    return Article.objects.get()


def published_article(admin_browser, locale: str, slug: str) -> dict[str, object]:
    """Where the API shows the article in ``locale``: list, detail, sitemap."""
    _status, listing = admin_browser.api("articles/", locale=locale)
    detail_status, _detail = admin_browser.api(f"articles/{slug}/", locale=locale)
    _status, sitemap = admin_browser.api("sitemap/", locale=locale, type="article")
    return {
        "list": [item["slug"] for item in listing["results"]],
        "detail": detail_status,
        "sitemap": [entry["slug"] for entry in sitemap["results"]],
    }


def test_an_article_unpublished_in_korean_leaves_the_korean_api_at_once(
    admin_browser, article
):
    page = admin_browser.log_in()
    shown_ko = {"list": [article.slug_ko], "detail": 200, "sitemap": [article.slug_ko]}
    shown_en = {"list": [article.slug_en], "detail": 200, "sitemap": [article.slug_en]}
    # Asked once before: the answers are in the shared response cache now.
    assert published_article(admin_browser, "ko", article.slug_ko) == shown_ko
    assert published_article(admin_browser, "en", article.slug_en) == shown_en

    page.goto("/admin/content/article/")
    page.locator(f"input.action-select[value='{article.pk}']").check()
    page.locator("select[name=action]").select_option(label="Unpublish in Korean")
    page.locator("button[name=index]").click()

    expect(page.locator(".messagelist .success")).to_have_text(
        "Unpublished 1 object(s) in Korean."
    )
    expect(page.locator("#result_list td.field-status_ko span")).to_have_attribute(
        "title", "complete, not published"
    )
    assert published_article(admin_browser, "ko", article.slug_ko) == {
        "list": [],
        "detail": 404,
        "sitemap": [],
    }
    assert published_article(admin_browser, "en", article.slug_en) == shown_en
