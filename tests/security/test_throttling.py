"""The API's per-client rate limit (API_THROTTLE_RATE) and how clients are told
apart behind the trusted proxies (NUM_PROXIES)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

PROXY = "10.0.0.1"
PATH = "/api/v1/locales/"


@pytest.fixture
def three_per_minute(settings, db):
    settings.API_THROTTLE_RATE = "3/minute"
    cache.clear()
    yield settings
    cache.clear()


def get(*, address="192.0.2.10", xff=None, path=PATH):
    headers = {"X-Forwarded-For": xff} if xff else {}
    return Client(REMOTE_ADDR=address).get(path, headers=headers)


def burst(**where) -> list[int]:
    return [get(**where).status_code for _ in range(4)]


def test_a_burst_above_the_rate_gets_the_json_429_with_retry_after(three_per_minute):
    for _ in range(3):
        assert get().status_code == 200

    response = get()

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json; charset=utf-8"
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    assert json.loads(response.content) == {
        "error": {
            "status": 429,
            "code": "throttled",
            "message": "Request was throttled. Expected available in "
            f"{retry_after} seconds.",
            "details": {"retry_after": retry_after},
        }
    }
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_the_limit_counts_every_endpoint_of_a_client(three_per_minute):
    for path in ("/api/v1/", "/api/v1/locales/", "/api/v1/articles/"):
        assert get(path=path).status_code == 200

    assert get(path="/api/v1/faq-items/").status_code == 429


def test_no_limit_while_the_rate_is_unset(settings, db):
    settings.API_THROTTLE_RATE = None

    assert {get().status_code for _ in range(20)} == {200}


def test_clients_behind_the_proxy_are_throttled_apart(three_per_minute):
    three_per_minute.NUM_PROXIES = 1

    assert burst(address=PROXY, xff="203.0.113.1") == [200, 200, 200, 429]
    assert burst(address=PROXY, xff="203.0.113.2") == [200, 200, 200, 429]


def test_a_forged_left_most_hop_does_not_escape_the_limit(three_per_minute):
    three_per_minute.NUM_PROXIES = 1
    statuses = [
        get(address=PROXY, xff=f"198.51.100.{n}, 203.0.113.1").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_without_a_trusted_proxy_forwarded_for_is_ignored(three_per_minute):
    three_per_minute.NUM_PROXIES = 0
    statuses = [
        get(address="203.0.113.1", xff=f"198.51.100.{n}").status_code for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_two_trusted_proxies_read_the_second_hop_from_the_right(three_per_minute):
    three_per_minute.NUM_PROXIES = 2

    assert burst(address=PROXY, xff="6.6.6.6, 203.0.113.1, 10.0.0.2") == [
        200,
        200,
        200,
        429,
    ]
    # Another client through the same two proxies.
    assert get(address=PROXY, xff="203.0.113.2, 10.0.0.2").status_code == 200


@pytest.mark.response_cache
def test_a_burst_of_one_cached_url_is_throttled_too(three_per_minute):
    """Counted before the shared response cache answers, once per request."""
    assert burst() == [200, 200, 200, 429]
    assert get(address="192.0.2.99").status_code == 200  # another client
