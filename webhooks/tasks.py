"""Delivery of webhook events by the background worker (``manage.py db_worker``).

One endpoint's events go out one at a time, oldest change first: a receiver that
applies them in the order received sees the changes in the order they committed,
and one that is down gets the first of its backlog retried while the rest waits
behind it. A failed attempt (no 2xx, a timeout, a refused connection or address, a
redirect) is retried after the next of ``WEBHOOK_RETRY_DELAYS``; after the last, the
delivery is marked failed and the next one is sent.

An attempt is claimed with a conditional update of the delivery's next attempt time
(a lease) before anything is sent, so two workers never send the same delivery at
once, and one that succeeded is never sent again by the task ("send again" in the
admin does that on purpose). A worker that dies mid-send leaves the lease to expire;
the endpoint's next task (its next event, a "send again") resumes the line.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from standardwebhooks import Webhook

from webhooks import outbound
from webhooks.models import Delivery

logger = logging.getLogger("clinic.webhooks")


def lease() -> timedelta:
    """How long an attempt holds its delivery: well past the longest an attempt
    takes (a DNS lookup, the connection, the bounded read)."""
    bound = settings.WEBHOOK_CONNECT_TIMEOUT + 2 * settings.WEBHOOK_READ_TIMEOUT
    return timedelta(seconds=max(300, 2 * bound))


def enqueue(endpoint_id: int, when: datetime | None = None) -> None:
    """Have the worker send ``endpoint_id``'s pending deliveries (from ``when``)."""
    if when is None:
        deliver.enqueue(endpoint_id)
    else:
        deliver.using(run_after=when).enqueue(endpoint_id)


@task()
def deliver(endpoint_id: int) -> str:
    """Send the pending deliveries of endpoint ``endpoint_id`` in order, until none
    is left or one must wait for its retry time (a task is then waiting for it).
    Returns what it did, kept with the task's result."""
    sent = 0
    while True:
        delivery = (
            Delivery.objects.select_related("event__endpoint")
            .filter(event__endpoint_id=endpoint_id, status=Delivery.Status.PENDING)
            .order_by("event__change", "event__pk")
            .first()
        )
        if delivery is None:
            return f"Endpoint {endpoint_id}: {sent} sent, none pending"
        if not delivery.event.endpoint.active:
            return f"Endpoint {endpoint_id} is inactive: nothing sent"
        now = timezone.now()
        if delivery.next_attempt_at > now:
            return (
                f"Endpoint {endpoint_id}: {sent} sent, the next waits until "
                f"{delivery.next_attempt_at.isoformat()}"
            )
        claimed = Delivery.objects.filter(
            pk=delivery.pk,
            status=Delivery.Status.PENDING,
            next_attempt_at=delivery.next_attempt_at,
        ).update(next_attempt_at=now + lease())
        if not claimed:
            return f"Endpoint {endpoint_id}: {sent} sent, the next is taken"
        outcome = attempt(delivery)
        if not record(delivery, outcome):
            return f"Endpoint {endpoint_id}: {sent} sent, the next failed"
        if outcome.ok:
            sent += 1


def attempt(delivery: Delivery) -> outbound.Outcome:
    """One POST of the delivery's event, signed now: a receiver refuses a timestamp
    older than five minutes, so each retry carries a fresh one."""
    event = delivery.event
    body = event.body.encode()
    sent_at = timezone.now()
    signature = Webhook(event.endpoint.secret).sign(event.webhook_id, sent_at, body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "clinic-webhooks",
        "webhook-id": event.webhook_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    return outbound.post(event.endpoint.url, body, headers)


def record(delivery: Delivery, outcome: outbound.Outcome) -> bool:
    """Keep the outcome of an attempt; whether the line goes on now (it succeeded,
    or failed for the last time) rather than at a retry's time."""
    now = timezone.now()
    tries = delivery.tries + 1
    delays = settings.WEBHOOK_RETRY_DELAYS
    values = {
        "tries": tries,
        "last_status_code": outcome.status,
        "last_error": outcome.error,
        "last_attempt_at": now,
    }
    if outcome.ok:
        values.update(status=Delivery.Status.SUCCEEDED, delivered_at=now)
    elif tries > len(delays):
        values.update(status=Delivery.Status.FAILED)
        logger.warning(
            "Webhook %s to %s failed after %d tries: %s",
            delivery.event.webhook_id,
            delivery.event.endpoint.url,
            tries,
            outcome.error,
        )
    else:
        values.update(next_attempt_at=now + timedelta(seconds=delays[tries - 1]))
    endpoint_id = delivery.event.endpoint_id
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(**values)
        if "next_attempt_at" in values:
            # In the same transaction: the retry's task exists if and only if the
            # time it serves was recorded.
            enqueue(endpoint_id, values["next_attempt_at"])
            return False
    return True


def send_again(deliveries) -> int:
    """Make ``deliveries`` pending again, to be sent now with their own webhook-id
    (a receiver that deduplicates by it sees a repeat), and enqueue their
    endpoints' tasks when the transaction commits; returns how many."""
    with transaction.atomic():
        ids = list(deliveries.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.PENDING, tries=0, next_attempt_at=timezone.now()
        )
        for endpoint_id in set(
            Delivery.objects.filter(pk__in=ids).values_list(
                "event__endpoint_id", flat=True
            )
        ):
            transaction.on_commit(lambda pk=endpoint_id: enqueue(pk), robust=True)
    return len(ids)
