"""The delivery store (publication/documents.py): every public URL without a filter
or search is kept as bytes, read back with one query, marked stale exactly where a
change of published content reaches, rendered again from published versions, and
never serves what was not published.

These tests commit for real (``transaction=True``): marking happens when a change
commits, as in production.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.encoding import iri_to_uri

from api.cache import ApiCacheMiddleware, read_version
from content.models import Article, Method
from faq.models import FAQItem
from publication import documents
from publication.content_version import bump
from publication.documents import Document
from publication.tasks import render_stale_documents
from tests.conftest import DemoSnapshot
from tests.factories import FAQItemFactory, publish

pytestmark = [pytest.mark.response_cache, pytest.mark.django_db(transaction=True)]

ORIGIN = "http://testserver"


@pytest.fixture
def demo(transactional_db):
    return DemoSnapshot.load()


def stored(path: str) -> Document | None:
    """The document of ``path`` (non-ASCII slugs as the URL carries them)."""
    return documents.read(ORIGIN + iri_to_uri(path))


def first_item() -> FAQItem:
    return FAQItem.objects.filter(published_en=True).order_by("position", "pk")[0]


def test_a_public_url_is_stored_once_and_read_back_with_one_query(
    demo, client, django_assert_num_queries
):
    article = Article.objects.get()
    path = f"/api/v1/articles/{article.slug_en}/?locale=en"
    first = client.get(path)
    document = stored(path)
    assert document is not None
    assert not document.stale
    assert bytes(document.body) == first.content
    assert document.etag == first["ETag"]
    assert f"article-{article.pk}" in document.tags()
    caches["default"].clear()  # the response cache in front is gone: the store answers

    with django_assert_num_queries(1):
        again = client.get(path)

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Tag"] == first["Cache-Tag"]


def test_the_store_answers_with_the_response_cache_off(
    demo, client, settings, django_assert_num_queries
):
    settings.API_CACHE = {**settings.API_CACHE, "ENABLED": False}
    path = "/api/v1/faq-items/?locale=ko"
    first = client.get(path)
    assert stored(path) is not None

    with django_assert_num_queries(1):
        again = client.get(path)

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_filtered_searched_and_resized_lists_are_not_stored(demo, client):
    for query in ("search=botox", "page_size=2", "structured_data=true"):
        path = f"/api/v1/faq-items/?locale=en&{query}"
        assert client.get(path).status_code == 200
        assert stored(path) is None
    assert client.get("/api/v1/faq-items/?locale=en&page=1").status_code == 200
    assert stored("/api/v1/faq-items/?locale=en&page=1") is not None


def test_errors_are_not_stored(demo, client):
    path = "/api/v1/articles/no-such-article/?locale=en"
    assert client.get(path).status_code == 404
    assert stored(path) is None


def test_publishing_marks_stale_exactly_the_documents_that_show_the_object(
    demo, client
):
    item = first_item()
    article = Article.objects.get()
    method = Method.objects.filter(published_en=True).order_by("pk")[0]
    shows_item = [
        "/api/v1/faq-items/?locale=en",
        f"/api/v1/faq-items/{item.slug_en}/?locale=en",
        f"/api/v1/articles/{article.slug_en}/?locale=en",  # its FAQ block
        "/api/v1/articles/?locale=en",  # the article's last change
        "/api/v1/sitemap/?locale=en",  # its entry and the article's
        f"/api/v1/faq-categories/{item.category.slug_en}/?locale=en",  # last change
    ]
    does_not = [
        f"/api/v1/methods/{method.slug_en}/?locale=en",
        "/api/v1/comparisons/?locale=en",
        # A republication at the same address changes no count.
        "/api/v1/locales/",
    ]
    for path in shows_item + does_not:
        assert client.get(path).status_code == 200

    item.answer_en = "<p>A new answer, published.</p>"
    item.save()
    item.publish("en")

    for path in shows_item:
        assert stored(path).stale, path
    for path in does_not:
        assert not stored(path).stale, path


def test_a_stale_document_is_never_served_and_the_worker_renders_it_again(demo, client):
    item = first_item()
    path = f"/api/v1/faq-items/{item.slug_en}/?locale=en"
    before = client.get(path)
    item.answer_en = "<p>A new answer, published.</p>"
    item.save()
    item.publish("en")

    # Before the worker ran: rendered on demand, from the published version.
    assert "A new answer, published." in client.get(path).content.decode()

    item.answer_en = "<p>Another answer.</p>"
    item.save()
    item.publish("en")
    result = render_stale_documents.call()
    assert "documents rendered again" in result
    document = stored(path)
    assert not document.stale
    assert "Another answer." in bytes(document.body).decode()
    assert document.etag != before["ETag"]


def test_refresh_says_which_documents_changed_and_how(demo, client):
    item = first_item()
    detail = f"/api/v1/faq-items/{item.slug_en}/?locale=en"
    ko_list = "/api/v1/faq-items/?locale=ko"
    for path in (detail, ko_list):
        client.get(path)
    before = stored(detail).etag
    item.answer_en = "<p>Changed in English only.</p>"
    item.save()
    item.publish("en")

    changes = {
        change.url: change
        for change in documents.refresh(Document.objects.filter(stale=True))
    }

    change = changes[ORIGIN + detail]
    assert change.changed
    assert change.before == before
    assert change.after == stored(detail).etag
    assert change.path == f"/api/v1/faq-items/{item.slug_en}/"
    assert change.locale == "en"
    assert f"faqitem-{item.pk}" in change.tags
    # The Korean list shows the item too, but not its English text: left as it was.
    assert ORIGIN + ko_list not in changes
    assert not stored(ko_list).stale


def test_a_saved_edit_that_is_not_published_changes_no_document(demo, client):
    item = first_item()
    paths = [
        "/api/v1/faq-items/?locale=en",
        f"/api/v1/faq-items/{item.slug_en}/?locale=en",
        f"/api/v1/articles/{Article.objects.get().slug_en}/?locale=en",
    ]
    bodies = {path: client.get(path).content for path in paths}
    item.answer_en = "<p>Not published yet.</p>"
    item.save()

    changes = documents.refresh_stale()

    assert not [change for change in changes if change.changed]
    for path in paths:
        assert client.get(path).content == bodies[path]


def test_an_unpublished_detail_is_dropped_from_the_store(demo, client):
    item = FAQItem.objects.filter(published_ko=True).order_by("pk")[0]
    path = f"/api/v1/faq-items/{item.slug_ko}/?locale=ko"
    client.get(path)
    item.unpublish("ko")

    changes = documents.refresh_stale()

    gone = [c for c in changes if c.url == ORIGIN + iri_to_uri(path)]
    assert gone
    assert gone[0].after is None
    assert stored(path) is None
    assert client.get(path).status_code == 404


def test_a_document_rendered_across_a_change_is_not_kept(demo, client):
    """The race: a render that started under one content version and is written
    after a change committed (the version moved) is dropped, not kept."""
    cache = caches["default"]
    path = "/api/v1/locales/"
    response = client.get(path)
    documents.discard(ORIGIN + path)
    started_under = read_version(cache)
    bump()  # a change commits while the render runs

    ApiCacheMiddleware.store_document(
        cache,
        ORIGIN + path,
        (started_under, (), response.content, response["ETag"], 0),
        response,
        ("faqitem",),
    )

    assert stored(path) is None


def test_rebuild_documents_renders_every_public_url(demo, client, capsys):
    call_command("rebuild_documents", "--origin", ORIGIN)
    out = capsys.readouterr().out
    count = int(out.split("Documents rendered: ")[1].split()[0])
    assert count == Document.objects.count()
    sitemap = json.loads(bytes(stored("/api/v1/sitemap/?locale=ko").body))
    assert sitemap["results"]
    for entry in sitemap["results"]:
        slug = iri_to_uri(entry["slug"])
        assert Document.objects.filter(url__contains=f"/{slug}/?locale=ko").exists()
    assert not Document.objects.filter(stale=True).exists()
    # Every stored document is what a client gets.
    for document in Document.objects.all()[:20]:
        assert client.get(document.url).content == bytes(document.body)

    call_command("rebuild_documents", "--origin", ORIGIN)
    again = capsys.readouterr().out
    assert f"Documents rendered: {count} " in again


def test_rebuild_documents_needs_an_origin(demo, settings):
    settings.PUBLIC_ORIGIN = ""
    with pytest.raises(CommandError, match="PUBLIC_ORIGIN"):
        call_command("rebuild_documents", "--origin", "")


def shown_item_paths(item: FAQItem, code: str) -> list[str]:
    """The item's detail and the details of the articles that show it, in ``code``."""
    slug = f"slug_{code.replace('-', '_')}"
    articles = item.articles.filter(**{f"published_{code.replace('-', '_')}": True})
    assert articles, "the demo's FAQ item is shown by an article"
    return [
        f"/api/v1/faq-items/{getattr(item, slug)}/?locale={code}",
        *(f"/api/v1/articles/{getattr(a, slug)}/?locale={code}" for a in articles),
    ]


