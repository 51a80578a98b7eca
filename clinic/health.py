"""Outages of the database and the cache: how long a public request waits, what is
logged, and the health endpoints.

- **A deadline for the database.** ``DatabaseDeadline(seconds)`` bounds every wait
  on PostgreSQL inside it, in total: connecting, each query, the health check of a
  reused connection. ``ApiErrorMiddleware`` puts each ``/api/`` request under
  ``DATABASE_API_TIMEOUT`` (1.5 s), ``/readyz`` likewise, so an outage answers a 503
  in under 2 s. psycopg offers no setting for this: its connect timeout is whole
  seconds and at least 2 (libpq's rule), and a query waits forever for an answer
  that a stuck server or network never sends (``statement_timeout`` runs on that
  server; TCP keepalives are acknowledged by its kernel). So ``install()`` wraps
  psycopg's two waits (``Connection.connect``'s timeout and ``Connection.wait``);
  outside a deadline they behave exactly as psycopg's own. A connection whose wait
  ran out is closed (its answer may still come), and Django opens a new one.
- **Few connection attempts in an outage.** While connecting fails, a public request
  tries at most once every ``RETRY_INTERVAL`` seconds per process; the others answer
  503 at once, so workers are not all held by a database that does not answer and a
  recovering one is not stormed. ``/readyz`` always tries.
- **One log line per incident.** The first failure of an outage is logged (ERROR,
  one line with its request id and the driver's message, no traceback); the next
  ones are counted, and the first new connection that succeeds logs how long it
  lasted and how many requests failed (WARNING). Per process.
- **Health endpoints**, answered by ``HealthCheckMiddleware`` before host validation
  (``ALLOWED_HOSTS``), sessions, throttling and caching: ``/healthz`` (liveness: the
  process answers; no dependency) and ``/readyz`` (the database and the cache).
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.backends.signals import connection_created
from django.http import HttpResponse

logger = logging.getLogger("clinic.health")

# Seconds between connection attempts of public requests while connecting fails.
RETRY_INTERVAL = 2.0
# Seconds a client should wait before asking again after a 503.
RETRY_AFTER = 5
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


# The deadline.

_deadline: contextvars.ContextVar[DatabaseDeadline | None] = contextvars.ContextVar(
    "database_deadline", default=None
)


class DatabaseDeadline:
    """``with DatabaseDeadline(1.5):`` — every database wait inside the block ends
    (``OperationalError``) once 1.5 s have passed since it began. Nested deadlines
    never extend the outer one. ``probe=True`` (readiness) connects even while
    connection attempts are spaced out."""

    __slots__ = ("seconds", "probe", "at", "_token")

    def __init__(self, seconds: float, *, probe: bool = False):
        self.seconds = seconds
        self.probe = probe

    def __enter__(self) -> DatabaseDeadline:
        if not _installed:
            install()
        self.at = time.monotonic() + self.seconds
        outer = _deadline.get()
        if outer is not None:
            self.at = min(self.at, outer.at)
        self._token = _deadline.set(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _deadline.reset(self._token)

    def remaining(self) -> float:
        return self.at - time.monotonic()


_installed = False
_install_lock = threading.Lock()


def install() -> None:
    """Make psycopg's waits honour ``DatabaseDeadline`` (once per process)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        try:
            import psycopg
            from psycopg import connection as pg_connection
        except ImportError:  # SQLite only: nothing waits on a network
            return
        _wrap_psycopg(psycopg, pg_connection)


class _Connecting:
    """When connecting last failed in this process (monotonic time), or None."""

    failed_at: float | None = None

    @classmethod
    def may_try(cls) -> bool:
        failed_at = cls.failed_at
        return failed_at is None or time.monotonic() - failed_at >= RETRY_INTERVAL


