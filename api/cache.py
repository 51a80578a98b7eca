"""HTTP caching of the public API: validators, Cache-Control for a CDN, cache tags,
and a shared cache of rendered responses.

``ApiCacheMiddleware`` sits right after CORS in the middleware stack. For a GET or
HEAD under ``/api/v1/`` it reads, in one cache round trip, the content version
(``publication.content_version``) and the entry stored for the request's key (scheme,
host, path and the query string as sent: ``?locale=en`` and no locale show the same
objects but not the same ``next`` link). An entry
filed under the current version is answered from its stored bytes and headers
without running the rest of the middleware, the view or a query; a conditional
request that matches it gets a 304 with no body. Otherwise a URL the delivery store
keeps is answered from its stored document (publication/documents.py: one indexed
lookup; without the response cache the content version is not read for it), else
the view renders, and a 200 from a public view is stored with its validators:

- ``ETag``: a strong validator, the hash of the body bytes, so it changes exactly when
  the representation does;
- ``Last-Modified``: when this representation appeared. A re-render after a content
  change that leaves the bytes as they were keeps the previous time; a new
  representation takes the time of the content version that produced it.

Conditional requests follow RFC 9110 (If-None-Match before If-Modified-Since) through
Django's ``get_conditional_response``. Errors are ``no-store``: a CDN must not keep a
404 that a publish is about to fill. A cache that fails (Redis down, a timeout) is
logged and bypassed: the response is rendered as if there were no cache, and the
rate limit (whose counts are in the cache too) lets the request through. After a
failure, calls to Redis fail at once for a moment (``runtime.cache_backends``).

Why not Django's ``cache_page``/``UpdateCacheMiddleware``: they key on the request
URL and headers with a per-page timeout, have no notion of a content version bumped
on commit, and store responses after the whole middleware stack (cookies and CORS
headers included).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from api.locale import hreflang
from api.renderers import ANY_JSON
from api.throttling import throttle_api_read
from publication import documents
from publication.content_version import VERSION_KEY, new_token, token_time
from publication.languages import LANGUAGE_CODES
from runtime.origin import absolute_url

logger = logging.getLogger("clinic.cache")

PREFIX = "/api/v1/"
ENTRY_PREFIX = "api:response:"
# Headers of the rendered response that are not stored: the cache layer sets the
# length, and CORS and security headers are added by the middleware outside.
NOT_STORED = frozenset({"content-length", "vary", "set-cookie"})
# Kept on a 304 besides those Django keeps (RFC 9110 §15.4.5 allows any).
KEPT_ON_304 = ("Cache-Tag", "Surrogate-Key", "Content-Language", "X-Frame-Options")

# The cache tags of the objects a response shows, collected while it renders.
_shown: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "api_shown", default=None
)


def collect_tags() -> tuple[set[str], contextvars.Token]:
    tags: set[str] = set()
    return tags, _shown.set(tags)


def stop_collecting(token: contextvars.Token) -> None:
    _shown.reset(token)


def shown(kind: str, pk) -> None:
    """Record that the response being rendered shows object ``kind-pk``."""
    tags = _shown.get()
    if tags is not None:
        tags.add(f"{kind}-{pk}")


def shown_type(kind: str) -> None:
    """Record that the response shows every visible object of a type (a block that
    lists all cause types): publishing a new one must purge it."""
    tags = _shown.get()
    if tags is not None:
        tags.add(kind)


def cache_control() -> str:
    conf = settings.API_CACHE
    return (
        f"public, max-age={conf['MAX_AGE']}, s-maxage={conf['S_MAXAGE']}, "
        f"stale-while-revalidate={conf['STALE_WHILE_REVALIDATE']}, "
        f"stale-if-error={conf['STALE_IF_ERROR']}"
    )


def cache_key(request) -> str:
    # get_host() also enforces ALLOWED_HOSTS before anything is looked up; scheme and
    # host are part of the key because pagination links are absolute. The query is
    # the one sent: pagination links repeat it, so two spellings of one query
    # (another order, the default locale explicit) are two answers.
    raw = "{}://{}{}?{}".format(
        request.scheme,
        request.get_host(),
        request.path,
        request.META.get("QUERY_STRING", ""),
    )
    return ENTRY_PREFIX + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def strong_etag(body: bytes) -> str:
    """SHA-256 of the body, cut to 128 bits. SHA-256 rather than BLAKE2: today's
    x86 and ARM processors hash it in hardware (the SHA extensions), so it is the
    cheaper of the two on every response (docs/performance.md)."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@functools.lru_cache(maxsize=256)
