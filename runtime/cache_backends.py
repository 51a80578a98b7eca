"""Django's Redis cache, with one ``redis.Redis`` client per connection pool, and
calls that fail at once while Redis is known to be down.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
call, and redis-py's constructor copies its ~170 response callbacks each time: a cost
per call larger than the Redis round trip itself, on the API's cached path (one
``get_many`` per request) included (docs/performance.md). A client
is thread-safe and holds no connection of its own (the pool does), so one per pool is
reused.

A Redis that hangs costs every call its full timeout (``REDIS_TIMEOUT``, 0.5 s), and
a request makes several (the fast path's version read, the middleware's, the store
after rendering). So once a connection to a server fails (refused, timed out, cut),
calls to it fail at once, without touching the network, for ``RETRY_INTERVAL``
seconds; then one is let through to try again. The outage is logged when it starts
and when Redis answers again (once each per process), and ``cache_recovered`` is
sent then: the content version is bumped on it, since changes committed meanwhile
could not bump it (``publication.content_version``).
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.dispatch import Signal

logger = logging.getLogger("clinic.cache")

# Seconds during which calls to a Redis that failed fail at once.
RETRY_INTERVAL = 2.0

# Sent (``location``: the server's URL) when a Redis that failed answers again.
cache_recovered = Signal()


class Outage:
    """Whether a Redis server (one URL) failed lately, in this process."""

    def __init__(self, location: str):
        self.location = location
        parts = urlsplit(location)
        # Never the password of the URL.
        self.name = f"{parts.hostname or parts.path}:{parts.port or 6379}{parts.path}"
        self.lock = threading.Lock()
        self.since: float | None = None
        self.retry_at = 0.0

    def check(self) -> None:
        if self.retry_at and time.monotonic() < self.retry_at:
            from redis.exceptions import ConnectionError

            raise ConnectionError(
                f"Redis at {self.name} failed less than {RETRY_INTERVAL:g} s ago"
            )

    def failed(self, error: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + RETRY_INTERVAL
            if self.since is not None:
                return
            self.since = now
        logger.error(
            "Redis at %s unavailable (%s: %s): cache calls fail at once and the API "
            "serves uncached; tried again every %g s",
            self.name,
            type(error).__name__,
            error,
            RETRY_INTERVAL,
        )

    def succeeded(self) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is None:
                return
            lasted = time.monotonic() - self.since
            self.since, self.retry_at = None, 0.0
        logger.warning("Redis at %s answers again after %.1f s", self.name, lasted)
        cache_recovered.send_robust(sender=RedisCache, location=self.location)


_outages: dict[str, Outage] = {}
_classes: dict[tuple[type, str], type] = {}
_lock = threading.Lock()


def outage_of(location: str) -> Outage:
    with _lock:
        outage = _outages.get(location)
        if outage is None:
            outage = _outages[location] = Outage(location)
        return outage


class FailFastConnection:
    """Mixed into redis-py's connection class of a pool: records failures and
    successes of its server's ``Outage`` and refuses to connect while it lasts."""

    outage: Outage

    def connect_check_health(self, *args, **kwargs):
        from redis.exceptions import ConnectionError, TimeoutError

        if self._sock:
            return super().connect_check_health(*args, **kwargs)
        self.outage.check()
        try:
            result = super().connect_check_health(*args, **kwargs)
        except (ConnectionError, TimeoutError) as error:
            self.outage.failed(error)
            raise
        self.outage.succeeded()
        return result

    def send_packed_command(self, *args, **kwargs):
        from redis.exceptions import ConnectionError, TimeoutError

        try:
            return super().send_packed_command(*args, **kwargs)
        except (ConnectionError, TimeoutError) as error:
            self.outage.failed(error)
            raise

    def read_response(self, *args, **kwargs):
        from redis.exceptions import ConnectionError, TimeoutError

        try:
            return super().read_response(*args, **kwargs)
        except (ConnectionError, TimeoutError) as error:
            self.outage.failed(error)
            raise


def fail_fast_class(base: type, location: str) -> type:
    with _lock:
        made = _classes.get((base, location))
        if made is None:
            made = _classes[(base, location)] = type(
                f"FailFast{base.__name__}",
                (FailFastConnection, base),
                {"outage": None},
            )
    made.outage = outage_of(location)
    return made


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        pool = self._pools.get(index)
        if pool is None:
            from redis.connection import Connection, parse_url

            url = self._servers[index]
            # The class the URL calls for (TCP, TLS, Unix socket), failing fast.
            base = parse_url(url).get("connection_class", Connection)
            pool = self._pools[index] = self._pool_class.from_url(
                url,
                **{
                    **self._pool_options,
                    "connection_class": fail_fast_class(base, url),
                },
            )
        return pool

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._raw_keys: dict[str, str] = {}

    def get_raw(self, key: str) -> bytes | None:
        """The stored bytes of ``key``, not deserialized: the API cache compares
        the content version token as an opaque value on every request, and Django's
        key making and unpickling would cost as much as the read itself."""
        made = self._raw_keys.get(key)
        if made is None:
            made = self._raw_keys[key] = self.make_and_validate_key(key)
        return self._cache.get_client(made).get(made)

    def decode_raw(self, value: bytes):
        """A value read by ``get_raw``, deserialized as ``get`` would."""
        return self._cache._serializer.loads(value)
