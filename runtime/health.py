"""Outages of the database and the cache: how long a public request waits, what is
logged, and the health endpoints.

- **A deadline for the database.** ``DatabaseDeadline(seconds)`` bounds the waits
  on PostgreSQL inside it. ``ApiErrorMiddleware`` puts each ``/api/`` request under
  ``DATABASE_API_TIMEOUT`` (1 s), ``/readyz`` likewise. Two documented means do it:

  - connecting: libpq's ``connect_timeout`` (whole seconds, at least 2), and no
    attempt starts once the deadline has passed (``runtime.postgresql``, a subclass
    of Django's backend);
  - a wait on an open connection: psycopg has no timeout for it, and a server or
    network that stopped answering while the kernel still acknowledges packets is
    noticed by neither ``statement_timeout`` (it runs on that server) nor TCP
    keepalives or ``tcp_user_timeout``. So one thread per process shuts the socket
    of a request still waiting when its deadline runs out (``Connection.fileno()``,
    psycopg's public API); psycopg's wait then fails at once, as for a cut
    connection, and Django opens a new connection for the next request.

  So an outage answers a 503 within ``DATABASE_API_TIMEOUT`` +
  ``DATABASE_CONNECT_TIMEOUT`` (1 + 2 = 3 s).
- **Few connection attempts in an outage.** While connecting fails, a public request
  tries at most once every ``RETRY_INTERVAL`` seconds per process; the others answer
  503 at once, so workers are not all held by a database that does not answer and a
  recovering one is not stormed. ``/readyz`` always tries.
- **One log line per incident.** The first failure of an outage is logged (ERROR,
  one line with its request id and the driver's message, no traceback); the next
  ones are counted, and the first new connection that succeeds logs how long it
  lasted and how many requests failed (WARNING). Per process. Django's own line
  per error response is left out for these 503s (``OutageLoggedFilter``).
- **Health endpoints**, ``/healthz`` (liveness: the process answers; no
  dependency) and ``/readyz`` (the database and the cache), answered by
  ``clinic.middleware.HealthCheckMiddleware`` before host validation
  (``ALLOWED_HOSTS``), sessions, throttling and caching.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse

from runtime.request_id import current_request_id

logger = logging.getLogger("clinic.health")

# Seconds between connection attempts of public requests while connecting fails.
RETRY_INTERVAL = 2.0
# Seconds a client should wait before asking again after a 503.
RETRY_AFTER = 5
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
# Set on a request whose database outage this module has logged.
OUTAGE_LOGGED = "database_outage_logged"


# The deadline.

_deadline: contextvars.ContextVar[DatabaseDeadline | None] = contextvars.ContextVar(
    "database_deadline", default=None
)


class DatabaseDeadline:
    """``with DatabaseDeadline(1):`` — a wait on the database inside the block ends
    (``OperationalError``) once 1 s has passed since it began, and no connection
    attempt starts after that (one started before lasts up to ``connect_timeout``).
    Nested deadlines never extend the outer one. ``probe=True`` (readiness)
    connects even while connection attempts are spaced out."""

    __slots__ = ("seconds", "probe", "at", "connection", "_token")

    def __init__(self, seconds: float, *, probe: bool = False):
        self.seconds = seconds
        self.probe = probe

    def __enter__(self) -> DatabaseDeadline:
        self.at = time.monotonic() + self.seconds
        outer = _deadline.get()
        if outer is not None:
            self.at = min(self.at, outer.at)
        self._token = _deadline.set(self)
        # This thread's connection (Django keeps one per thread).
        self.connection = connections[DEFAULT_DB_ALIAS]
        if self.connection.vendor == "postgresql":  # SQLite does not hang
            _watchdog.watch(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _watchdog.unwatch(self)
        _deadline.reset(self._token)

    def remaining(self) -> float:
        return self.at - time.monotonic()


class _Watchdog:
    """One thread per process that ends the database waits of the deadlines that
    ran out while their request is still inside them."""

    def __init__(self):
        self.condition = threading.Condition()
        self.active: set[DatabaseDeadline] = set()
        self.wake_at: float | None = None
        self.thread: threading.Thread | None = None

    def watch(self, deadline: DatabaseDeadline) -> None:
        with self.condition:
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self.run, name="database-deadline", daemon=True
                )
                self.thread.start()
            self.active.add(deadline)
            # Deadlines come in order: the thread is woken only when it sleeps
            # with nothing to watch (or, nested, for an earlier one).
            if self.wake_at is None or deadline.at < self.wake_at:
                self.condition.notify()

    def unwatch(self, deadline: DatabaseDeadline) -> None:
        with self.condition:
            self.active.discard(deadline)

    def run(self) -> None:
        with self.condition:
            while True:
                now = time.monotonic()
                for deadline in [d for d in self.active if d.at <= now]:
                    self.active.discard(deadline)
                    interrupt(deadline.connection)
                self.wake_at = wake_at = min((d.at for d in self.active), default=None)
                self.condition.wait(None if wake_at is None else wake_at - now)


_watchdog = _Watchdog()
# A forked worker starts without the parent's thread.
os.register_at_fork(after_in_child=_watchdog.__init__)


def interrupt(wrapper) -> None:
    """Shut the socket of Django connection ``wrapper`` (psycopg), from any thread:
    a wait on it fails at once, as for a connection the server cut."""
    raw = wrapper.connection
    if raw is None or raw.closed:
        return
    # Closed meanwhile: nothing to end.
    with (
        contextlib.suppress(Exception),
        socket.socket(fileno=os.dup(raw.fileno())) as sock,
    ):
        sock.shutdown(socket.SHUT_RDWR)


class _Connecting:
    """When connecting last failed in this process (monotonic time), or None."""

    failed_at: float | None = None

    @classmethod
    def may_try(cls) -> bool:
        failed_at = cls.failed_at
        return failed_at is None or time.monotonic() - failed_at >= RETRY_INTERVAL


@contextlib.contextmanager
def connecting(error: type[Exception]) -> Iterator[None]:
    """Around a connection attempt (``runtime.postgresql``): refused with ``error``
    (the driver's OperationalError) while attempts are spaced out or once the
    deadline has passed; a failure starts the spacing, a success ends it."""
    deadline = _deadline.get()
    if deadline is not None:
        if not deadline.probe and not _Connecting.may_try():
            raise error(
                "the database could not be reached a moment ago; "
                f"next attempt within {RETRY_INTERVAL:.0f} s"
            )
        if deadline.remaining() <= 0:
            _Connecting.failed_at = time.monotonic()
            raise error(_spent(deadline))
    try:
        yield
    except error:
        _Connecting.failed_at = time.monotonic()
        raise
    _Connecting.failed_at = None


def _spent(deadline: DatabaseDeadline) -> str:
    return f"no answer from the database within {deadline.seconds:g} s"


# Incidents.


class _Incident:
    """A database outage as this process sees it: from the first failure to the
    first new connection that succeeds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since: float | None = None
        self.failures = 0
        self.first_request: str | None = None

    def failed(self, error: BaseException) -> None:
        with self.lock:
            self.failures += 1
            if self.since is not None:
                return
            self.since = time.monotonic()
            self.first_request = current_request_id()
        logger.error(
            "Database unavailable: %s. Public requests answer 503 until a new "
            "connection succeeds; further failures are counted, not logged.",
            _describe(error),
        )

    def connected(self) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is None:
                return
            lasted = time.monotonic() - self.since
            failures, first = self.failures, self.first_request
            self.since, self.failures, self.first_request = None, 0, None
        logger.warning(
            "Database available again after %.1f s; %d failed requests meanwhile "
            "(the first: request %s).",
            lasted,
            failures,
            first or "-",
        )

    @property
    def open(self) -> bool:
        return self.since is not None


incident = _Incident()


def database_failed(error: BaseException, request=None) -> None:
    """Record a failure to use the database (logged once per incident). Django's
    own line for the request's error response is then left out."""
    incident.failed(error)
    if request is not None:
        setattr(request, OUTAGE_LOGGED, True)


class OutageLoggedFilter(logging.Filter):
    """On the ``django.request`` logger: drops Django's line for a response to a
    request whose database outage is logged here (once per incident)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(getattr(record, "request", None), OUTAGE_LOGGED, False)


def _on_connection_created(sender, connection, **kwargs) -> None:
    incident.connected()


connection_created.connect(_on_connection_created, dispatch_uid="clinic_health")


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# Health endpoints.


def json_response(body: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, separators=(",", ":")),
        status=status,
        content_type=JSON_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


def liveness(request) -> HttpResponse:
    return json_response({"status": "ok"})


def database_check(request) -> str:
    try:
        with (
            DatabaseDeadline(settings.DATABASE_API_TIMEOUT, probe=True),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        database_failed(error, request)
        return "unavailable"
    return "ok"


def cache_check() -> str:
    try:
        caches["default"].get("health:readyz")
    except Exception:  # noqa: BLE001 — any failure means the cache is not usable
        return "unavailable"
    return "ok"


def readiness(request) -> HttpResponse:
    """503 while the database is unavailable. A cache outage is reported but
    leaves the server ready: the API fails open to the database, and taking every
    server out of the load balancer for it would turn a slower service into
    none."""
    checks = {"database": database_check(request), "cache": cache_check()}
    if checks["database"] != "ok":
        response = json_response({"status": "unavailable", "checks": checks}, 503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    status = "ok" if checks["cache"] == "ok" else "degraded"
    return json_response({"status": status, "checks": checks})