def shown_item() -> FAQItem:
    """An FAQ item published in en and ko that an article shows in both."""
    return (
        FAQItem.objects.filter(
            published_en=True,
            published_ko=True,
            articles__published_en=True,
            articles__published_ko=True,
        )
        .distinct()
        .order_by("pk")[0]
    )


def test_a_republication_in_english_leaves_the_korean_documents_fresh(demo, client):
    item = shown_item()
    english, korean = shown_item_paths(item, "en"), shown_item_paths(item, "ko")
    korean_bodies = {path: client.get(path).content for path in korean}
    for path in english:
        assert client.get(path).status_code == 200

    item.answer_en = "<p>A new English answer.</p>"
    item.save()
    item.publish("en")

    for path in english:
        assert stored(path).stale, path
    for path in korean:
        assert not stored(path).stale, path
    changes = documents.refresh_stale()
    assert {change.locale for change in changes} == {"en"}
    for path in english:
        assert "A new English answer." in client.get(path).content.decode(), path
    for path in korean:
        assert client.get(path).content == korean_bodies[path], path


def alternate_locales(path: str) -> list[str]:
    body = json.loads(bytes(stored(path).body))
    return [entry["locale"] for entry in body["alternates"]["languages"]]


def test_a_first_publication_in_korean_changes_the_english_alternates(demo, client):
    item = shown_item()
    item.unpublish("ko")
    english = f"/api/v1/faq-items/{item.slug_en}/?locale=en"
    client.get(english)
    assert "ko" not in alternate_locales(english)

    item.publish("ko")

    assert stored(english).stale
    changes = {change.url: change for change in documents.refresh_stale()}
    assert changes[ORIGIN + english].changed
    assert "ko" in alternate_locales(english)


