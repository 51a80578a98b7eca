"""The changed documents of a committed change (publication/changes.py): what the
worker announces, and the public addresses behind the redirects."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from content.models import Article
from faq.models import FAQItem
from publication import changes
from publication.changes import Change, PublicAddress, documents_changed
from publication.tasks import render_stale_documents, time_reached
from tests.conftest import DemoSnapshot
from tests.factories import FAQItemFactory, publish

pytestmark = [pytest.mark.response_cache, pytest.mark.django_db(transaction=True)]

ORIGIN = "http://testserver"


@pytest.fixture
def demo(transactional_db):
    report = DemoSnapshot.load()
    # What loading the demo changed is announced before the test's own change.
    render_stale_documents.call()
    return report


@contextlib.contextmanager
def announced():
    """The documents the worker announces while in the block, per change."""
    received = []

    def receive(sender, change, committed_at, documents, **kwargs):
        received.append(documents)

    documents_changed.connect(receive, dispatch_uid="test_changes")
    try:
        yield received
    finally:
        documents_changed.disconnect(dispatch_uid="test_changes")


def run_worker() -> None:
    render_stale_documents.call()


def by_path(received) -> dict[str, changes.ChangedDocument]:
    return {document.path: document for batch in received for document in batch}


def item_shown_by_the_article() -> FAQItem:
    article = Article.objects.get()
    item = FAQItem.objects.filter(articles=article, published_ko=True).order_by("pk")[0]
    return item


def test_a_republished_faq_item_announces_its_documents_and_the_articles_per_language(
    demo, client
):
    article = Article.objects.get()
    item = item_shown_by_the_article()
    paths = {
        code: (
            iri_to_uri(
                f"/api/v1/faq-items/{getattr(item, f'slug_{code}')}/?locale={code}"
            ),
            iri_to_uri(
                f"/api/v1/articles/{getattr(article, f'slug_{code}')}/?locale={code}"
            ),
        )
        for code in ("ko", "ja")
    }
    for pair in paths.values():
        for path in pair:
            assert client.get(path).status_code == 200
    item.answer_ko = "<p>새 답변입니다.</p>"
    item.answer_ja = "<p>新しい回答です。</p>"
    item.save()
    with announced() as received:
        publish(item, codes=("ko", "ja"))
        run_worker()

    found = by_path(received)
    for code, (own, article_path) in paths.items():
        assert found[own].status == changes.UPDATED
        assert found[own].type == "faq_item"
        assert found[own].locale == code
        assert found[own].etag == client.get(own)["ETag"]
        assert f"faqitem-{item.pk}" in found[own].tags
        assert found[article_path].status == changes.UPDATED
        assert found[article_path].type == "article"
    # English did not change.
    assert not [d for d in found.values() if d.locale == "en"]


def test_a_first_publication_announces_a_document_the_store_never_held(demo):
    item = FAQItemFactory()
    with announced() as received:
        publish(item, codes=("en",))
        run_worker()

    found = by_path(received)
    path = f"/api/v1/faq-items/{item.slug_en}/?locale=en"
    assert found[path].status == changes.CREATED
    assert found[path].slug == item.slug_en


def test_an_unpublication_announces_the_slug_it_had(demo):
    item = FAQItem.objects.filter(published_ja=True).order_by("pk")[0]
    slug = item.slug_ja
    with announced() as received:
        item.unpublish("ja")
        run_worker()

    found = by_path(received)
    path = iri_to_uri(f"/api/v1/faq-items/{slug}/?locale=ja")
    assert found[path].status == changes.REMOVED
    assert found[path].slug == slug
    assert found[path].etag is None


def test_a_new_slug_announces_the_new_address_with_the_old_slug_and_the_old_as_moved(
    demo, settings
):
    settings.PUBLIC_ORIGIN = ORIGIN
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    old = item.slug_en
    item.slug_en = "a-new-address"
    item.save()
    with announced() as received:
        publish(item, codes=("en",))
        run_worker()

    found = by_path(received)
    new_path = "/api/v1/faq-items/a-new-address/?locale=en"
    old_path = f"/api/v1/faq-items/{old}/?locale=en"
    assert found[new_path].previous_slug == old
    assert found[old_path].status == changes.MOVED
    assert found[old_path].location == ORIGIN + new_path


def test_the_old_slug_answers_moved_with_the_new_path(demo, client):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    old = item.slug_en
    item.slug_en = "a-new-address"
    item.save()
    publish(item, codes=("en",))

    response = client.get(f"/api/v1/faq-items/{old}/?locale=en")

    assert response.status_code == 301
    path = "/api/v1/faq-items/a-new-address/?locale=en"
    assert response["Location"] == ORIGIN + path
    error = response.json()["error"]
    assert error["code"] == "moved"
    assert error["details"] == {"locale": "en", "slug": "a-new-address", "path": path}
    # Korean kept its slug: the old English slug is no Korean address.
    assert client.get(f"/api/v1/faq-items/{old}/?locale=ko").status_code == 404


def test_an_old_slug_another_object_takes_later_is_the_new_objects(demo, client):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    old = item.slug_en
    item.slug_en = "a-new-address"
    item.save()
    publish(item, codes=("en",))
    other = FAQItemFactory(slug_en=old)
    publish(other, codes=("en",))

    response = client.get(f"/api/v1/faq-items/{old}/?locale=en")

    assert response.status_code == 200
    assert response.json()["question"] == other.question_en
    owner = PublicAddress.objects.get(locale="en", slug=old)
    assert (owner.object_id, owner.current) == (other.pk, True)


def test_an_unpublished_objects_old_slug_answers_404_not_moved(demo, client):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    old = item.slug_en
    item.slug_en = "a-new-address"
    item.save()
    publish(item, codes=("en",))
    item.refresh_from_db()
    item.unpublish("en")

    assert client.get(f"/api/v1/faq-items/{old}/?locale=en").status_code == 404


def test_a_rolled_back_change_records_nothing(demo):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    before = Change.objects.count()
    with contextlib.suppress(RuntimeError), transaction.atomic():
        item.unpublish("en")
        raise RuntimeError("rolled back")

    assert Change.objects.count() == before
    assert PublicAddress.objects.get(slug=item.slug_en, locale="en").current


def test_a_draft_only_save_records_nothing(demo):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    before = Change.objects.count()
    item.answer_en = "<p>Not published yet.</p>"
    item.save()

    assert Change.objects.count() == before


def test_each_change_is_announced_once_in_commit_order(demo):
    first, second = FAQItemFactory(), FAQItemFactory()
    with announced() as received:
        publish(first, codes=("en",))
        publish(second, codes=("en",))
        run_worker()
        run_worker()

    assert [
        [d.slug for d in batch if d.type == "faq_item" and d.status == "created"]
        for batch in received
    ] == [[first.slug_en], [second.slug_en]]
    assert not Change.objects.filter(announced_at=None).exists()


def test_the_redirects_feed_lists_each_old_slug_with_its_slug_now(demo, client):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    old = item.slug_en
    assert client.get("/api/v1/sitemap/redirects/?locale=en").json()["results"] == []
    item.slug_en = "a-new-address"
    item.save()
    publish(item, codes=("en",))

    body = client.get("/api/v1/sitemap/redirects/?locale=en").json()

    assert body["results"] == [
        {"type": "faq_item", "from_slug": old, "to_slug": "a-new-address"}
    ]
    assert client.get("/api/v1/sitemap/redirects/?locale=ko").json()["results"] == []
    # Unpublished in English: its old slug no longer redirects.
    item.refresh_from_db()
    item.unpublish("en")
    body = client.get("/api/v1/sitemap/redirects/?locale=en").json()
    assert body["results"] == []


def test_a_scheduled_publication_is_announced_when_its_time_comes(demo):
    at = timezone.now() + timedelta(seconds=0.5)
    with announced() as received:
        item = FAQItemFactory(published_en=True, publish_at=at)
        run_worker()
        assert by_path(received) == {}  # not visible yet: nothing changed
        time.sleep(max((at - timezone.now()).total_seconds(), 0) + 0.05)
        time_reached.call("faq.FAQItem", item.pk, at.astimezone(UTC).isoformat())
        run_worker()

    found = by_path(received)
    assert found[f"/api/v1/faq-items/{item.slug_en}/?locale=en"].status == "created"


def test_a_deleted_object_is_announced_as_removed_in_every_language(demo):
    item = FAQItem.objects.filter(published_en=True, published_ko=True).order_by("pk")[
        0
    ]
    slugs = {code: getattr(item, f"slug_{code}") for code in ("en", "ko")}
    with announced() as received:
        item.delete()
        run_worker()

    found = by_path(received)
    for code, slug in slugs.items():
        document = found[iri_to_uri(f"/api/v1/faq-items/{slug}/?locale={code}")]
        assert (document.status, document.slug) == ("removed", slug)


def test_dragging_faq_items_announces_the_lists_it_changed(demo, client, admin_client):
    first, second = FAQItem.objects.published("en").order_by("position", "pk")[:2]
    assert client.get("/api/v1/faq-items/?locale=en").status_code == 200
    with announced() as received:
        response = admin_client.post(
            reverse("admin:faq_faqitem_sortable_update"),
            data=json.dumps(
                {
                    "updatedItems": [
                        [first.pk, second.position],
                        [second.pk, first.position],
                    ]
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 200
        run_worker()

    found = by_path(received)
    assert found["/api/v1/faq-items/?locale=en"].status == "updated"
