"""What a committed change sends: one event per endpoint that wants one of its
documents, recorded in the transaction that announces the change, delivered by the
worker after it commits (docs/webhooks.md)."""

from __future__ import annotations

import dataclasses
import functools
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import transaction

from api.registry import sitemap_types
from publication.changes import ChangedDocument
from webhooks.models import Delivery, Endpoint, Event
from webhooks.tasks import enqueue

EVENT_TYPE = "documents.changed"


def kept(endpoint: Endpoint, document: ChangedDocument) -> bool:
    """Whether ``endpoint`` wants ``document``.

    Languages: a document in no language (the root, the locales) is kept whatever
    the endpoint's languages. Types: a detail goes where its own type is wanted
    (an article that shows an FAQ item is an article); a document of no single
    object (a list, the sitemap, the locales) goes where it shows an object of a
    wanted type, by its cache tags (``faqitem`` or ``faqitem-12`` for FAQ items;
    the sitemap and the locales carry every type's).
    """
    if (
        endpoint.languages
        and document.locale
        and (document.locale not in endpoint.languages)
    ):
        return False
    if not endpoint.types:
        return True
    if document.type is not None:
        return document.type in endpoint.types
    return any(shows(tag, wanted_tags(tuple(endpoint.types))) for tag in document.tags)


@functools.cache
def wanted_tags(names: tuple[str, ...]) -> frozenset[str]:
    # A name no longer registered (a type removed since the endpoint was saved)
    # keeps nothing rather than failing the announcement.
    return frozenset(kind.tag for kind in sitemap_types() if kind.name in names)


def shows(tag: str, type_tags: frozenset[str]) -> bool:
    return tag in type_tags or tag.partition("-")[0] in type_tags


def body(change: int, committed_at: datetime, documents: Iterable) -> str:
    """The event as Standard Webhooks recommends it (type, timestamp, data), with
    every field of each document."""
    at = committed_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    payload = {
        "type": EVENT_TYPE,
        "timestamp": at,
        "data": {
            "change": change,
            "documents": [dataclasses.asdict(document) for document in documents],
        },
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def record_events(
    sender, *, change: int, committed_at: datetime, documents, **kwargs
) -> None:
    """The receiver of ``documents_changed``: an event and its delivery for every
    active endpoint that keeps a document, and the delivery task enqueued when the
    transaction commits (nothing on a rollback). A change announced twice records
    nothing new."""
    for endpoint in Endpoint.objects.filter(active=True):
        chosen = [document for document in documents if kept(endpoint, document)]
        if not chosen:
            continue
        event, created = Event.objects.get_or_create(
            endpoint=endpoint,
            change=change,
            defaults={
                "webhook_id": f"msg_{uuid.uuid4().hex}",
                "body": body(change, committed_at, chosen),
            },
        )
        if not created:
            continue
        Delivery.objects.create(event=event)
        transaction.on_commit(functools.partial(enqueue, endpoint.pk), robust=True)
