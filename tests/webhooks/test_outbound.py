"""Webhook URLs are a way out of the server: checked when saved and again at every
send, where the checked address is the one connected to (webhooks/outbound.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.webhooks.conftest import announce, endpoint_for, run_worker
from webhooks.models import Delivery, Endpoint
from webhooks.outbound import forbidden

REFUSED_URLS = [
    "https://127.0.0.1/hooks",
    "https://127.8.9.10/hooks",
    "https://10.1.2.3/hooks",
    "https://172.16.0.1/hooks",
    "https://192.168.1.20:8443/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hooks",  # carrier-grade NAT, shared address space
    "https://0.0.0.0/hooks",
    "https://224.0.0.1/hooks",
    "https://[::1]/hooks",
    "https://[::]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fd00::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[::ffff:a9fe:a9fe]/hooks",  # 169.254.169.254, IPv4-mapped
    "https://localhost/hooks",
    "https://LocalHost:8443/hooks",
]


def save_error(url: str) -> list[str]:
    try:
        Endpoint(url=url).full_clean()
    except ValidationError as error:
        return error.message_dict.get("url", [])
    return []


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_url_that_reaches_a_non_public_address_is_refused_when_saved(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    [message] = save_error(url)
    assert "loopback, private or otherwise non-public address" in message


def test_the_refusal_names_the_host_and_the_address(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert save_error("https://localhost:8443/hooks") in (
        [
            "The host localhost resolves to 127.0.0.1, a loopback, private or "
            "otherwise non-public address."
        ],
        [
            "The host localhost resolves to ::1, a loopback, private or "
            "otherwise non-public address."
        ],
    )


def test_a_public_address_is_accepted(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_REQUIRE_HTTPS = True
    # An IP literal: no DNS lookup in the test.
    assert save_error("https://93.184.215.14/hooks?site=clinic") == []
    assert save_error("https://[2606:4700:4700::1111]/hooks") == []


def test_private_addresses_are_accepted_where_the_setting_allows_them(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert save_error("https://10.1.2.3/hooks") == []
    assert save_error("https://localhost/hooks") == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://93.184.215.14/hooks",
            "The URL must use https:// (WEBHOOK_REQUIRE_HTTPS is on).",
        ),
        (
            "https://user:secret@93.184.215.14/hooks",
            "The URL must not contain a user name or password.",
        ),
        ("https://:443/hooks", "The URL must name a host."),
        ("ftp://93.184.215.14/hooks", "The URL must start with https://."),
        (
            "https://93.184.215.14:99999/hooks",
            "The URL is not valid: Port out of range 0-65535.",
        ),
        ("https://no-such-host.invalid/hooks", None),
    ],
)
def test_a_url_without_https_a_host_or_with_credentials_is_refused(
    url, message, settings
):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    errors = save_error(url)
    if message is None:
        [error] = errors
        assert error.startswith("The host no-such-host.invalid does not resolve")
    else:
        assert message in errors


def test_http_is_allowed_where_https_is_not_required(settings):
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert save_error("http://93.184.215.14/hooks") == []


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("::ffff:8.8.8.8", False),
        ("127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("fe80::1%eth0", True),
        ("198.18.0.1", True),  # benchmarking range, not global
        ("240.0.0.1", True),  # reserved
        ("ff02::1", True),
    ],
)
def test_forbidden_addresses(address, refused):
    assert forbidden(address) is refused


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]"]
)
def test_an_address_allowed_when_saved_is_refused_at_send_time(
    receiver, settings, host
):
    """The check runs again at each send: what was saved while allowed (or a name
    whose DNS answer changed since) sends nothing once it reaches a non-public
    address; refused before any connection, not failed by one."""
    endpoint_for(receiver, url=receiver.url(host=host))
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_RETRY_DELAYS = []
    announce(30)
    run_worker()

    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.tries, delivery.last_status_code) == (
        Delivery.Status.FAILED,
        1,
        None,
    )
    assert f"The host {host.strip('[]')} resolves to " in delivery.last_error
    assert "non-public address" in delivery.last_error


@pytest.mark.django_db(transaction=True)
def test_http_is_refused_at_send_time_once_https_is_required(receiver, settings):
    endpoint_for(receiver)
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_RETRY_DELAYS = []
    announce(31)
    run_worker()
    assert receiver.requests == []
    assert Delivery.objects.get().last_error == (
        "The URL must use https:// (WEBHOOK_REQUIRE_HTTPS is on)."
    )


@pytest.mark.django_db(transaction=True)
def test_the_pinned_address_is_sent_the_hosts_name(receiver):
    endpoint_for(receiver, url=receiver.url(host="localhost"))
    announce(32)
    run_worker()
    [request] = receiver.requests
    assert request.headers["Host"] == f"localhost:{receiver.port}"
    assert request.error == ""
