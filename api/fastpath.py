"""Cache hits served before Django's request handling (WSGI).

``ApiCacheMiddleware`` answers a cached public response without the view or the
database, but the request still pays for Django's handler: the request object, the
request_started/finished signals, the middleware chain. For the hottest case — an
anonymous GET under ``/api/v1/`` that a CDN or browser repeats — this WSGI wrapper
answers from what this process itself sent for the same request earlier:

- it remembers, per (scheme, host, path, query), the final status, headers and body
  that left Django (security headers included) for a plain GET, and the 304 headers for
  a revalidation, together with the content version read before the request;
- it replays them only while that version is still current (one small read of the
  shared cache per request, as the middleware does) and only for requests that would
  get exactly those bytes: no ``Origin`` header (CORS headers depend on it), no
  conditional header other than ``If-None-Match``, and an ``Accept`` that the view
  answers with its one JSON renderer without negotiating (any other may be a 406).
  Anything else goes to Django.

The key holds everything else Django's answer depends on, read as Django reads it:
the scheme by Django's own rule (``scheme()``: the first value of a
``SECURE_PROXY_SSL_HEADER`` such as ``X-Forwarded-Proto: https, http``, else the
server's), the Host header, the path and the query string as sent (``?locale=en`` and
no locale give the same page but not the same ``next`` link). ``SCRIPT_NAME`` is in
the key too, though Django ignores a server's (``FORCE_SCRIPT_NAME``: the app is
mounted at the root) and gunicorn no longer takes it from a request header
(``gunicorn.conf.py``).

So the wrapper never decides anything Django has not already answered for the same
request under the same content version; a version bump (a committed public change on
any server) sends the next request through Django again. When the version cannot be
read (Redis down: such calls fail at once after the first, see
``runtime.cache_backends``), the request goes to Django, which serves it uncached.

Without the response cache (``API_RESPONSE_CACHE=false``, the delivery store on) an
answer is replayed only when Django answered it from a stored document (read or
written by ``ApiCacheMiddleware``, which names it in the environ), and only while
that document is still fresh with the same ETag and Last-Modified: one narrow
indexed read (``documents.validators``) instead of Django's handler, the
middleware, the connection's health check and the row's body (docs/performance.md
has the figures). A database that fails sends the request to Django, which answers
as the middleware does (a 503).

``X-Request-ID`` is per request: it is never stored, and a replay echoes the
request's own sane one, as ``runtime.request_id.RequestIdMiddleware`` does.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.utils.http import parse_etags

from api.cache import PREFIX, http_date_of, read_version
from api.renderers import ANY_JSON
from publication import documents
from runtime.health import DatabaseDeadline
from runtime.request_id import REQUEST_ID_HEADER, incoming_request_id

# Requests with these headers get a different answer than a plain or If-None-Match
# GET: Django handles them.
PASS_THROUGH = (
    "HTTP_ORIGIN",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_AUTHORIZATION",
    "HTTP_COOKIE",
)
MAX_ENTRIES = 256
NOT_STORED = frozenset({REQUEST_ID_HEADER.lower()})


class CachedApiApplication:
    def __init__(self, application):
        self.application = application
        # raw request key -> [version, status, headers, body, etag, 304 headers,
        # stored document's URL, Last-Modified]
        self.entries: dict[tuple, list] = {}
        # Django's ``caches[alias]`` goes through asgiref's Local on every access;
        # each thread keeps the backend it got (what ``caches`` would return it).
        self.local = threading.local()

    def cache(self):
        alias = settings.API_CACHE["ALIAS"]
        held = getattr(self.local, "cache", None)
        if held is None or held[0] != alias or held[2] != _caches_configured:
            held = self.local.cache = (alias, caches[alias], _caches_configured)
        return held[1]

    def __call__(self, environ, start_response):
        conf = settings.API_CACHE
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not environ.get("PATH_INFO", "").startswith(PREFIX)
            or not (conf["ENABLED"] or conf["DOCUMENTS"])
            # With a rate limit every read is counted, in Django (ApiCacheMiddleware).
            or settings.API_THROTTLE_RATE
            or any(name in environ for name in PASS_THROUGH)
            or environ.get("HTTP_ACCEPT", "*/*") not in ANY_JSON
        ):
            return self.application(environ, start_response)
        raw = (
            self.scheme(environ),
            environ.get("HTTP_HOST"),
            environ.get("SCRIPT_NAME", ""),
            environ["PATH_INFO"],
            environ.get("QUERY_STRING", ""),
        )
        entry = self.entries.get(raw)
        if conf["ENABLED"]:
            try:
                version = read_version(self.cache())
            except Exception:  # noqa: BLE001 — the middleware logs, serves uncached
                return self.application(environ, start_response)
            current = entry is not None and entry[0] == version
        else:
            # The delivery store without the response cache: what this process
            # sent is current while the stored document it came from is.
            version = None
            current = entry is not None and self.still_stored(entry)
        if current and raw[1]:
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            plain = if_none_match is None and "HTTP_IF_MODIFIED_SINCE" not in environ
            if plain and entry[1] is not None:
                start_response(entry[1], with_request_id(entry[2], environ))
                return [entry[3]]
            if if_none_match is not None:
                if matches(entry[4], if_none_match):
                    if entry[5] is not None:
                        start_response(
                            "304 Not Modified", with_request_id(entry[5], environ)
                        )
                        return []
                elif entry[1] is not None:
                    start_response(entry[1], with_request_id(entry[2], environ))
                    return [entry[3]]
        return self.remember(raw, version, environ, start_response)

    def remember(self, raw, version, environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.application(environ, capture)
        status = seen.get("status", "")
        if not status.startswith(("200", "304")):
            return result
        # Without the response cache, only an answer from a stored document is
        # replayed, while that document stays as it was (``still_stored``).
        document = environ.get(documents.SERVED_MARK)
        if version is None and document is None:
            return result
        headers = [
            (name, value)
            for name, value in seen["headers"]
            if name.lower() not in NOT_STORED
        ]
        names = {name.lower() for name, _ in headers}
        if "etag" not in names or "set-cookie" in names:
            return result
        etag = next(value for name, value in headers if name.lower() == "etag")
        last_modified = next(
            (value for name, value in headers if name.lower() == "last-modified"), None
        )
        entry = self.entries.get(raw)
        if entry is None or entry[0] != version or entry[4] != etag:
            entry = [version, None, None, None, etag, None, None, None]
        entry[6], entry[7] = document, last_modified
        if status.startswith("304"):
            entry[5] = headers
        else:
            body = b"".join(result)
            if hasattr(result, "close"):
                result.close()
            if "content-length" not in names:
                headers.append(("Content-Length", str(len(body))))
            entry[1], entry[2], entry[3] = status, headers, body
            result = [body]
        self.store(raw, entry)
        return result

    @staticmethod
    def still_stored(entry) -> bool:
        """Whether the stored document ``entry`` was answered from is still fresh
        with the same validators: one narrow indexed read. A database that fails
        sends the request to Django, which answers as the middleware does."""
        if entry[6] is None:
            return False
        try:
            with DatabaseDeadline(settings.DATABASE_API_TIMEOUT):
                validators = documents.validators(entry[6])
        except DatabaseError:
            return False
        return validators is not None and (
            validators[0] == entry[4] and http_date_of(validators[1]) == entry[7]
        )

    def store(self, raw, entry) -> None:
        entries = self.entries
        entries.pop(raw, None)
        while len(entries) >= MAX_ENTRIES:
            entries.pop(next(iter(entries)), None)
        entries[raw] = entry

    @staticmethod
    def scheme(environ) -> str:
        """``HttpRequest.scheme`` of Django 5.2 on this environ: the first
        comma-separated value of the proxy's header decides; without the header,
        the server's scheme."""
        header = settings.SECURE_PROXY_SSL_HEADER
        if header:
            name, secure_value = header
            value = environ.get(name)
            if value is not None:
                first = value.split(",", 1)[0].strip()
                return "https" if first == secure_value else "http"
        return environ.get("wsgi.url_scheme", "http")


# Bumped when CACHES changes (as Django's own cache handler is reset then), so that no
# thread keeps a backend of the configuration before.
_caches_configured = 0


@receiver(setting_changed)
def _caches_changed(*, setting, **kwargs) -> None:
    global _caches_configured
    if setting == "CACHES":
        _caches_configured += 1


def with_request_id(headers: list, environ) -> list:
    request_id = incoming_request_id(environ.get("HTTP_X_REQUEST_ID"))
    if request_id is None:
        return headers
    return [*headers, (REQUEST_ID_HEADER, request_id)]


def matches(etag: str, if_none_match: str) -> bool:
    """RFC 9110 weak comparison, as Django's ``get_conditional_response`` does for
    If-None-Match."""
    tags = parse_etags(if_none_match)
    if tags == ["*"]:
        return True
    plain = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == plain for tag in tags)
