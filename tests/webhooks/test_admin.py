"""The admin of webhooks: an endpoint's secret shown once, after it is added; a
refused URL is a form error; deliveries listed read-only, with "send again"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tests.webhooks.conftest import announce, endpoint_for, run_worker
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_endpoint_added_shows_its_secret_once(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_REQUIRE_HTTPS = True
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "url": "https://93.184.215.14/api/revalidate",
            "description": "Next.js site",
            "active": "on",
            "languages": ["ko", "ja"],
            "types": ["faq_item", "article"],
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert (endpoint.languages, endpoint.types) == (
        ["ko", "ja"],
        ["faq_item", "article"],
    )
    page = response.content.decode()
    assert page.count(endpoint.secret) == 1
    assert "ko, ja" in page
    assert "faq_item, article" in page

    # Never again: not in the list, not in the change form.
    assert (
        endpoint.secret
        not in admin_client.get(
            reverse("admin:webhooks_endpoint_changelist")
        ).content.decode()
    )
    change = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    form = admin_client.get(change).content.decode()
    assert endpoint.secret not in form
    assert 'name="secret"' not in form
    # Nor after a change.
    response = admin_client.post(
        change,
        {"url": endpoint.url, "description": "", "languages": ["ko"]},
        follow=True,
    )
    assert endpoint.secret not in response.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.languages, endpoint.types) == (False, ["ko"], [])


def test_an_endpoint_on_a_private_address_is_a_form_error(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": "https://169.254.169.254/latest/meta-data/", "active": "on"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "url": [
            "The host 169.254.169.254 resolves to 169.254.169.254, a loopback, "
            "private or otherwise non-public address."
        ]
    }
    assert not Endpoint.objects.exists()


def test_an_unknown_language_or_type_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": "https://93.184.215.14/", "languages": ["xx"], "types": ["page"]},
    )
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"languages", "types"}
    assert not Endpoint.objects.exists()


def test_deliveries_are_listed_with_status_tries_and_response(
    admin_client, receiver, settings
):
    settings.WEBHOOK_RETRY_DELAYS = [0]
    endpoint_for(receiver)
    receiver.answers = [(500, 0, {}), (503, 0, {})]
    announce(50)
    run_worker()
    page = admin_client.get(reverse("admin:webhooks_delivery_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Change 50" in text
    assert receiver.url() in text
    assert '<td class="field-status">failed</td>' in text
    assert '<td class="field-tries">2</td>' in text
    assert '<td class="field-last_status_code">503</td>' in text
    assert "Answered 503: no, not now" in text
    filtered = admin_client.get(
        reverse("admin:webhooks_delivery_changelist"), {"status__exact": "succeeded"}
    )
    assert "Change 50" not in filtered.content.decode()

    delivery = Delivery.objects.get()
    detail = admin_client.get(
        reverse("admin:webhooks_delivery_change", args=[delivery.pk])
    ).content.decode()
    assert delivery.event.webhook_id in detail
    assert 'name="_save"' not in detail  # read-only


def test_send_again_in_the_admin_sends_the_event_with_its_webhook_id(
    admin_client, receiver
):
    endpoint_for(receiver)
    announce(51)
    run_worker()
    delivery = Delivery.objects.get()
    response = admin_client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "send_again_action", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "1 delivery will be sent again." in response.content.decode()
    run_worker()
    first, second = receiver.requests
    assert second.error == ""
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tries) == (Delivery.Status.SUCCEEDED, 1)


def test_an_endpoint_made_active_again_gets_what_waited_in_order(
    admin_client, receiver
):
    endpoint = endpoint_for(receiver)
    announce(53)
    announce(54)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    run_worker()  # inactive: nothing sent
    assert receiver.requests == []

    admin_client.post(
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        {"url": endpoint.url, "active": "on"},
    )
    run_worker()
    changes = [request.payload["data"]["change"] for request in receiver.requests]
    assert changes == [53, 54]


def test_a_user_who_may_only_view_deliveries_cannot_send_again(client, receiver):
    endpoint_for(receiver)
    announce(52)
    run_worker()
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(user)
    page = client.get(reverse("admin:webhooks_delivery_changelist"))
    assert page.status_code == 200
    assert "send_again_action" not in page.content.decode()
    client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {
            "action": "send_again_action",
            "_selected_action": [Delivery.objects.get().pk],
        },
    )
    run_worker()
    assert len(receiver.requests) == 1


def test_the_webhooks_admin_speaks_korean(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    korean = {"HTTP_ACCEPT_LANGUAGE": "ko"}
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": "https://10.0.0.7/hooks", "active": "on"},
        **korean,
    )
    assert response.context["adminform"].form.errors["url"] == [
        "호스트 10.0.0.7의 주소는 10.0.0.7이며, 루프백·사설 등 공개되지 않은 "
        "주소입니다."
    ]
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": "https://93.184.215.14/hooks", "active": "on"},
        follow=True,
        **korean,
    )
    page = response.content.decode()
    secret = Endpoint.objects.get().secret
    assert f"엔드포인트의 서명 비밀 키이며, 이번 한 번만 표시됩니다: {secret}" in page
    assert "웹훅 엔드포인트" in page
    announce(70)  # a pending delivery, not sent
    deliveries = admin_client.get(
        reverse("admin:webhooks_delivery_changelist"), **korean
    ).content.decode()
    assert "마지막 응답 코드" in deliveries
    assert '<td class="field-status">대기 중</td>' in deliveries