def http_date_of(timestamp: int) -> str:
    """``http_date``, remembered: every response since the last content change
    carries one of a few times, and formatting one costs more than the lookup."""
    return http_date(timestamp)


@functools.cache
def _codes_by_tag() -> dict[str, str]:
    return {hreflang(code): code for code in LANGUAGE_CODES}


def locale_code(content_language: str) -> str:
    """The ``?locale=`` code of a ``Content-Language`` (``zh-Hans`` → ``zh-hans``):
    what the delivery store files a document under; empty for none."""
    return _codes_by_tag().get(content_language, "")


def read_version(cache):
    """The current content version as an opaque value (raw bytes from Redis,
    the token itself from other backends), created if the cache has none."""
    get = getattr(cache, "get_raw", cache.get)
    version = get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, new_token(), timeout=None)
        version = get(VERSION_KEY)
    return version


def version_token(cache, version) -> str:
    """The token of a version read by ``read_version``."""
    if isinstance(version, bytes):
        return cache.decode_raw(version)
    return version


class _Failure:
    """Log a cache failure once per minute per process, not once per request."""

    interval = 60.0
    last = 0.0

    @classmethod
    def report(cls, what: str) -> None:
        now = time.monotonic()
        if now - cls.last >= cls.interval:
            cls.last = now
            logger.warning(
                "API response cache unavailable (%s); serving uncached",
                what,
                exc_info=True,
            )


