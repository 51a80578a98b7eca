"""The worker delivers each event to a real receiver on loopback, signed per the
Standard Webhooks specification (verified there with the ``standardwebhooks``
library), in order per endpoint, retried on a failure, a timeout or a redirect,
never followed; "send again" sends the same event, same webhook-id, once more."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.webhooks.conftest import (
    ARTICLE_KO,
    DOCUMENTS,
    FAQ_JA,
    FAQ_KO,
    announce,
    as_json,
    endpoint_for,
    run_worker,
    tls_receiver,
)
from webhooks.models import Delivery, Endpoint
from webhooks.tasks import send_again

pytestmark = pytest.mark.django_db(transaction=True)


def the_delivery() -> Delivery:
    return Delivery.objects.select_related("event").get()


def test_an_event_reaches_the_receiver_signed_with_every_document(receiver):
    endpoint = endpoint_for(receiver)
    announce(7)
    assert receiver.requests == []  # sent by the worker, not by the publish
    run_worker()

    [request] = receiver.requests
    delivery = the_delivery()
    assert request.error == ""
    assert request.path == "/hooks/clinic"
    assert request.payload == {
        "type": "documents.changed",
        "timestamp": "2026-12-03T09:30:15.123456Z",
        "data": {"change": 7, "documents": [as_json(d) for d in DOCUMENTS]},
    }
    assert request.headers["webhook-id"] == delivery.event.webhook_id
    assert request.headers["Content-Type"] == "application/json"
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 30
    assert request.body == delivery.event.body.encode()
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (
        Delivery.Status.SUCCEEDED,
        1,
        200,
    )
    assert delivery.delivered_at is not None
    # Another run sends nothing again.
    run_worker()
    assert len(receiver.requests) == 1
    assert endpoint.events.count() == 1


def test_a_signature_made_with_another_secret_fails_the_receivers_check(receiver):
    endpoint_for(receiver)
    receiver.secret = Endpoint(url="https://x.example.com/").secret
    announce(8)
    run_worker()
    assert [request.error for request in receiver.requests] == [
        "No matching signature found"
    ]


def test_three_500s_then_200_delivers_on_the_fourth_try(receiver):
    endpoint_for(receiver)
    receiver.answers = [(500, 0, {})] * 3
    announce(9)
    run_worker()

    assert len(receiver.requests) == 4
    assert all(request.error == "" for request in receiver.requests)
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    delivery = the_delivery()
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (
        Delivery.Status.SUCCEEDED,
        4,
        200,
    )
    assert delivery.last_error == ""


def test_a_retry_is_signed_again_with_the_time_it_is_sent(receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = [1.1]
    endpoint_for(receiver)
    receiver.answers = [(500, 0, {})]
    announce(27)
    run_worker()  # the first try; the retry waits 1.1 s
    time.sleep(1.2)
    run_worker()

    first, second = receiver.requests
    assert second.error == ""
    assert int(second.headers["webhook-timestamp"]) > int(
        first.headers["webhook-timestamp"]
    )
    assert second.headers["webhook-signature"] != first.headers["webhook-signature"]
    assert second.body == first.body


def test_a_failing_delivery_is_retried_at_the_delays_then_marked_failed(
    receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0, 3600]
    endpoint_for(receiver)
    receiver.answers = [(503, 0, {})] * 10
    announce(10)
    run_worker()

    # The first try and the first retry at once; the next waits an hour.
    assert len(receiver.requests) == 2
    delivery = the_delivery()
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (
        Delivery.Status.PENDING,
        2,
        503,
    )
    assert delivery.last_error == "Answered 503: no, not now"
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 3500 < wait <= 3600

    # The hour has passed: the last retry fails too, and the delivery with it.
    Delivery.objects.update(next_attempt_at=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    assert len(receiver.requests) == 3
    assert the_delivery().status == Delivery.Status.FAILED
    assert the_delivery().tries == 3


def test_events_wait_in_order_behind_a_failing_one(receiver):
    endpoint_for(receiver)
    receiver.answers = [(500, 0, {}), (502, 0, {})]
    announce(11, documents=[FAQ_KO])
    announce(12, documents=[FAQ_JA, ARTICLE_KO])
    run_worker()

    changes = [request.payload["data"]["change"] for request in receiver.requests]
    assert changes == [11, 11, 11, 12]
    assert [d.status for d in Delivery.objects.order_by("event__change")] == [
        Delivery.Status.SUCCEEDED,
        Delivery.Status.SUCCEEDED,
    ]


def test_the_line_moves_on_after_a_delivery_failed_for_good(receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    endpoint_for(receiver)
    receiver.answers = [(500, 0, {}), (500, 0, {})]
    announce(13, documents=[FAQ_KO])
    announce(14, documents=[FAQ_JA])
    run_worker()

    changes = [request.payload["data"]["change"] for request in receiver.requests]
    assert changes == [13, 13, 14]
    assert [d.status for d in Delivery.objects.order_by("event__change")] == [
        Delivery.Status.FAILED,
        Delivery.Status.SUCCEEDED,
    ]


def test_a_timeout_counts_as_a_failure(receiver, settings):
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    endpoint_for(receiver)
    receiver.answers = [(200, 2, {})]
    announce(15)
    run_worker()

    assert len(receiver.requests) == 2
    delivery = the_delivery()
    assert (delivery.status, delivery.tries) == (Delivery.Status.SUCCEEDED, 2)
    first = receiver.requests[0]
    assert first.headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_a_timeout_is_recorded(receiver, settings):
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    settings.WEBHOOK_RETRY_DELAYS = []
    endpoint_for(receiver)
    receiver.answers = [(200, 2, {})]
    announce(16)
    run_worker()

    delivery = the_delivery()
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (
        Delivery.Status.FAILED,
        1,
        None,
    )
    assert delivery.last_error == "Timed out."


def test_a_redirect_is_not_followed(receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = []
    endpoint_for(receiver)
    elsewhere = receiver.url(path="/elsewhere")
    receiver.answers = [(307, 0, {"Location": elsewhere})]
    announce(17)
    run_worker()

    assert [request.path for request in receiver.requests] == ["/hooks/clinic"]
    delivery = the_delivery()
    assert (delivery.status, delivery.last_status_code) == (
        Delivery.Status.FAILED,
        307,
    )
    assert delivery.last_error == (
        f"Answered 307, a redirect (not followed) to {elsewhere}."
    )


def test_a_refused_connection_is_a_failure(receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = []
    endpoint_for(receiver)
    receiver.stop()
    announce(18)
    run_worker()

    delivery = the_delivery()
    assert (delivery.status, delivery.last_status_code) == (
        Delivery.Status.FAILED,
        None,
    )
    assert delivery.last_error.startswith("Connection failed:")


def test_only_the_first_bytes_of_a_response_are_kept(receiver, settings):
    settings.WEBHOOK_RETRY_DELAYS = []
    settings.WEBHOOK_MAX_RESPONSE_BYTES = 4
    endpoint_for(receiver)
    receiver.answers = [(500, 0, {})]
    announce(19)
    run_worker()
    assert the_delivery().last_error == "Answered 500: no,"


def test_send_again_sends_the_same_event_with_the_same_webhook_id(receiver):
    endpoint_for(receiver)
    announce(20)
    run_worker()
    assert the_delivery().status == Delivery.Status.SUCCEEDED

    assert send_again(Delivery.objects.all()) == 1
    run_worker()

    first, second = receiver.requests
    assert second.error == ""
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert second.body == first.body
    delivery = the_delivery()
    assert (delivery.status, delivery.tries) == (Delivery.Status.SUCCEEDED, 1)


def test_an_inactive_endpoint_is_sent_nothing_it_was_waiting_for(receiver):
    endpoint = endpoint_for(receiver)
    announce(21)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    run_worker()
    assert receiver.requests == []
    assert the_delivery().status == Delivery.Status.PENDING


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(receiver):
    """What a second worker sees while the first is sending: the claim (a lease
    on the next attempt time) makes it leave the delivery alone."""
    endpoint_for(receiver)
    announce(22)
    later = timezone.now() + timezone.timedelta(minutes=5)
    Delivery.objects.update(next_attempt_at=later)
    run_worker()
    assert receiver.requests == []


def test_https_is_verified_against_the_hostname_on_the_pinned_address(
    certificates, monkeypatch
):
    # The receiver's certificate is for "localhost", signed by a test authority
    # that OpenSSL trusts through SSL_CERT_FILE.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    with tls_receiver(certificates) as receiver:
        endpoint_for(receiver, url=receiver.url(host="localhost"))
        announce(23)
        run_worker()
        [request] = receiver.requests
        assert request.error == ""
        assert request.headers["Host"] == f"localhost:{receiver.port}"
        assert the_delivery().status == Delivery.Status.SUCCEEDED


def test_a_certificate_for_another_name_is_refused(certificates, monkeypatch, settings):
    settings.WEBHOOK_RETRY_DELAYS = []
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    with tls_receiver(certificates) as receiver:
        # 127.0.0.1 is not the name on the certificate.
        endpoint_for(receiver, url=receiver.url(host="127.0.0.1"))
        announce(24)
        run_worker()
        assert receiver.requests == []
        delivery = the_delivery()
        assert delivery.status == Delivery.Status.FAILED
        assert delivery.last_error == (
            "Connection failed: hostname '127.0.0.1' doesn't match 'localhost'"
        )


def test_a_certificate_from_an_authority_not_trusted_is_refused(certificates, settings):
    settings.WEBHOOK_RETRY_DELAYS = []
    with tls_receiver(certificates) as receiver:
        endpoint_for(receiver, url=receiver.url(host="localhost"))
        announce(26)
        run_worker()
        assert receiver.requests == []
        delivery = the_delivery()
        assert delivery.status == Delivery.Status.FAILED
        assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two workers at once need a database that lets writers wait: SQLite's "
    "shared in-memory test database refuses the second at once (table locked); "
    "run on PostgreSQL (DATABASE_URL), as the fast tier does in CI",
)
def test_two_workers_at_once_send_each_event_once_and_in_order(receiver):
    """Two worker processes' loops, each with its own database connection, take
    the two events' tasks at the same time: the second finds the first delivery
    claimed and leaves the line to the first, which sends both in order."""
    endpoint_for(receiver)
    receiver.answers = [(200, 0.5, {})]
    announce(60, documents=[FAQ_KO])
    announce(61, documents=[FAQ_JA])

    def work():
        try:
            run_worker()
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    changes = [request.payload["data"]["change"] for request in receiver.requests]
    assert changes == [60, 61]
    assert {d.status for d in Delivery.objects.all()} == {Delivery.Status.SUCCEEDED}
    assert {d.tries for d in Delivery.objects.all()} == {1}
