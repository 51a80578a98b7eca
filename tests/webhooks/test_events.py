"""A committed change becomes one event per endpoint that wants one of its
documents (webhooks/events.py): filtered by language and type, with every field of
each document, nothing for an inactive endpoint, nothing at all on a rollback."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from tests.webhooks.conftest import (
    ARTICLE_KO,
    COMMITTED_AT,
    DOCUMENTS,
    FAQ_EN_REMOVED,
    FAQ_JA,
    FAQ_KO,
    FAQ_LIST_KO,
    LOCALES,
    METHOD_KO_CREATED,
    METHOD_KO_MOVED,
    announce,
    as_json,
)
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db(transaction=True)


def documents_of(endpoint: Endpoint) -> list[dict]:
    event = Event.objects.get(endpoint=endpoint)
    return json.loads(event.body)["data"]["documents"]


def test_each_endpoint_gets_the_documents_its_languages_and_types_keep():
    every = Endpoint.objects.create(url="https://www.example.com/hooks")
    korean = Endpoint.objects.create(
        url="https://ko.example.com/hooks", languages=["ko"]
    )
    faq = Endpoint.objects.create(
        url="https://faq.example.com/hooks", types=["faq_item"]
    )
    korean_methods = Endpoint.objects.create(
        url="https://m.example.com/hooks", languages=["ko"], types=["method"]
    )
    inactive = Endpoint.objects.create(
        url="https://old.example.com/hooks", active=False
    )

    announce(41)

    assert documents_of(every) == [as_json(document) for document in DOCUMENTS]
    # Documents in no language (the locales) go to every language's endpoint.
    assert documents_of(korean) == [
        as_json(document)
        for document in (
            FAQ_KO,
            ARTICLE_KO,
            FAQ_LIST_KO,
            LOCALES,
            METHOD_KO_MOVED,
            METHOD_KO_CREATED,
        )
    ]
    # A detail by its own type (not the article that shows the item); a list or
    # the locales by the types it shows.
    assert documents_of(faq) == [
        as_json(document)
        for document in (FAQ_KO, FAQ_JA, FAQ_LIST_KO, LOCALES, FAQ_EN_REMOVED)
    ]
    assert documents_of(korean_methods) == [
        as_json(document) for document in (LOCALES, METHOD_KO_MOVED, METHOD_KO_CREATED)
    ]
    assert not Event.objects.filter(endpoint=inactive).exists()
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 4


def test_an_endpoint_that_keeps_no_document_gets_no_event():
    Endpoint.objects.create(url="https://ko.example.com/hooks", languages=["ko"])
    Endpoint.objects.create(url="https://m.example.com/hooks", types=["method"])
    announce(42, documents=[FAQ_JA])
    assert Event.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_the_payload_is_the_standard_webhooks_shape_with_every_field():
    endpoint = Endpoint.objects.create(url="https://www.example.com/hooks")
    announce(43, documents=[FAQ_KO, FAQ_EN_REMOVED, METHOD_KO_CREATED])
    event = Event.objects.get(endpoint=endpoint)
    assert event.change == 43
    assert event.webhook_id.startswith("msg_")
    assert json.loads(event.body) == {
        "type": "documents.changed",
        "timestamp": "2026-12-03T09:30:15.123456Z",
        "data": {
            "change": 43,
            "documents": [
                {
                    "url": "https://api.example.com/api/v1/faq-items/교정-비용-횟수/"
                    "?locale=ko",
                    "path": "/api/v1/faq-items/교정-비용-횟수/?locale=ko",
                    "locale": "ko",
                    "status": "updated",
                    "etag": '"0e1d9e226f79b965ce992dd221660020"',
                    "tags": ["faqcategory-1", "faqitem", "faqitem-3"],
                    "type": "faq_item",
                    "slug": "교정-비용-횟수",
                    "previous_slug": None,
                    "location": None,
                },
                {
                    "url": "https://api.example.com/api/v1/faq-items/"
                    "botox-or-surgery/?locale=en",
                    "path": "/api/v1/faq-items/botox-or-surgery/?locale=en",
                    "locale": "en",
                    "status": "removed",
                    "etag": None,
                    "tags": ["faqitem", "faqitem-5"],
                    "type": "faq_item",
                    "slug": "botox-or-surgery",
                    "previous_slug": None,
                    "location": None,
                },
                {
                    "url": "https://api.example.com/api/v1/methods/보톡스-주사/"
                    "?locale=ko",
                    "path": "/api/v1/methods/보톡스-주사/?locale=ko",
                    "locale": "ko",
                    "status": "created",
                    "etag": '"0e1d9e226f79b965ce992dd221660020"',
                    "tags": ["method", "method-2"],
                    "type": "method",
                    "slug": "보톡스-주사",
                    "previous_slug": "보톡스",
                    "location": None,
                },
            ],
        },
    }
    assert COMMITTED_AT.tzinfo is not None


def test_a_rolled_back_change_records_and_enqueues_nothing():
    Endpoint.objects.create(url="https://www.example.com/hooks")
    with transaction.atomic():
        announce(44)
        assert Event.objects.count() == 1
        transaction.set_rollback(True)
    assert Event.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_the_delivery_task_is_enqueued_when_the_change_commits():
    endpoint = Endpoint.objects.create(url="https://www.example.com/hooks")
    with transaction.atomic():
        announce(45)
        assert DBTaskResult.objects.count() == 0
    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.all()] == [
        [endpoint.pk]
    ]


def test_a_change_announced_twice_is_one_event():
    Endpoint.objects.create(url="https://www.example.com/hooks")
    announce(46)
    announce(46)
    assert Event.objects.count() == 1
    assert Delivery.objects.count() == 1