class ApiCacheMiddleware:
    """See the module docstring. Two tiers: the shared cache (Redis) holds every
    entry; each process keeps the entries it served last (``LOCAL_ENTRIES``) so that
    a hit costs one small read of the version, not a transfer of the body."""

    LOCAL_ENTRIES = 256
    LOCAL_KEYS = 4096

    def __init__(self, get_response):
        self.get_response = get_response
        self.local: dict[str, tuple] = {}
        self.keys: dict[tuple, str] = {}

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not request.path_info.startswith(
            PREFIX
        ):
            return self.get_response(request)
        # The store's own request (publication/documents.py): rendered, not read
        # from a cache, and not rate-limited.
        rendering = bool(request.META.get(documents.RENDER_MARK))
        try:
            refused = None if rendering else throttle_api_read(request)
        except Exception:  # noqa: BLE001 — the rate limit's counts live in the cache
            _Failure.report("rate limit")
            # Fail open, and tell the view's own throttle the read was counted.
            request.api_throttle_counted = True
            refused = None
        if refused is not None:
            return refused
        conf = settings.API_CACHE
        # The content version is read for the response cache's entries and for
        # the delivery store's writes; either may be off without the other.
        cache = caches[conf["ALIAS"]] if conf["ENABLED"] or conf["DOCUMENTS"] else None
        key = version = entry = None
        if conf["ENABLED"]:
            try:
                key = self.key_for(request)
            except DisallowedHost:
                return self.get_response(request)  # Django answers the 400
            try:
                version = read_version(cache)
                entry = self.local.get(key) if key else None
                if key and (entry is None or entry[0] != version):
                    entry = cache.get(key)
                    if entry is not None and entry[0] == version:
                        self.remember(key, entry)
            except Exception:  # noqa: BLE001 — any cache failure fails open
                _Failure.report("read")
                key = version = entry = None
        if (
            entry is not None
            and version is not None
            and entry[0] == version
            and not rendering
            # Any other Accept is negotiated by the view, which may answer 406.
            and request.META.get("HTTP_ACCEPT", "*/*") in ANY_JSON
        ):
            return self.answer(request, entry)
        url = self.document_url(request)
        stored = None
        if url is not None:
            try:
                stored = documents.lookup(url)
            except DatabaseError:
                # Not the store's to answer: the view meets the same database
                # and answers its 503 (api/errors.py), or needs none (a 404).
                url = None
            if stored is not None and not stored.stale and not rendering:
                entry = (
                    version,
                    tuple(tuple(pair) for pair in stored.headers),
                    bytes(stored.body),
                    stored.etag,
                    stored.last_modified,
                )
                self.keep(cache, key, entry)
                request.META[documents.SERVED_MARK] = url
                return self.answer(request, entry)
        if cache is not None and not conf["ENABLED"]:
            # Without the response cache the version is needed only now: a
            # document is written under the version its render started from
            # (``store_document``), and a new representation takes its time. A
            # read answered from the store above needs none.
            try:
                version = read_version(cache)
            except Exception:  # noqa: BLE001 — any cache failure fails open
                _Failure.report("read")
        response = self.get_response(request)
        if not getattr(response, "api_cacheable", False) or response.status_code != 200:
            if response.status_code >= 400 and not response.has_header("Cache-Control"):
                response["Cache-Control"] = "no-store"
            return response
        body = response.content
        etag = strong_etag(body)
        if entry is not None and entry[3] == etag:
            last_modified = entry[4]
        elif stored is not None and stored.etag == etag:
            last_modified = stored.last_modified
        else:
            last_modified = int(
                token_time(version_token(cache, version)) if version else time.time()
            )
        response["ETag"] = etag
        response["Last-Modified"] = http_date_of(last_modified)
        response["Cache-Control"] = cache_control()
        tags = getattr(response, "api_tags", ())
        if tags:
            response["Cache-Tag"] = ",".join(tags)
            response["Surrogate-Key"] = " ".join(tags)
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in NOT_STORED
        )
        entry = (version, headers, body, etag, last_modified)
        self.keep(cache, key, entry)
        if (
            url is not None
            and version is not None
            and self.store_document(cache, url, entry, response, tags)
        ):
            request.META[documents.SERVED_MARK] = url
        return self.conditional(request, response, etag, last_modified)

    def keep(self, cache, key, entry) -> None:
        """File ``entry`` in the response cache under its content version."""
        if key is None or entry[0] is None:
            return
        try:
            cache.set(key, entry, timeout=settings.API_CACHE["TIMEOUT"])
        except Exception:  # noqa: BLE001
            _Failure.report("write")
        else:
            self.remember(key, entry)

    @staticmethod
    def document_url(request) -> str | None:
        """The URL under which the delivery store keeps this request's answer, or
        None for one it does not keep (a filter, a search, a page size, an
        ``Accept`` the view negotiates)."""
        if not settings.API_CACHE["DOCUMENTS"]:
            return None
        if request.META.get("HTTP_ACCEPT", "*/*") not in ANY_JSON:
            return None
        if not documents.storable(request.GET):
            return None
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return None
        # Only the public views' documents (not the schema or its pages).
        if not getattr(getattr(view, "view_class", None), "delivered", False):
            return None
        try:
            return absolute_url(request, request.get_full_path())
        except DisallowedHost:
            return None  # Django answers the 400

    @staticmethod
    def store_document(cache, url, entry, response, tags) -> bool:
        """Write the document, then check that no change committed while it was
        rendered (publication/documents.py): if the content version moved, the
        document may show what came before, and is dropped. Whether it is kept."""
        version, headers, body, etag, last_modified = entry
        documents.write(
            url,
            locale=locale_code(response.get("Content-Language", "")),
            body=body,
            headers=list(headers),
            etag=etag,
            last_modified=last_modified,
            tags=tags,
        )
        try:
            current = read_version(cache)
        except Exception:  # noqa: BLE001 — unsure: drop it; it renders on demand
            current = None
        if current != version:
            documents.discard(url)
            return False
        return True

    def key_for(self, request) -> str:
        # get_host() validates the Host header against ALLOWED_HOSTS on every
        # request; the key derived from it is memoized.
        raw = (
            request.scheme,
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
        )
        key = self.keys.get(raw)
        if key is None:
            if len(self.keys) >= self.LOCAL_KEYS:
                self.keys.clear()
            key = self.keys[raw] = cache_key(request)
        return key

    def remember(self, key: str, entry: tuple) -> None:
        local = self.local
        local.pop(key, None)
        while len(local) >= self.LOCAL_ENTRIES:
            local.pop(next(iter(local)), None)
        local[key] = entry

    def answer(self, request, entry):
        _version, headers, body, etag, last_modified = entry
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
        response.headers["Content-Length"] = str(len(body))
        return self.conditional(request, response, etag, last_modified)

    @staticmethod
    def conditional(request, response, etag, last_modified):
        result = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
        if result is not response and result.status_code == 304:
            for name in KEPT_ON_304:
                if response.has_header(name):
                    result[name] = response[name]
        return result