def test_an_unpublication_in_korean_changes_the_english_alternates(demo, client):
    item = shown_item()
    english = f"/api/v1/faq-items/{item.slug_en}/?locale=en"
    client.get(english)
    assert "ko" in alternate_locales(english)

    item.unpublish("ko")

    assert stored(english).stale
    changes = {change.url: change for change in documents.refresh_stale()}
    assert changes[ORIGIN + english].changed
    assert "ko" not in alternate_locales(english)


def test_a_new_slug_in_korean_changes_the_english_alternates(demo, client):
    item = shown_item()
    english = f"/api/v1/faq-items/{item.slug_en}/?locale=en"
    client.get(english)

    item.slug_ko = "new-korean-slug"
    item.save()
    item.publish("ko")

    assert stored(english).stale
    documents.refresh_stale()
    body = json.loads(bytes(stored(english).body))
    slugs = {e["locale"]: e["slug"] for e in body["alternates"]["languages"]}
    assert slugs["ko"] == "new-korean-slug"


def test_documents_in_no_language_are_reached_by_a_change_in_any(demo, client):
    item = shown_item()
    client.get("/api/v1/locales/")
    assert stored("/api/v1/locales/").locale == ""
    assert "faqitem" in stored("/api/v1/locales/").tags()  # it counts them

    item.unpublish("ko")  # one item fewer in Korean

    assert stored("/api/v1/locales/").stale


def test_a_republication_leaves_the_list_and_sitemap_pages_that_do_not_show_it_fresh(
    demo, client
):
    # Enough items for a second page of the FAQ list and of the sitemap.
    items = FAQItemFactory.create_batch(45, category=first_item().category)
    publish(*items)
    item = items[-1]
    page_of = {
        path: client.get(path).json()
        for path in (
            "/api/v1/faq-items/?locale=en",
            "/api/v1/faq-items/?locale=en&page=2",
            "/api/v1/faq-items/?locale=en&page=3",
            "/api/v1/sitemap/?locale=en",
            "/api/v1/sitemap/?locale=en&page=2",
            "/api/v1/sitemap/?locale=en&page=3",
        )
    }
    # What each page shows, as (type, slug): FAQ list pages show items only.
    shown = {
        path: {(r.get("type", "faq_item"), r["slug"]) for r in body["results"]}
        for path, body in page_of.items()
    }

    item.refresh_from_db()
    item.answer_en = "<p>A new answer on a later page.</p>"
    item.save()
    item.publish("en")

    # The pages that show the item, or its category (whose last change it is).
    mine = {("faq_item", item.slug_en), ("faq_category", item.category.slug_en)}
    shows = {path for path, there in shown.items() if there & mine}
    assert shows, "the item is on some pages"
    assert shows != set(shown), "not on all of them"
    for path in shown:
        assert stored(path).stale == (path in shows), path
    # What the pages left fresh say is still what they would say now.
    documents.refresh_stale()
    for path in set(shown) - shows:
        caches["default"].clear()
        Document.objects.filter(key=documents.key_of(ORIGIN + path)).delete()
        assert client.get(path).json() == page_of[path], path
