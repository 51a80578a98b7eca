"""Fixtures of the outage tests: fault-injecting proxies in front of the real
PostgreSQL and Redis (``faultproxy.FaultProxy``), and each test starting with no
outage on record in this process."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from runtime import cache_backends, health
from tests.resilience.faultproxy import FaultProxy

# The suite's Redis database in CI (.ci/run) when REDIS_URL is not set; the keys
# written here are under a prefix of their own and deleted afterwards.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="cuts the connection to PostgreSQL: run with DATABASE_URL",
)


@pytest.fixture(autouse=True)
def _no_outage_on_record(monkeypatch):
    """Outages are remembered per process: start and end each test without one."""
    monkeypatch.setattr(health, "incident", health._Incident())
    monkeypatch.setattr(health._Connecting, "failed_at", None)
    monkeypatch.setattr(cache_backends, "_outages", {})


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redis_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 6379


def through(url: str, proxy: FaultProxy) -> str:
    """``url`` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    auth = parts.netloc.rpartition("@")[0]
    netloc = (auth + "@" if auth else "") + f"{proxy.host}:{proxy.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
def redis_proxy() -> Iterator[tuple[FaultProxy, str]]:
    """A proxy in front of the Redis of REDIS_URL (or the suite's database on
    127.0.0.1) and the URL to reach Redis through it. Skipped without a Redis."""
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {url} ({error})")
    with FaultProxy(redis_address(url)) as proxy:
        yield proxy, through(url, proxy)


@pytest.fixture
def key_prefix() -> Iterator[str]:
    """A cache key prefix of the test's own; its keys are deleted at the end."""
    from tests.servers.conftest import delete_prefixed_keys

    prefix = f"resilience-{secrets.token_hex(6)}"
    yield prefix
    delete_prefixed_keys(redis_url(), prefix)