def _wrap_psycopg(psycopg, pg_connection) -> None:
    Connection = pg_connection.Connection
    wait_timeout = psycopg.errors._WaitTimeout
    original_wait = Connection.wait
    original_connect = Connection.connect.__func__
    original_timeout = pg_connection.timeout_from_conninfo

    class DeadlineExceeded(psycopg.errors.ConnectionTimeout):
        """The request's time for the database ran out."""

    def wait(self, gen, interval=None, timeout=None):
        more = {} if interval is None else {"interval": interval}
        deadline = _deadline.get()
        if deadline is None:
            return original_wait(self, gen, timeout=timeout, **more)
        remaining = deadline.remaining()
        if timeout is not None and timeout <= remaining:
            return original_wait(self, gen, timeout=timeout, **more)
        if remaining <= 0:
            gen.close()  # nothing was sent: the connection stays usable
            raise DeadlineExceeded(_spent(deadline))
        try:
            return original_wait(self, gen, timeout=remaining, **more)
        except wait_timeout:
            # A command is in flight and its answer may still arrive: this
            # connection cannot be used again.
            self.close()
            raise DeadlineExceeded(_spent(deadline)) from None

    def timeout_from_conninfo(params):
        timeout = original_timeout(params)
        deadline = _deadline.get()
        if deadline is None:
            return timeout
        remaining = deadline.remaining()
        if remaining <= 0:
            raise DeadlineExceeded(_spent(deadline))
        return min(timeout, remaining)

    def connect(cls, *args, **kwargs):
        deadline = _deadline.get()
        if deadline is not None and not deadline.probe and not _Connecting.may_try():
            raise DeadlineExceeded(
                "the database could not be reached a moment ago; "
                f"next attempt within {RETRY_INTERVAL:.0f} s"
            )
        try:
            made = original_connect(cls, *args, **kwargs)
        except psycopg.OperationalError:
            _Connecting.failed_at = time.monotonic()
            raise
        _Connecting.failed_at = None
        return made

    Connection.wait = wait
    Connection.connect = classmethod(connect)
    # psycopg.connect, which Django calls, is Connection.connect bound at import.
    psycopg.connect = Connection.connect
    pg_connection.timeout_from_conninfo = timeout_from_conninfo


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
        from clinic.middleware import current_request_id

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


def database_failed(error: BaseException) -> None:
    """Record a failure to use the database (logged once per incident)."""
    incident.failed(error)


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


def liveness() -> HttpResponse:
    return json_response({"status": "ok"})


def database_check() -> str:
    try:
        with (
            DatabaseDeadline(settings.DATABASE_API_TIMEOUT, probe=True),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        database_failed(error)
        return "unavailable"
    return "ok"


def cache_check() -> str:
    try:
        caches["default"].get("health:readyz")
    except Exception:  # noqa: BLE001 — any failure means the cache is not usable
        return "unavailable"
    return "ok"


def readiness() -> HttpResponse:
    """503 while the database is unavailable. A cache outage is reported but
    leaves the server ready: the API fails open to the database, and taking every
    server out of the load balancer for it would turn a slower service into
    none."""
    checks = {"database": database_check(), "cache": cache_check()}
    if checks["database"] != "ok":
        response = json_response({"status": "unavailable", "checks": checks}, 503)
        response["Retry-After"] = str(RETRY_AFTER)
        # Logged once per incident (database_check), not by Django per probe.
        response._has_been_logged = True
        return response
    status = "ok" if checks["cache"] == "ok" else "degraded"
    return json_response({"status": status, "checks": checks})


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before anything that could refuse a load
    balancer's probe: it sits before CommonMiddleware (whose host check would
    answer 400 to a probe addressed by IP), sessions and the API's throttle and
    cache, and after the security middleware so its headers are set (the paths
    are in ``SECURE_REDIRECT_EXEMPT``: a plain-HTTP probe is not redirected)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.checks = {LIVENESS_PATH: liveness, READINESS_PATH: readiness}

    def __call__(self, request):
        check = self.checks.get(request.path_info)
        if check is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            from clinic.api.errors import json_error

            return json_error(
                405,
                "Method not allowed.",
                code="method_not_allowed",
                headers={"Allow": "GET, HEAD", "Cache-Control": "no-store"},
            )
        return check()
