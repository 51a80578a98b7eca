"""Webhooks from real publications: the editor's change commits, the worker
renders the documents it touched, announces them (publication/changes.py) and
delivers one signed event per endpoint to a receiver on loopback that verifies it
with the ``standardwebhooks`` library."""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction
from django.utils.encoding import iri_to_uri

from content.models import Article
from faq.models import FAQItem
from tests.conftest import DemoSnapshot
from tests.factories import publish
from tests.webhooks.conftest import endpoint_for, run_worker

pytestmark = [pytest.mark.response_cache, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    report = DemoSnapshot.load()
    run_worker()  # loading the demo is announced before any endpoint exists
    return report


def documents(receiver) -> dict[str, dict]:
    """Every document the receiver was sent, by path, from verified requests."""
    found = {}
    for request in receiver.requests:
        assert request.error == "", request.error
        for document in request.payload["data"]["documents"]:
            found[document["path"]] = document
    return found


def shown_item() -> FAQItem:
    article = Article.objects.get()
    return FAQItem.objects.filter(
        articles=article, published_ko=True, published_ja=True
    ).order_by("pk")[0]


def path(route: str, slug: str, code: str) -> str:
    return iri_to_uri(f"/api/v1/{route}/{slug}/?locale={code}")


def test_publishing_an_faq_item_sends_its_documents_and_the_articles_per_language(
    demo, client, receiver
):
    article = Article.objects.get()
    item = shown_item()
    for code in ("ko", "ja"):
        # The article's pages as a frontend read them (stored).
        client.get(path("articles", getattr(article, f"slug_{code}"), code))
    endpoint_for(receiver)
    item.answer_ko = "<p>새 답변입니다.</p>"
    item.answer_ja = "<p>新しい回答です。</p>"
    item.save()
    assert receiver.requests == []  # a draft save sends nothing

    publish(item, codes=("ko", "ja"))
    assert receiver.requests == []  # the worker sends, after the commit
    run_worker()

    sent = documents(receiver)
    for code in ("ko", "ja"):
        own = sent[path("faq-items", getattr(item, f"slug_{code}"), code)]
        assert (own["type"], own["locale"], own["status"]) == (
            "faq_item",
            code,
            "updated",
        )
        assert f"faqitem-{item.pk}" in own["tags"]
        shown_in = sent[path("articles", getattr(article, f"slug_{code}"), code)]
        assert (shown_in["type"], shown_in["status"]) == ("article", "updated")
    assert not [d for d in sent.values() if d["locale"] in ("en", "zh-hans")]


def test_an_unpublication_carries_the_slug_it_had(demo, receiver):
    item = shown_item()
    slug = item.slug_ja
    endpoint_for(receiver)

    item.unpublish("ja")
    run_worker()

    sent = documents(receiver)
    gone = sent[path("faq-items", slug, "ja")]
    assert (gone["status"], gone["slug"], gone["etag"]) == ("removed", slug, None)


def test_a_new_slug_carries_the_previous_one(demo, receiver):
    item = shown_item()
    old = item.slug_en
    endpoint_for(receiver)
    item.slug_en = "a-new-address"
    item.save()

    publish(item, codes=("en",))
    run_worker()

    sent = documents(receiver)
    assert sent[path("faq-items", "a-new-address", "en")]["previous_slug"] == old
    assert sent[path("faq-items", old, "en")]["status"] == "moved"


def test_a_rolled_back_publication_sends_nothing(demo, receiver):
    item = shown_item()
    endpoint_for(receiver)
    item.answer_ko = "<p>되돌려질 답변.</p>"
    item.save()

    with contextlib.suppress(RuntimeError), transaction.atomic():
        FAQItem.objects.get(pk=item.pk).publish("ko")
        raise RuntimeError("rolled back")
    run_worker()

    assert receiver.requests == []


def test_a_receiver_down_gets_every_event_in_order_once_back(demo, receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = [0] * 10
    first, second = FAQItem.objects.filter(published_en=True).order_by("pk")[:2]
    endpoint_for(receiver)
    receiver.answers = [(503, 0, {})] * 3  # down for the first three tries

    first.unpublish("en")
    second.unpublish("en")
    run_worker()

    changes = [r.payload["data"]["change"] for r in receiver.requests]
    first_change, second_change = sorted(set(changes))
    # The first event three times refused, then taken; the second only after it.
    assert changes == [first_change] * 4 + [second_change]
