"""Request ids: every request gets one, every log line written while it is handled
carries it, and error responses name it (so a user's report finds its log lines)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy in front may send (a UUID, nginx's $request_id, a trace id); anything
# else is replaced, never cleaned up, so a log line never holds client-made text.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+/=-]{0,127}")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


def incoming_request_id(value: str | None) -> str | None:
    """The client's (or proxy's) X-Request-ID if it is sane, else None."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


def current_request_id() -> str | None:
    """The id of the request being handled in this thread, if any."""
    return _request_id.get()


class RequestIdMiddleware:
    """Outermost: every request gets an id, the sane incoming ``X-Request-ID`` or a
    new UUID, that every log line written while it is handled carries
    (``RequestIdFilter``).

    An incoming id is echoed on every response. A generated one is sent on error
    responses only, the ones Django logs: a 2xx or 304 names no log line, and a
    cached answer must carry exactly the headers of the fresh one (the WSGI fast
    path echoes incoming ids on its replays likewise).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = incoming_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request_id = request.request_id = incoming or uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        if incoming or response.status_code >= 400:
            response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every log record a ``request_id`` (``-`` outside a request). Django
    logs a response's status after the middleware has returned, with the request
    attached: its id is read from there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = _request_id.get() or getattr(
                getattr(record, "request", None), "request_id", None
            )
            record.request_id = request_id or "-"
        return True
