"""HTTP caching of the public API as a browser, a CDN and an editor see it
(api/cache.py, publication/content_version.py, publication/models.py).

1. Headers of a 200: a strong ETag that is the hash of the body, Last-Modified,
   Cache-Control built from ``settings.API_CACHE``, Cache-Tag/Surrogate-Key naming
   what the response shows, no Vary on Accept-Language or Cookie; errors are
   ``no-store`` and carry no validator.
2. Conditional requests (If-None-Match, If-Modified-Since, If-Match), with the shared
   cache off, on a miss and on a hit, for GET and HEAD.
3. Cache hits: the same bytes and headers as the miss that stored them, without a
   single query, on every public endpoint; one entry per query string as sent.
4. Invalidation on commit only: a committed publication shows on the very next
   request (a saved edit changes no response until it is published), a rolled-back
   one bumps nothing, one transaction is one bump, and the purge tags of a change
   reach every cached response the change altered.
5. Draft-only changes (an unpublished object, an unpublished language) move nothing.
6. Admin paths (change form then publication panel, bulk delete, changelist drag
   and drop) bump on commit.
7. A failing cache (Redis unreachable, a backend that raises) fails open.

The shared cache is on for every test here (``response_cache``) unless a test turns
it off. Tests about invalidation commit for real (``transaction=True``): a test's
rolled-back transaction never runs the on-commit bump.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
from collections.abc import Callable

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from api import cache as api_cache
from api.cache import strong_etag
from content.models import (
    Article,
    CauseType,
    ClinicProfile,
    Criterion,
    ItemList,
    ListItem,
    Method,
)
from faq.models import FAQCategory, FAQItem
from publication import documents
from publication.content_version import VERSION_KEY, new_token
from publication.models import publishable_models
from tests.admin.conftest import read_form
from tests.conftest import DemoSnapshot, fresh, publications
from tests.factories import (
    ArticleFactory,
    CauseTypeFactory,
    ListItemFactory,
    item_list_with_items,
)

pytestmark = pytest.mark.response_cache

ARTICLE_SLUG = "mouth-corner-asymmetry"
ARTICLE = f"/api/v1/articles/{ARTICLE_SLUG}/"

# Every public JSON endpoint, with the demo's English slugs for the details.
PUBLIC_PATHS = [
    "/api/v1/",
    "/api/v1/articles/",
    ARTICLE,
    "/api/v1/cause-types/",
    "/api/v1/cause-types/muscular/",
    "/api/v1/methods/",
    "/api/v1/methods/botox/",
    "/api/v1/comparisons/",
    "/api/v1/comparisons/mouth-corner-methods/",
    "/api/v1/aftercare/",
    "/api/v1/aftercare/mouth-corner-aftercare/",
    "/api/v1/item-lists/",
    "/api/v1/item-lists/mouth-corner-muscles/",
    "/api/v1/faq-items/",
    "/api/v1/faq-items/botox-alone-or-surgery/",
    "/api/v1/faq-categories/",
    "/api/v1/faq-categories/mouth-corner-asymmetry/",
    "/api/v1/clinic/",
    "/api/v1/locales/",
    "/api/v1/sitemap/",
]

# The types of content: lists of a type carry its tag (a new object changes them).
TYPE_TAGS = {
    "aftercare",
    "article",
    "causetype",
    "clinicprofile",
    "comparison",
    "faqcategory",
    "faqitem",
    "itemlist",
    "method",
}

ETAG = re.compile(r'^"[0-9a-f]{32}"$')
LONG_AGO = "Mon, 01 Jan 2001 00:00:00 GMT"
FAR_FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


# Helpers.


def expected_cache_control(conf: dict) -> str:
    return (
        f"public, max-age={conf['MAX_AGE']}, s-maxage={conf['S_MAXAGE']}, "
        f"stale-while-revalidate={conf['STALE_WHILE_REVALIDATE']}, "
        f"stale-if-error={conf['STALE_IF_ERROR']}"
    )


def tags_of(response) -> set[str]:
    """The Cache-Tag header as a set (empty when absent)."""
    value = response.get("Cache-Tag", "")
    return set(value.split(",")) if value else set()


def headers_of(response, *, without: tuple[str, ...] = ()) -> dict[str, str]:
    skip = {name.lower() for name in without}
    return {
        name.lower(): value
        for name, value in response.items()
        if name.lower() not in skip
    }


def version() -> str | None:
    """The content version as stored in the shared cache."""
    return caches["default"].get(VERSION_KEY)


def queries_of(call: Callable[[], object]) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


def body(response) -> dict | list:
    return json.loads(response.content)


def slugs(response) -> list[str]:
    return [row["slug"] for row in body(response)["results"]]


def demo_article() -> Article:
    return Article.objects.get(slug_en=ARTICLE_SLUG)


@pytest.fixture
def committed_demo(transactional_db):
    """The demo content committed for real, so that on-commit bumps run."""
    return DemoSnapshot.load()


# 1. Headers of a 200 and of an error.


@pytest.mark.parametrize(
    "path",
    [
        ARTICLE,
        "/api/v1/articles/",
        "/api/v1/faq-items/",
        "/api/v1/clinic/",
        "/api/v1/locales/",
        "/api/v1/sitemap/",
    ],
)
def test_a_200_carries_a_strong_etag_of_its_body_and_http_dates(
    client, demo, settings, path
):
    response = client.get(path)

    assert response.status_code == 200
    assert ETAG.match(response["ETag"]), response["ETag"]
    assert response["ETag"] == strong_etag(response.content)
    last_modified = parse_http_date(response["Last-Modified"])
    assert http_date(last_modified) == response["Last-Modified"]
    assert response["Cache-Control"] == expected_cache_control(settings.API_CACHE)
    assert response["Cache-Control"] == (
        "public, max-age=60, s-maxage=600, stale-while-revalidate=60, "
        "stale-if-error=86400"
    )


def test_the_etag_differs_between_representations(client, demo):
    english = client.get(ARTICLE)
    korean = client.get("/api/v1/articles/입꼬리-비대칭/", {"locale": "ko"})
    listed = client.get("/api/v1/articles/")

    assert korean.status_code == 200
    assert len({english["ETag"], korean["ETag"], listed["ETag"]}) == 3


@pytest.mark.parametrize("cached", [True, False], ids=["cache-on", "cache-off"])
def test_cache_control_is_built_from_the_settings(client, demo, settings, cached):
    settings.API_CACHE = {
        **settings.API_CACHE,
        "ENABLED": cached,
        "MAX_AGE": 5,
        "S_MAXAGE": 7,
        "STALE_WHILE_REVALIDATE": 11,
        "STALE_IF_ERROR": 13,
    }

    miss = client.get(ARTICLE)
    again = client.get(ARTICLE)
    not_modified = client.get(ARTICLE, HTTP_IF_NONE_MATCH=miss["ETag"])

    expected = (
        "public, max-age=5, s-maxage=7, stale-while-revalidate=11, stale-if-error=13"
    )
    assert miss["Cache-Control"] == expected
    assert again["Cache-Control"] == expected
    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == expected


def test_article_tags_name_the_article_and_everything_it_embeds(client, demo):
    article = demo_article()
    blocks = list(article.blocks.all())
    embedded = {
        *(f"comparison-{b.comparison_id}" for b in blocks if b.comparison_id),
        *(f"itemlist-{b.item_list_id}" for b in blocks if b.item_list_id),
        *(f"aftercare-{b.aftercare_id}" for b in blocks if b.aftercare_id),
    }
    faq_items = {
        f"faqitem-{pk}"
        for pk in article.faq_items.published("en").values_list("pk", flat=True)
    }
    cause_types = {
        f"causetype-{pk}"
        for pk in CauseType.objects.published("en").values_list("pk", flat=True)
    }
    # The demo article embeds a comparison, an aftercare timeline, item lists, the
    # cause types block and an FAQ block: each kind must be named.
    assert {t.split("-")[0] for t in embedded} == {
        "comparison",
        "itemlist",
        "aftercare",
    }
    assert faq_items
    assert cause_types

    response = client.get(ARTICLE)

    tags = tags_of(response)
    assert f"article-{article.pk}" in tags
    assert embedded <= tags
    assert faq_items <= tags
    assert cause_types <= tags
    assert response["Surrogate-Key"].split(" ") == response["Cache-Tag"].split(",")


def test_a_detail_of_another_language_names_the_same_object(client, demo):
    article = demo_article()

    response = client.get("/api/v1/articles/입꼬리-비대칭/", {"locale": "ko"})

    assert f"article-{article.pk}" in tags_of(response)


@pytest.mark.parametrize(
    ("path", "model", "tag"),
    [
        ("/api/v1/articles/", Article, "article"),
        ("/api/v1/cause-types/", CauseType, "causetype"),
        ("/api/v1/methods/", Method, "method"),
        ("/api/v1/item-lists/", ItemList, "itemlist"),
        ("/api/v1/faq-items/", FAQItem, "faqitem"),
    ],
)
def test_a_list_carries_its_type_tag_and_each_listed_object(
    client, demo, path, model, tag
):
    response = client.get(path)

    listed = {
        f"{tag}-{pk}"
        for pk in model.objects.published("en").values_list("pk", flat=True)
    }
    assert listed
    assert tags_of(response) >= {tag, *listed}
    assert set(response["Surrogate-Key"].split(" ")) == tags_of(response)


def test_faq_category_list_carries_the_category_and_item_type_tags(client, demo):
    category = FAQCategory.objects.get()

    response = client.get("/api/v1/faq-categories/")

    assert tags_of(response) >= {"faqcategory", "faqitem", f"faqcategory-{category.pk}"}


def test_clinic_profile_names_itself_and_its_lists(client, demo):
    profile = ClinicProfile.load()

    response = client.get("/api/v1/clinic/")

    assert tags_of(response) >= {
        "clinicprofile",
        f"clinicprofile-{profile.pk}",
        f"itemlist-{profile.trust_points_id}",
        f"itemlist-{profile.care_system_id}",
    }


@pytest.mark.parametrize("path", ["/api/v1/locales/", "/api/v1/sitemap/"])
def test_locales_and_sitemap_carry_every_type_tag(client, demo, path):
    response = client.get(path)

    assert tags_of(response) >= TYPE_TAGS


@pytest.mark.parametrize("path", [ARTICLE, "/api/v1/faq-items/", "/api/v1/locales/"])
def test_no_vary_on_accept_language_or_cookie(client, demo, path):
    plain = client.get(path)
    korean_browser = client.get(
        path, HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9", HTTP_COOKIE="sessionid=abc"
    )

    for response in (plain, korean_browser):
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
        assert "accept-language" not in vary
        assert "cookie" not in vary
    assert korean_browser.content == plain.content
    assert korean_browser["ETag"] == plain["ETag"]


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/api/v1/articles/no-such-article/", {}, 404),
        ("/api/v1/articles/", {"locale": "xx"}, 400),
        ("/api/v1/articles/", {"colour": "red"}, 400),
        ("/api/v1/no-such-endpoint/", {}, 404),
        ("/api/v1/clinic/", {"locale": "zh-hans"}, 404),
    ],
    ids=[
        "unknown-slug",
        "bad-locale",
        "unknown-parameter",
        "unknown-path",
        "unpublished",
    ],
)
def test_errors_are_no_store_without_validators_or_tags(
    client, demo, path, query, status
):
    for _ in range(2):  # the miss, and the same request again
        response = client.get(path, query)

        assert response.status_code == status
        assert response["Cache-Control"] == "no-store"
        for header in ("ETag", "Last-Modified", "Cache-Tag", "Surrogate-Key"):
            assert header not in response, header
        assert "error" in body(response)


def test_a_404_is_not_stored(client, demo):
    client.get("/api/v1/articles/no-such-article/")

    response, queries = queries_of(
        lambda: client.get("/api/v1/articles/no-such-article/")
    )

    assert response.status_code == 404
    assert queries > 0  # rendered again, not served from the cache


# 2. Conditional requests, with the cache off, on a miss and on a hit.


class Conditional:
    """Sends conditional requests for the demo article after a first plain GET.

    ``cache-off``: no shared cache; ``cache-miss``: the cache is emptied before each
    request, so the response is rendered and stored; ``cache-hit``: the response
    comes from the entry the first GET stored."""

    def __init__(self, client: Client, mode: str):
        self.client = client
        self.mode = mode
        self.first = client.get(ARTICLE)
        assert self.first.status_code == 200
        self.etag = self.first["ETag"]
        self.last_modified = self.first["Last-Modified"]

    def send(self, method: str = "get", path: str = ARTICLE, **headers):
        if self.mode == "cache-miss":
            caches["default"].clear()
        if self.mode == "cache-hit":
            response, queries = queries_of(
                lambda: getattr(self.client, method)(path, **headers)
            )
            assert queries == 0, "expected a cache hit"
            return response
        return getattr(self.client, method)(path, **headers)


@pytest.fixture(params=["cache-off", "cache-miss", "cache-hit"])
def conditional(request, settings, client, demo) -> Conditional:
    settings.API_CACHE = {
        **settings.API_CACHE,
        "ENABLED": request.param != "cache-off",
    }
    return Conditional(client, request.param)


def assert_not_modified(response, conditional: Conditional, settings) -> None:
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == conditional.etag
    assert response["Cache-Control"] == expected_cache_control(settings.API_CACHE)
    assert response["Cache-Tag"] == conditional.first["Cache-Tag"]
    assert response["Surrogate-Key"] == conditional.first["Surrogate-Key"]


def assert_full(response, conditional: Conditional) -> None:
    assert response.status_code == 200
    assert response["ETag"] == conditional.etag
    if response.request["REQUEST_METHOD"] == "GET":
        assert response.content == conditional.first.content


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"0123", {etag}, "4567"', 'W/"0123",W/{etag}', "*"],
    ids=["exact", "weak", "list", "weak-list", "star"],
)
def test_if_none_match_that_matches_is_304(
    conditional, settings, method, if_none_match
):
    header = if_none_match.format(etag=conditional.etag)

    response = conditional.send(method, HTTP_IF_NONE_MATCH=header)

    assert_not_modified(response, conditional, settings)


@pytest.mark.parametrize("method", ["get", "head"])
def test_if_none_match_with_another_tag_is_200(conditional, method):
    response = conditional.send(
        method, HTTP_IF_NONE_MATCH='"00000000000000000000000000000000"'
    )

    assert_full(response, conditional)


@pytest.mark.parametrize("method", ["get", "head"])
def test_if_modified_since_the_last_modification_is_304(conditional, settings, method):
    response = conditional.send(
        method, HTTP_IF_MODIFIED_SINCE=conditional.last_modified
    )

    since = parse_http_date(conditional.last_modified)
    now = parse_http_date(response["Last-Modified"])
    if conditional.mode == "cache-hit":
        assert now == since
    # Without a stored entry the time may have moved on by a second; the answer
    # must follow the Last-Modified it reports.
    if now <= since:
        assert_not_modified(response, conditional, settings)
    else:
        assert_full(response, conditional)


@pytest.mark.parametrize("method", ["get", "head"])
def test_if_modified_since_a_later_time_is_304(conditional, settings, method):
    response = conditional.send(method, HTTP_IF_MODIFIED_SINCE=FAR_FUTURE)

    assert_not_modified(response, conditional, settings)


@pytest.mark.parametrize("method", ["get", "head"])
def test_if_modified_since_an_earlier_time_is_200(conditional, method):
    response = conditional.send(method, HTTP_IF_MODIFIED_SINCE=LONG_AGO)

    assert_full(response, conditional)


def test_if_none_match_takes_precedence_over_if_modified_since(conditional):
    response = conditional.send(
        HTTP_IF_NONE_MATCH='"00000000000000000000000000000000"',
        HTTP_IF_MODIFIED_SINCE=FAR_FUTURE,
    )

    assert_full(response, conditional)


@pytest.mark.parametrize(
    "if_match",
    ['"00000000000000000000000000000000"', "W/{etag}"],
    ids=["other", "weak"],
)
def test_if_match_that_fails_is_412_with_the_error_shape(conditional, if_match):
    # If-Match uses the strong comparison: the weak form of the tag does not match.
    response = conditional.send(HTTP_IF_MATCH=if_match.format(etag=conditional.etag))

    assert response.status_code == 412
    assert response["Content-Type"] == "application/json; charset=utf-8"
    error = body(response)["error"]
    assert error["status"] == 412
    assert error["code"] == "precondition_failed"
    assert error["message"]
    assert "ETag" not in response


@pytest.mark.parametrize("if_match", ["{etag}", "*"])
def test_if_match_that_matches_is_200(conditional, if_match):
    response = conditional.send(HTTP_IF_MATCH=if_match.format(etag=conditional.etag))

    assert_full(response, conditional)


def test_if_unmodified_since_an_earlier_time_is_412(conditional):
    response = conditional.send(HTTP_IF_UNMODIFIED_SINCE=LONG_AGO)

    assert response.status_code == 412
    assert body(response)["error"]["code"] == "precondition_failed"


def test_head_answers_the_headers_of_get_without_a_body(conditional):
    head = conditional.send("head")

    assert head.status_code == 200
    assert head.content == b""
    # Rendered again (cache off or emptied), the time may have moved on a second.
    varying = ("Content-Length", "Last-Modified")
    assert headers_of(head, without=varying) == headers_of(
        conditional.first, without=varying
    )
    if conditional.mode == "cache-hit":
        assert head["Last-Modified"] == conditional.last_modified


def test_a_get_after_a_head_miss_serves_the_full_body(client, demo):
    head = client.head(ARTICLE)

    get, queries = queries_of(lambda: client.get(ARTICLE))

    assert queries == 0  # the HEAD stored the entry
    assert get.status_code == 200
    assert get["ETag"] == head["ETag"] == strong_etag(get.content)
    assert body(get)["slug"] == ARTICLE_SLUG


def test_last_modified_stays_when_a_bump_leaves_the_bytes_as_they_were(client, demo):
    first = client.get(ARTICLE)
    since = parse_http_date(first["Last-Modified"])
    # A content change elsewhere, committed an hour later.
    caches["default"].set(VERSION_KEY, new_token((since + 3600) * 10**9))

    again, queries = queries_of(lambda: client.get(ARTICLE))
    revalidated = client.get(ARTICLE, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert queries > 0  # rendered again under the new version
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert revalidated.status_code == 304


def test_a_new_representation_takes_the_time_of_its_content_version(client, demo):
    first = client.get(ARTICLE)
    article = demo_article()
    article.title_en = "A new English title"
    article.save()
    article.publish("en")  # inside the test's transaction: no bump on its own
    bumped_at = parse_http_date(first["Last-Modified"]) + 3600
    caches["default"].set(VERSION_KEY, new_token(bumped_at * 10**9))
    # What the commit would also do: mark the article's stored documents stale.
    documents.invalidate({f"article-{article.pk}"})

    again = client.get(ARTICLE)

    assert body(again)["title"] == "A new English title"
    assert again["ETag"] != first["ETag"]
    assert again["Last-Modified"] == http_date(bumped_at)
    stale = client.get(ARTICLE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert stale.status_code == 200


# 3. Cache hits.


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_hit_serves_the_bytes_and_headers_of_the_miss_without_a_query(
    client, demo, path, django_assert_num_queries
):
    miss, queries = queries_of(lambda: client.get(path))
    assert miss.status_code == 200
    if path != "/api/v1/":  # the root reads nothing from the database
        assert queries > 0

    with django_assert_num_queries(0):
        hit = client.get(path)
    with django_assert_num_queries(0):
        head = client.head(path)
    with django_assert_num_queries(0):
        not_modified = client.get(path, HTTP_IF_NONE_MATCH=miss["ETag"])

    assert hit.status_code == 200
    assert hit.content == miss.content
    # Content-Length: see test_a_hit_carries_the_content_length_of_the_miss.
    same = headers_of(miss, without=("Content-Length",))
    assert headers_of(hit, without=("Content-Length",)) == same
    assert head.status_code == 200
    assert head.content == b""
    assert headers_of(head, without=("Content-Length",)) == same
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == miss["ETag"]


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_hit_carries_the_content_length_of_the_miss(client, demo, method):
    miss = client.get(ARTICLE)
    assert miss["Content-Length"] == str(len(miss.content))

    hit = getattr(client, method)(ARTICLE)

    assert hit.get("Content-Length") == miss["Content-Length"]


@pytest.mark.parametrize(
    ("path", "first", "second"),
    [
        ("/api/v1/faq-items/", {"locale": "en"}, {}),
        ("/api/v1/faq-items/", {}, {"locale": "en"}),
        # The locale list takes no locale: a 400, once served the other's 200.
        ("/api/v1/locales/", {}, {"locale": "en"}),
        (
            "/api/v1/faq-items/",
            "locale=ko&page=1&page_size=2",
            "page_size=2&page=1&locale=ko",
        ),
        ("/api/v1/sitemap/", "type=method&locale=ja", "locale=ja&type=method"),
    ],
    ids=["en-then-none", "none-then-en", "unlocalized", "reordered", "sitemap"],
)
def test_each_spelling_of_a_query_is_its_own_entry(
    client, demo, settings, path, first, second
):
    """Pagination links repeat the query as sent, so two spellings of one query
    may not be one answer: each is stored and answered with its own bytes (the
    contract until issue 16 shared one entry between them)."""

    def get(query):
        if isinstance(query, str):
            return client.get(f"{path}?{query}")
        return client.get(path, query)

    miss = get(first)
    assert miss.status_code == 200

    other = get(second)
    again, queries_again = queries_of(lambda: get(second))
    settings.API_CACHE = {**settings.API_CACHE, "ENABLED": False}
    uncached = get(second)

    assert (other.status_code, other.content) == (
        uncached.status_code,
        uncached.content,
    )
    if uncached.status_code == 200:
        assert queries_again == 0
        assert again.content == other.content
        assert again["ETag"] == other["ETag"]


def test_an_explicit_default_locale_keeps_it_in_the_next_link(client, demo):
    implicit = client.get("/api/v1/faq-items/", {"page_size": 1})
    explicit = client.get("/api/v1/faq-items/", {"page_size": 1, "locale": "en"})

    assert "locale=en" not in body(implicit)["next"]
    assert "locale=en" in body(explicit)["next"]


def test_other_locales_and_pages_are_other_entries(client, demo):
    english = client.get("/api/v1/faq-items/", {"page_size": 2})

    korean, queries = queries_of(
        lambda: client.get("/api/v1/faq-items/", {"page_size": 2, "locale": "ko"})
    )
    second_page, more = queries_of(
        lambda: client.get("/api/v1/faq-items/", {"page_size": 2, "page": 2})
    )

    assert queries > 0
    assert more > 0
    assert korean["Content-Language"] == "ko"
    assert slugs(korean) != slugs(english)
    assert slugs(second_page) != slugs(english)


def test_the_host_is_part_of_the_key(client, demo, settings):
    # Pagination links are absolute: another host must not get this host's links.
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    here = client.get("/api/v1/faq-items/", {"page_size": 2}, HTTP_HOST="one.example")

    there, queries = queries_of(
        lambda: client.get(
            "/api/v1/faq-items/", {"page_size": 2}, HTTP_HOST="two.example"
        )
    )

    assert queries > 0
    assert body(here)["next"].startswith("http://one.example/")
    assert body(there)["next"].startswith("http://two.example/")
    again = client.get("/api/v1/faq-items/", {"page_size": 2}, HTTP_HOST="one.example")
    assert again.content == here.content


# 4. Invalidation on commit.


def publish_new_article() -> Article:
    article = ArticleFactory(title_en="A brand new article")
    article.publish("en")
    return article


def edit_title() -> None:
    """Save an edit of the working copy (an editor's change form)."""
    article = demo_article()
    article.title_en = "An edited English title"
    article.save()


def publish_title() -> None:
    """Publish the working copy in English (the publication panel)."""
    demo_article().publish("en")


def publish_what_changed(code: str = "en") -> None:
    """Publish in ``code`` every object whose working copy differs from its
    published version there: what an editor publishes after an edit (a label, such
    as an FAQ category's name, is published with the objects that show it)."""
    for model in publishable_models():
        for obj in model.objects.published(code):
            if obj.changes_since_published(code):
                obj.publish(code)


def unpublish_in_korean() -> None:
    demo_article().unpublish("ko")


@pytest.mark.django_db(transaction=True)
def test_a_saved_edit_shows_from_the_request_after_its_publication(
    client, committed_demo
):
    warm = client.get(ARTICLE)
    listed = client.get("/api/v1/articles/")

    edit_title()

    # Saved, not published: the same bytes under the same validator.
    saved = client.get(ARTICLE)
    assert saved.content == warm.content
    assert saved["ETag"] == warm["ETag"]
    assert client.get(ARTICLE, HTTP_IF_NONE_MATCH=warm["ETag"]).status_code == 304
    assert client.get("/api/v1/articles/").content == listed.content
    before = version()

    publish_title()

    assert version() != before
    again = client.get(ARTICLE)
    assert body(again)["title"] == "An edited English title"
    assert again["ETag"] != warm["ETag"]
    assert again["ETag"] == strong_etag(again.content)
    assert client.get(ARTICLE, HTTP_IF_NONE_MATCH=warm["ETag"]).status_code == 200
    relisted = client.get("/api/v1/articles/")
    assert body(relisted)["results"][0]["title"] == "An edited English title"
    assert relisted["ETag"] != listed["ETag"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_publish_shows_on_the_next_request(client, committed_demo):
    listed = client.get("/api/v1/articles/")
    locales = client.get("/api/v1/locales/")
    sitemap = client.get("/api/v1/sitemap/")
    draft = ArticleFactory(title_en="A brand new article")
    missing = client.get(f"/api/v1/articles/{draft.slug_en}/")
    assert missing.status_code == 404

    draft.publish("en")

    relisted = client.get("/api/v1/articles/")
    assert draft.slug_en in slugs(relisted)
    assert relisted["ETag"] != listed["ETag"]
    assert client.get(f"/api/v1/articles/{draft.slug_en}/").status_code == 200
    counts = {
        row["code"]: row["published"] for row in body(client.get("/api/v1/locales/"))
    }
    before = {row["code"]: row["published"] for row in body(locales)}
    assert counts["en"]["articles"] == before["en"]["articles"] + 1
    assert draft.slug_en in {
        row["slug"] for row in body(client.get("/api/v1/sitemap/"))["results"]
    }
    assert draft.slug_en not in {row["slug"] for row in body(sitemap)["results"]}


@pytest.mark.django_db(transaction=True)
def test_a_committed_unpublish_shows_on_the_next_request(client, committed_demo):
    korean_path = "/api/v1/articles/입꼬리-비대칭/"
    assert client.get(korean_path, {"locale": "ko"}).status_code == 200
    listed = client.get("/api/v1/articles/", {"locale": "ko"})
    assert slugs(listed) == ["입꼬리-비대칭"]

    unpublish_in_korean()

    assert client.get(korean_path, {"locale": "ko"}).status_code == 404
    relisted = client.get("/api/v1/articles/", {"locale": "ko"})
    assert slugs(relisted) == []
    assert relisted["ETag"] != listed["ETag"]
    # English is untouched, and still served (from a fresh render).
    assert client.get(ARTICLE).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_edit_bumps_nothing(
    client, committed_demo, django_assert_num_queries
):
    warm = client.get(ARTICLE)
    before = version()

    with (  # noqa: PT012
        publications() as sent,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        edit_title()
        publish_title()
        raise RuntimeError("the editor's publication failed")

    assert sent == []
    assert version() == before
    with django_assert_num_queries(0):
        again = client.get(ARTICLE)
    assert again.content == warm.content
    assert demo_article().title_en != "An edited English title"


@pytest.mark.django_db(transaction=True)
def test_the_version_moves_only_when_the_transaction_commits(
    client, committed_demo, django_assert_num_queries
):
    warm = client.get(ARTICLE)
    before = version()

    with publications() as sent:
        with transaction.atomic():
            edit_title()
            publish_title()
            assert version() == before
            assert sent == []
            # Nothing is published yet: the cached representation still answers.
            with django_assert_num_queries(0):
                during = client.get(ARTICLE)
            assert during.content == warm.content
        after = version()

    assert after != before
    assert len(sent) == 1
    assert body(client.get(ARTICLE))["title"] == "An edited English title"


@pytest.mark.django_db(transaction=True)
def test_one_transaction_with_several_changes_is_one_publication(committed_demo):
    article = demo_article()
    item = FAQItem.objects.order_by("pk").first()
    method = Method.objects.get(slug_en="botox")

    with publications() as sent, transaction.atomic():
        article.title_en = "An edited English title"
        article.save()
        item.question_en = "An edited question?"
        item.save()
        method.summary_en = "An edited summary."
        method.save()
        for obj in (article, item, method):
            obj.publish("en")

    assert len(sent) == 1
    # Republications at the same address: the objects' tags (their lists' pages
    # that show them carry those), not their types'.
    assert {f"article-{article.pk}", f"faqitem-{item.pk}", f"method-{method.pk}"} <= (
        sent[0]
    )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_leaves_its_change_out_of_the_publication(
    committed_demo,
):
    article = demo_article()
    item = FAQItem.objects.order_by("pk").first()

    with publications() as sent, transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            item.question_en = "An edited question?"
            item.save()
            item.publish("en")
            raise RuntimeError("refused")
        article.title_en = "An edited English title"
        article.save()
        article.publish("en")

    assert len(sent) == 1
    assert f"article-{article.pk}" in sent[0]
    assert f"faqitem-{item.pk}" not in sent[0]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_whose_only_change_was_rolled_back_publishes_nothing(
    committed_demo,
):
    item = FAQItem.objects.order_by("pk").first()
    before = version()

    with (
        publications() as sent,
        transaction.atomic(),
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        item.question_en = "An edited question?"
        item.save()
        item.publish("en")
        raise RuntimeError("refused")

    assert sent == []
    assert version() == before


# The purge tags of a change must reach every response the change altered: a CDN
# that purges by tag otherwise keeps serving the old page for s-maxage. An edit is
# saved first (it alters no response) and then published (the change).


def _rename(model, field: str, value: str, **lookup) -> Callable[[], None]:
    def change() -> None:
        obj = model.objects.get(**lookup) if lookup else model.objects.order_by("pk")[0]
        setattr(obj, field, value)
        obj.save()

    return change


def _publish_new_cause_type() -> None:
    CauseTypeFactory(name_en="A brand new cause type").publish("en")


def _edited(edit: Callable[[], None], id: str):
    """A case whose change is the publication of ``edit``, saved before."""
    return pytest.param(edit, publish_what_changed, id=id)


PURGE_CASES = [
    _edited(_rename(FAQItem, "question_en", "Edited?"), "faq-question"),
    _edited(_rename(ListItem, "title_en", "Edited item"), "list-item"),
    _edited(_rename(FAQCategory, "name_en", "Edited category"), "category"),
    _edited(_rename(Criterion, "name_en", "Edited criterion"), "criterion"),
    pytest.param(None, publish_new_article, id="new-article"),
    pytest.param(None, unpublish_in_korean, id="unpublish-article-ko"),
    _edited(
        _rename(Method, "name_en", "Edited method", slug_en="botox"), "method-name"
    ),
    _edited(
        _rename(CauseType, "name_en", "Edited cause type", slug_en="muscular"),
        "cause-type-name",
    ),
    _edited(
        _rename(Article, "title_en", "Edited title", slug_en=ARTICLE_SLUG),
        "article-title",
    ),
    pytest.param(None, _publish_new_cause_type, id="new-cause-type"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("edit", "change"), PURGE_CASES)
def test_the_purge_tags_reach_every_response_the_change_altered(
    client, committed_demo, edit, change
):
    # Every endpoint in English; the lists (whose paths hold no slug) in Korean too.
    requests = [(path, "en") for path in PUBLIC_PATHS] + [
        (path, "ko") for path in PUBLIC_PATHS if path.count("/") <= 4
    ]
    before = {
        (path, code): client.get(path, {"locale": code}) for path, code in requests
    }
    if edit is not None:
        edit()
        saved = [
            (path, code)
            for (path, code), old in before.items()
            if client.get(path, {"locale": code}).content != old.content
        ]
        assert saved == [], "a saved edit altered a response before its publication"

    with publications() as sent, transaction.atomic():
        change()

    assert len(sent) == 1
    purged = sent[0]
    altered, stale = [], []
    for (path, code), old in before.items():
        new = client.get(path, {"locale": code})
        if new.content == old.content and new.status_code == old.status_code:
            continue
        altered.append((path, code))
        if old.status_code == 200 and not tags_of(old) & purged:
            stale.append((path, code, sorted(tags_of(old))))
    assert altered, "the change altered no response"
    assert stale == [], f"purged {sorted(purged)}; not purged: {stale}"


# 5. Draft-only changes.


def _new_draft_article() -> None:
    draft = ArticleFactory()
    draft.title_en = "Still a draft"
    draft.summary_ko = "아직 초안"
    draft.save()


def _edit_unpublished_language() -> None:
    article = demo_article()
    assert "zh-hans" not in article.published_languages
    article.title_zh_hans = "嘴角不对称"
    article.summary_zh_hans = "草稿"
    article.save()


def _add_item_to_unpublished_list() -> None:
    item_list = item_list_with_items(items=1)
    assert item_list.published_languages == []
    ListItemFactory(item_list=item_list, title_en="Another draft item")


def _edit_draft_method() -> None:
    # A method published in no language, created and then renamed.
    method = Method.objects.create(
        name_en="Draft method", summary_en="Draft.", procedure_type="injection"
    )
    method.name_en = "Draft method, renamed"
    method.save()


DRAFT_CHANGES = [
    pytest.param(_new_draft_article, id="draft-article"),
    pytest.param(_edit_unpublished_language, id="unpublished-language"),
    pytest.param(_add_item_to_unpublished_list, id="part-of-draft-list"),
    pytest.param(_edit_draft_method, id="draft-method"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", DRAFT_CHANGES)
def test_a_draft_only_change_moves_nothing(
    client, committed_demo, change, django_assert_num_queries
):
    paths = [ARTICLE, "/api/v1/articles/", "/api/v1/item-lists/", "/api/v1/sitemap/"]
    warm = {path: client.get(path) for path in paths}
    article = demo_article()
    before = version()

    with publications() as sent:
        change()

    assert sent == []
    assert version() == before
    assert fresh(article).updated_at == article.updated_at
    for path, response in warm.items():
        with django_assert_num_queries(0):
            again = client.get(path)
        assert again.content == response.content


@pytest.mark.django_db(transaction=True)
def test_the_same_edit_in_a_published_language_shows_once_published_there(
    client, committed_demo
):
    article = demo_article()
    assert "ja" in article.published_languages
    # Published an hour ago, so that "later" is visible to the second.
    article.versions.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    japanese = f"/api/v1/articles/{article.slug_ja}/"
    warm = client.get(japanese, {"locale": "ja"})

    article.title_ja = "口角の非対称、改訂版"
    article.save()
    saved = client.get(japanese, {"locale": "ja"})
    assert saved.content == warm.content
    assert saved["ETag"] == warm["ETag"]
    before = version()

    with publications() as sent:
        article.publish("ja")

    assert len(sent) == 1
    assert f"article-{article.pk}" in sent[0]
    assert version() != before
    again = client.get(japanese, {"locale": "ja"})
    assert body(again)["title"] == "口角の非対称、改訂版"
    assert body(again)["updated_at"] > body(warm)["updated_at"]
    assert again["ETag"] != warm["ETag"]


# 6. Admin paths.


def panel_url(obj) -> str:
    """The change page's publication panel (publication/admin.py)."""
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_publication", args=[obj.pk]
    )


@pytest.mark.django_db(transaction=True)
def test_an_faq_change_form_save_shows_once_the_panel_publishes_it(
    client, admin_client, committed_demo
):
    item = FAQItem.objects.published("en").order_by("pk").first()
    path = f"/api/v1/faq-items/{item.slug_en}/"
    warm = client.get(path)
    url = reverse("admin:faq_faqitem_change", args=[item.pk])
    data = read_form(admin_client.get(url), "faqitem_form")
    before = version()

    # Saved as it was: nothing changes, nothing is published.
    with publications() as sent:
        response = admin_client.post(url, data)
    assert response.status_code == 302
    assert sent == []
    assert version() == before

    data["answer_en"] = ["<p>An edited English answer.</p>"]
    response = admin_client.post(url, data)
    assert response.status_code == 302
    saved = client.get(path)
    assert saved.content == warm.content
    assert saved["ETag"] == warm["ETag"]
    before = version()

    with publications() as sent:
        response = admin_client.post(panel_url(item), {"publish": "en"})

    assert response.status_code == 302
    assert len(sent) == 1
    # A republication at the same address: the item's tag, not every FAQ page's.
    assert f"faqitem-{item.pk}" in sent[0]
    assert "faqitem" not in sent[0]
    assert version() != before
    again = client.get(path)
    assert "An edited English answer." in body(again)["answer"]
    assert again["ETag"] != warm["ETag"]


@pytest.mark.django_db(transaction=True)
def test_bulk_deleting_a_published_faq_item_in_the_admin_publishes(
    client, admin_client, committed_demo
):
    article = demo_article()
    item = article.faq_items.published("en").order_by("pk").last()
    listed = client.get("/api/v1/faq-items/")
    warm_article = client.get(ARTICLE)
    assert item.slug_en in slugs(listed)
    before = version()

    with publications() as sent:
        response = admin_client.post(
            reverse("admin:faq_faqitem_changelist"),
            {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not FAQItem.objects.filter(pk=item.pk).exists()
    assert len(sent) == 1
    assert f"faqitem-{item.pk}" in sent[0]
    assert version() != before
    assert item.slug_en not in slugs(client.get("/api/v1/faq-items/"))
    assert client.get(f"/api/v1/faq-items/{item.slug_en}/").status_code == 404
    again = client.get(ARTICLE)
    assert again["ETag"] != warm_article["ETag"]
    assert item.slug_en not in again.content.decode()
    assert item.slug_en in warm_article.content.decode()


def reorder(admin_client, model, moves: list[list[int]]):
    opts = model._meta
    return admin_client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_sortable_update"),
        data=json.dumps({"updatedItems": moves}),
        content_type="application/json",
    )


@pytest.mark.django_db(transaction=True)
def test_dragging_faq_items_in_the_changelist_publishes(
    client, admin_client, committed_demo
):
    first, second = FAQItem.objects.published("en").order_by("position", "pk")[:2]
    assert first.position != second.position
    listed = client.get("/api/v1/faq-items/")
    assert slugs(listed)[:2] == [first.slug_en, second.slug_en]
    before = version()

    with publications() as sent:
        response = reorder(
            admin_client,
            FAQItem,
            [[first.pk, second.position], [second.pk, first.position]],
        )

    assert response.status_code == 200, response.content
    assert len(sent) == 1
    assert {f"faqitem-{first.pk}", f"faqitem-{second.pk}", "faqitem"} <= sent[0]
    assert version() != before
    relisted = client.get("/api/v1/faq-items/")
    assert slugs(relisted)[:2] == [second.slug_en, first.slug_en]
    assert relisted["ETag"] != listed["ETag"]


@pytest.mark.django_db(transaction=True)
def test_dragging_draft_faq_items_publishes_nothing(
    client, admin_client, committed_demo
):
    category = FAQCategory.objects.get()
    drafts = [
        FAQItem.objects.create(
            category=category,
            question_en=f"A draft question {n}?",
            answer_en="<p>Draft.</p>",
            position=100 + n,
        )
        for n in range(2)
    ]
    before = version()

    with publications() as sent:
        response = reorder(
            admin_client, FAQItem, [[drafts[0].pk, 101], [drafts[1].pk, 100]]
        )

    assert response.status_code == 200, response.content
    assert fresh(drafts[0]).position == 101
    assert sent == []
    assert version() == before


# 7. A failing cache fails open.


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "runtime.cache_backends.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def cache_warnings(caplog, monkeypatch) -> Callable[[], list[logging.LogRecord]]:
    """The warnings of the cache logger; the once-a-minute throttle starts afresh."""
    monkeypatch.setattr(api_cache._Failure, "last", float("-inf"))
    caplog.set_level(logging.WARNING, logger="clinic.cache")

    def records() -> list[logging.LogRecord]:
        return [
            r
            for r in caplog.records
            if r.name == "clinic.cache" and r.levelno == logging.WARNING
        ]

    return records


@pytest.mark.parametrize("path", [ARTICLE, "/api/v1/faq-items/", "/api/v1/locales/"])
def test_an_unreachable_redis_fails_open(client, demo, path, cache_warnings):
    reference = client.get(path)

    with override_settings(CACHES=UNREACHABLE_REDIS):
        assert type(caches["default"]).__name__ == "RedisCache"
        first, queries = queries_of(lambda: client.get(path))
        second, more = queries_of(lambda: client.get(path))
        not_modified = client.get(path, HTTP_IF_NONE_MATCH=reference["ETag"])
        head = client.head(path, HTTP_IF_NONE_MATCH="W/" + reference["ETag"])

    for response, rendered in ((first, queries), (second, more)):
        assert response.status_code == 200
        assert rendered > 0
        assert response.content == reference.content
        assert response["ETag"] == reference["ETag"]
        assert response["Cache-Control"] == reference["Cache-Control"]
        assert response["Cache-Tag"] == reference["Cache-Tag"]
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == reference["ETag"]
    assert head.status_code == 304
    # Logged once, not once per request.
    assert len(cache_warnings()) == 1


FAILING_OPERATIONS = {
    "reads": ("get", "get_many"),
    "writes": ("set", "set_many", "add"),
    "everything": ("get", "get_many", "set", "set_many", "add", "delete"),
}


@pytest.mark.parametrize("failing", FAILING_OPERATIONS)
def test_a_cache_that_raises_fails_open(demo, monkeypatch, cache_warnings, failing):
    reference = Client().get(ARTICLE)
    cache = caches["default"]
    # Nothing stored but the version: a request reads, misses, renders and stores.
    cache.clear()
    cache.set(VERSION_KEY, new_token(), timeout=None)

    def boom(*args, **kwargs):
        raise ConnectionError("the cache is down")

    for name in FAILING_OPERATIONS[failing]:
        monkeypatch.setattr(cache, name, boom)
    client = Client()
    first, queries = queries_of(lambda: client.get(ARTICLE))
    second, more = queries_of(lambda: client.get(ARTICLE, {"locale": "en"}))
    not_modified = client.get(ARTICLE, HTTP_IF_NONE_MATCH=reference["ETag"])

    for response, rendered in ((first, queries), (second, more)):
        assert response.status_code == 200
        assert rendered > 0
        assert response.content == reference.content
        assert response["ETag"] == reference["ETag"] == strong_etag(response.content)
        assert response["Cache-Control"] == reference["Cache-Control"]
    assert not_modified.status_code == 304
    # Logged once, not once per request.
    assert len(cache_warnings()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_commit_while_the_cache_is_down_succeeds_and_is_served(
    client, committed_demo, monkeypatch, cache_warnings
):
    cache = caches["default"]

    def boom(*args, **kwargs):
        raise ConnectionError("the cache is down")

    for name in FAILING_OPERATIONS["everything"]:
        monkeypatch.setattr(cache, name, boom)

    # The bump cannot be stored; the commit stands.
    with publications() as sent, transaction.atomic():
        edit_title()
        publish_title()

    assert len(sent) == 1
    assert demo_article().title_en == "An edited English title"
    response = client.get(ARTICLE)
    assert response.status_code == 200
    assert body(response)["title"] == "An edited English title"
    assert cache_warnings()
