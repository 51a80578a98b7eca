"""Project middleware."""

from __future__ import annotations

import base64
import contextvars
import hashlib
import logging
import re
import uuid

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.middleware.locale import LocaleMiddleware

from clinic.api.errors import is_api

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


class AdminLocaleMiddleware(LocaleMiddleware):
    """The admin's language follows the editor's browser; the API's never does.

    Django's LocaleMiddleware would add ``Vary: Accept-Language`` and a
    ``Content-Language`` of the UI language to API responses, splitting CDN caches
    and contradicting ``?locale=`` (DESIGN §2).
    """

    def process_request(self, request):
        if not is_api(request):
            super().process_request(request)

    def process_response(self, request, response):
        if is_api(request):
            return response
        return super().process_response(request, response)


# The documentation pages (drf-spectacular's Swagger UI and Redoc templates).
DOCS_PATHS = frozenset({"/api/v1/docs/", "/api/v1/redoc/"})
# Inline scripts as those templates write them: a bare <script> element.
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
# The import map django-prose-editor's widget writes into admin pages (django-js-asset).
# CSP treats an inline import map as an inline script.
IMPORT_MAP = re.compile(rb'<script type="importmap">(.*?)</script>', re.DOTALL)
# JSON is never rendered as a document: it may load, run and embed nothing.
API_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with a policy per kind of response.

    - the admin and everything outside ``/api/``: ``CONTENT_SECURITY_POLICY``
      (self only), plus the SHA-256 of the page's import map if it has one: the rich
      text editor's modules are loaded through it. An import map only renames
      modules; what it can point to is still limited to this origin by
      ``script-src``;
    - the docs pages: that policy plus the SHA-256 of each inline script of the page
      (drf-spectacular's Swagger UI template inlines its start-up code; hashing it
      needs no change to the template, which a nonce would) and ``worker-src
      blob:``, where Redoc runs its search index. Nothing in those scripts comes
      from the request unescaped, so the hashes admit only the template's own code.
      Styles stay ``'unsafe-inline'``: Redoc's styled-components write <style>
      elements at run time, which no hash can know in advance;
    - other API responses: nothing allowed at all.
    """

    def process_response(self, request, response):
        # drf-spectacular relaxes this on Swagger UI for OAuth2 login pop-ups; the
        # API has no login.
        if (
            request.path_info in DOCS_PATHS
            and response.get("Cross-Origin-Opener-Policy") == "unsafe-none"
        ):
            response["Cross-Origin-Opener-Policy"] = "same-origin"
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        # django-csp's documented extension point (its 4.0 migration guide).
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        path = request.path_info
        html = not response.streaming and response.get("Content-Type", "").startswith(
            "text/html"
        )
        if path in DOCS_PATHS:
            if html:
                parts.update = {
                    **(parts.update or {}),
                    "script-src": _hashes(INLINE_SCRIPT, response),
                    "worker-src": [SELF, "blob:"],
                }
        elif is_api(request):
            parts.config = API_POLICY
        elif html:
            import_maps = _hashes(IMPORT_MAP, response)
            if import_maps:
                parts.update = {**(parts.update or {}), "script-src": import_maps}
        return parts


def _hashes(pattern: re.Pattern, response) -> list[str]:
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in pattern.findall(response.content)
    ]
