"""``generate_content`` publishes what it generates: each copy's published versions
are exactly what ``store_version`` would have stored, written in bulk."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from content.models import Article
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES
from publication.models import PublishedVersion, changed_field

pytestmark = pytest.mark.django_db

# What a version says about its object; not when (``updated_at`` is the time it
# was stored) or by whom it was stored.
COMPARED = (
    "content_type_id",
    "object_id",
    "locale",
    "slug",
    "data",
    "visible_from",
    "refs",
    "search_text",
)


def stored(obj, code: str) -> dict:
    rows = PublishedVersion.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        locale=code,
    ).values(*COMPARED)
    return rows.get()


def as_store_version_stores(obj, code: str) -> dict:
    """The version ``store_version`` writes for ``obj`` in ``code`` now, read back
    and rolled back."""
    with transaction.atomic():
        obj.store_version(code)
        row = stored(obj, code)
        transaction.set_rollback(True)
    return row


def test_every_generated_version_is_what_store_version_stores(demo):
    demo_items = set(FAQItem.objects.values_list("pk", flat=True))
    demo_articles = set(Article.objects.values_list("pk", flat=True))

    call_command("generate_content", articles=3, faq_items=20, verbosity=0)

    items = list(FAQItem.objects.exclude(pk__in=demo_items))
    articles = list(Article.objects.exclude(pk__in=demo_articles))
    assert (len(items), len(articles)) == (15, 2)
    # The demo's items, which every article copy links as its original does,
    # have those links published too.
    linked = list(FAQItem.objects.filter(pk__in=demo_items))
    assert all(item.articles.count() == 3 for item in linked)
    compared = 0
    for obj in [*items, *articles, *linked]:
        assert set(obj.versions.values_list("locale", flat=True)) == set(
            obj.published_languages
        ), obj
        for code in obj.published_languages:
            generated = stored(obj, code)
            assert generated["data"] == obj.snapshot(code), (obj, code)
            assert generated == as_store_version_stores(obj, code), (obj, code)
            compared += 1
        assert not any(getattr(obj, changed_field(code)) for code in LANGUAGE_CODES)
    # Items in four languages, articles in three.
    assert compared == 4 * (len(items) + len(linked)) + 3 * len(articles)


def test_the_copies_are_served_with_their_links(demo, client):
    call_command("generate_content", articles=3, faq_items=20, verbosity=0)
    article = Article.objects.order_by("-pk").first()

    items = client.get(
        "/api/v1/faq-items/", {"locale": "ko", "article": article.slug_ko}
    ).json()
    detail = client.get(f"/api/v1/articles/{article.slug_en}/", {"locale": "en"})

    # The original's five and five of its own.
    assert items["count"] == 10
    assert detail.status_code == 200
    assert detail.json()["title"] == article.title_en


def generation_queries(**sizes) -> tuple[int, int, int]:
    """The queries of one generation, rolled back: how many inserted rows, how
    many other statements, and how many versions it wrote."""
    versions = PublishedVersion.objects.count()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            call_command("generate_content", verbosity=0, **sizes)
        written = PublishedVersion.objects.count() - versions
        transaction.set_rollback(True)
    inserts = sum(q["sql"].startswith("INSERT") for q in queries.captured_queries)
    return inserts, len(queries) - inserts, written


def test_the_queries_do_not_grow_with_the_copies(demo):
    """Rows and versions are written in batches, and nothing is read per object:
    with three times the copies, the same statements besides the inserts, whose
    batches (sized by the database's limit on parameters) hold many rows each.
    The 238 s of ``sync_versions`` on the large dataset were queries per object."""
    generation_queries(articles=2, faq_items=6)  # content types read once
    _, small, _ = generation_queries(articles=3, faq_items=20)

    inserts, large, versions = generation_queries(articles=6, faq_items=60)

    assert large == small
    assert versions == 4 * 55 + 3 * 5
    assert inserts < versions / 10
