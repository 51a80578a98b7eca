"""What a page of a list costs as the data grows (api/pagination.py): a
list's count is kept per content version, a search counts its first
``SEARCH_COUNT_LIMIT`` matches only, and a page reads its own rows."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publication import content_version
from publication.models import published_field
from tests.factories import FAQItemFactory

pytestmark = pytest.mark.django_db

# The documented bound of a search's count (README, "The public API").
SEARCH_COUNT_LIMIT = 1000


@pytest.fixture
def kept_counts(settings):
    settings.API_CACHE = {**settings.API_CACHE, "COUNTS": True}


def queries_of(api, path: str, **params):
    with CaptureQueriesContext(connection) as queries:
        response = api(path, **params)
    assert response.status == 200, response.body
    return response.body, len(queries)


def test_every_page_of_a_list_shares_one_count_per_content_version(
    api, demo, kept_counts
):
    first, on_first = queries_of(api, "/api/v1/faq-items/", page_size=1)
    second, on_second = queries_of(api, "/api/v1/faq-items/", page_size=1, page=2)
    bigger, on_bigger = queries_of(api, "/api/v1/faq-items/", page_size=2)

    # A page reads its objects' ids, then their published versions; the first
    # page counts too, and the pages after it share that count.
    assert (on_first, on_second, on_bigger) == (3, 2, 2)
    assert first["count"] == second["count"] == bigger["count"] == 5
    assert (second["pages"], bigger["pages"]) == (5, 3)


def test_a_kept_count_is_counted_again_after_a_content_change(api, demo, kept_counts):
    before, _ = queries_of(api, "/api/v1/faq-items/", page_size=1)
    item = FAQItemFactory()
    setattr(item, published_field("en"), True)
    item.save()
    # What the commit of the change does (a test's transaction never commits).
    content_version.bump()

    after, queries = queries_of(api, "/api/v1/faq-items/", page_size=1, page=2)

    assert queries == 3  # counted again, then the page's ids and versions
    assert after["count"] == before["count"] + 1
    assert after["pages"] == before["pages"] + 1


def test_counts_are_kept_per_list_language_and_filter(api, demo, kept_counts):
    english, _ = queries_of(api, "/api/v1/faq-items/")
    korean, korean_queries = queries_of(api, "/api/v1/faq-items/", locale="ko")
    search, search_queries = queries_of(api, "/api/v1/faq-items/", search="surgery")
    sitemap, _ = queries_of(api, "/api/v1/sitemap/", type="faq_item")
    categories, _ = queries_of(api, "/api/v1/faq-categories/")

    assert (korean_queries, search_queries) == (3, 3)
    assert (english["count"], korean["count"], search["count"]) == (5, 5, 1)
    assert sitemap["count"] == 5
    assert categories["count"] == 1


def test_a_search_counts_and_pages_its_first_matches_only(api, demo):
    call_command(
        "generate_content", articles=1, faq_items=SEARCH_COUNT_LIMIT + 10, verbosity=0
    )
    # "the" is in every item; "surgery" in one of the demo's five.
    every = api("/api/v1/faq-items/", search="the", page_size=20).body
    last = api("/api/v1/faq-items/", search="the", page_size=20, page=50).body
    beyond = api("/api/v1/faq-items/", search="the", page_size=20, page=51)
    some = api("/api/v1/faq-items/", search="surgery", page_size=100, page=3).body
    whole = api("/api/v1/faq-items/", page_size=20, page=51).body

    assert (every["count"], every["pages"]) == (SEARCH_COUNT_LIMIT, 50)
    assert len(last["results"]) == 20
    assert last["next"] is None
    assert beyond.status == 404
    assert beyond.body["error"]["message"] == (
        "There is no page 51; the last page is 50."
    )
    assert (some["count"], some["pages"]) == ((SEARCH_COUNT_LIMIT + 10) // 5, 3)
    assert len(some["results"]) == 2
    # Lists and the other filters are counted whole.
    assert (whole["count"], whole["pages"]) == (SEARCH_COUNT_LIMIT + 10, 51)
    assert len(whole["results"]) == 10


def test_an_empty_page_reads_no_rows(api, db):
    body, queries = queries_of(api, "/api/v1/faq-items/", search="surgery")

    assert (body["count"], body["pages"], body["results"]) == (0, 1, [])
    assert queries == 1
