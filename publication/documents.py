"""The delivery store (docs/publishing.md, decision 5): every public response that
depends on no filter or search, kept as bytes with its validators and the tags of
what it shows, in a table every app server shares.

A document is written by ``api.cache.ApiCacheMiddleware`` the first time its URL is
rendered (from published versions, as every public response is), and read back with
one indexed lookup after that. The tags that feed ``Cache-Tag`` are its dependency
index (``DocumentTag``): when published content changes, ``content_published`` names
the tags of what changed, the documents that carry one of them are marked stale in
one statement, and the background worker renders them again (``refresh``), which
is also what yields the set of changed documents (path, locale, before and after)
that a CDN purge or a webhook reads. A stale or missing document is rendered on
demand from published versions, never from the working copy.

A render that raced a change cannot leave an old document behind: a document is
written only under the content version its render started from, checked again
after the write. A committed change marks documents stale before it stores the new
version (no reader under the new version finds an old document fresh) and again
after it (a document written in between, by a render whose check still saw the old
version, is caught then); and the worker's pass, which runs after the change
committed, renders again every stale document it finds.

Why a table and not the response cache alone: the cache is an LRU with a timeout,
flushed whole by every change (the content version), and may be down; the store
keeps every document until what it shows changes, so a change re-renders exactly
the documents it touched, and a Redis outage leaves reads one indexed lookup.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

from django.core.wsgi import get_wsgi_application
from django.db import connection, models, transaction
from django.utils import timezone

from publication.languages import LANGUAGE_CODES

logger = logging.getLogger("clinic.publication")

# The query parameters a stored URL may carry: anything else (a filter, a search,
# a page size) is rendered live.
STORED_PARAMS = frozenset({"locale", "page"})
# What marks a request the store makes to render a document (``render``): a WSGI
# environ key, which no HTTP header can set (headers arrive as ``HTTP_*``).
RENDER_MARK = "clinic.document_render"
# Where the response cache middleware leaves the URL of the stored document a
# request was answered with (read from the store or written there), for the
# WSGI fast path (api/fastpath.py).
SERVED_MARK = "clinic.document_served"


class Document(models.Model):
    key = models.CharField(max_length=32, unique=True)
    # The absolute URL as it was asked for: what ``render`` asks for again.
    url = models.TextField()
    # The ``?locale=`` code of the response (``zh-hans``); empty for one in no
    # language (the root, the locales).
    locale = models.CharField(max_length=16, blank=True)
    body = models.BinaryField()
    # The stored response headers, as [name, value] pairs.
    headers = models.JSONField()
    etag = models.CharField(max_length=40)
    # Seconds since the epoch: when these bytes first appeared.
    last_modified = models.BigIntegerField()
    stale = models.BooleanField(default=False, db_index=True)
    rendered_at = models.DateTimeField()

    class Meta:
        app_label = "publication"

    def __str__(self):
        return self.url

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def tags(self) -> list[str]:
        return sorted(self.tag_rows.values_list("tag", flat=True))


class DocumentTag(models.Model):
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="tag_rows"
    )
    tag = models.CharField(max_length=120, db_index=True)

    class Meta:
        app_label = "publication"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "tag"], name="publication_documenttag_unique"
            )
        ]

    def __str__(self):
        return self.tag


def key_of(url: str) -> str:
    return hashlib.blake2b(url.encode(), digest_size=16).hexdigest()


def storable(query_params) -> bool:
    """Whether a public URL with these query parameters is kept in the store."""
    return all(name in STORED_PARAMS for name in query_params)


def read(url: str) -> Document | None:
    """The stored document of ``url``, stale or not: one indexed lookup."""
    return Document.objects.filter(key=key_of(url)).first()


STORED_FIELDS = ("body", "headers", "etag", "last_modified", "stale")


def lookup(url: str):
    """What a response needs of the document of ``url`` (``body``, ``headers``,
    ``etag``, ``last_modified``, ``stale``) or None: one indexed lookup, read as a
    plain row (building a model instance costs as much as the rest of a stored
    read)."""
    return (
        Document.objects.filter(key=key_of(url))
        .values_list(*STORED_FIELDS, named=True)
        .first()
    )


def validators(url: str) -> tuple[str, int] | None:
    """The ETag and Last-Modified (seconds) of the fresh document of ``url``, or
    None (stale or missing): one narrow statement, for a process that holds the
    bytes of that document already (api/fastpath.py)."""
    with connection.cursor() as cursor:
        cursor.execute(_VALIDATORS_SQL(), [key_of(url)])
        row = cursor.fetchone()
    if row is None or row[2]:
        return None
    return row[0], row[1]


@functools.cache
def _VALIDATORS_SQL() -> str:  # noqa: N802
    table = connection.ops.quote_name(Document._meta.db_table)
    return f"SELECT etag, last_modified, stale FROM {table} WHERE key = %s"


def write(
    url: str,
    *,
    locale: str,
    body: bytes,
    headers: list[tuple[str, str]],
    etag: str,
    last_modified: int,
    tags: Iterable[str],
) -> Document:
    """Store (or replace) the document of ``url``, fresh, with its tags: one
    upsert, and the tags read and changed only where they differ (a render again
    of what is stored writes one row and reads its tags)."""
    fields = {
        "url": url,
        "locale": locale,
        "body": body,
        "headers": [list(pair) for pair in headers],
        "etag": etag,
        "last_modified": last_modified,
        "stale": False,
        "rendered_at": timezone.now(),
    }
    with transaction.atomic():
        (document,) = Document.objects.bulk_create(
            [Document(key=key_of(url), **fields)],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=list(fields),
        )
        wanted = set(tags)
        have = set(
            DocumentTag.objects.filter(document_id=document.pk).values_list(
                "tag", flat=True
            )
        )
        if have - wanted:
            DocumentTag.objects.filter(
                document_id=document.pk, tag__in=have - wanted
            ).delete()
        if wanted - have:
            DocumentTag.objects.bulk_create(
                [
                    DocumentTag(document_id=document.pk, tag=tag)
                    for tag in sorted(wanted - have)
                ]
            )
    return document


def discard(url: str) -> None:
    Document.objects.filter(key=key_of(url)).delete()


def _reaching(tags: set[str], locales) -> list[models.QuerySet]:
    """The fresh documents that show any of ``tags`` in the locales each reaches
    (every document for no tags), as querysets (one per reach)."""
    if not tags:
        return [Document.objects.filter(stale=False)]
    scopes: dict[frozenset[str] | None, set[str]] = {}
    for tag in tags:
        scopes.setdefault((locales or {}).get(tag), set()).add(tag)
    found = []
    for scope, group in scopes.items():
        documents = Document.objects.filter(
            stale=False,
            pk__in=DocumentTag.objects.filter(tag__in=group).values("document_id"),
        )
        if scope is not None:
            documents = documents.filter(
                models.Q(locale__in=scope) | ~models.Q(locale__in=LANGUAGE_CODES)
            )
        found.append(documents)
    return found


def reached(
    tags: Iterable[str], locales: Mapping[str, frozenset[str] | None] | None = None
) -> list[list[str]]:
    """[url, ETag] of each fresh document that ``invalidate`` would mark stale."""
    seen = {}
    for documents in _reaching(set(tags), locales):
        seen.update(documents.values_list("url", "etag"))
    return [[url, etag] for url, etag in sorted(seen.items())]


def invalidate(
    tags: Iterable[str], locales: Mapping[str, frozenset[str] | None] | None = None
) -> int:
    """Mark stale the documents that show any of ``tags`` (every document for no
    tags: a change whose reach is unknown, such as a restore); how many.

    ``locales`` (publication.content_version): per tag, the locales whose
    documents it reaches (None or absent: every locale). A document without a
    locale (the root, the locales) is reached whatever they are."""
    return sum(
        documents.update(stale=True) for documents in _reaching(set(tags), locales)
    )


def stale_count() -> int:
    return Document.objects.filter(stale=True).count()


@dataclass(frozen=True)
class DocumentChange:
    """One document a change of published content touched: ``before`` and
    ``after`` are ETags (``after`` None: the URL no longer answers, e.g. an
    unpublished detail)."""

    url: str
    path: str
    locale: str
    before: str
    after: str | None
    tags: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Rendered:
    status: int
    etag: str | None
    # Where a ``moved`` answer (301) points.
    location: str | None = None


def render(url: str) -> Rendered:
    """Ask the application for ``url`` in this process over WSGI, as a client
    would, marked as the store's own request (no rate limit; the response cache
    and the store treat it as any other, so it stores the document)."""
    global _application
    if _application is None:
        _application = get_wsgi_application()
    parts = urlsplit(url)
    host, _, port = parts.netloc.partition(":")
    environ = {
        "REQUEST_METHOD": "GET",
        # WSGI's PATH_INFO is the decoded path, its bytes as Latin-1 (PEP 3333).
        "PATH_INFO": unquote_to_bytes(parts.path).decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": host,
        "SERVER_PORT": port or ("443" if parts.scheme == "https" else "80"),
        "HTTP_HOST": parts.netloc,
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": parts.scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        RENDER_MARK: True,
    }
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"] = int(status.split(" ", 1)[0])
        answered["headers"] = dict(headers)

    body = _application(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    headers = answered["headers"]
    return Rendered(answered["status"], headers.get("ETag"), headers.get("Location"))


_application = None


def refresh(documents: Iterable[Document]) -> list[DocumentChange]:
    """Render ``documents`` again from published versions and say how each
    changed. One function for everything that reacts to a change of published
    content: the store renders exactly these, and a CDN purge or a webhook
    (issue 19) reads the same list."""
    changes = []
    for document in documents:
        before = document.etag
        tags = tuple(document.tags())
        rendered = render(document.url)
        after = rendered.etag if rendered.status == 200 else None
        if after is None:
            discard(document.url)
        changes.append(
            DocumentChange(
                url=document.url,
                path=document.path,
                locale=document.locale,
                before=before,
                after=after,
                tags=tags,
            )
        )
    return changes


def refresh_stale(limit: int | None = None) -> list[DocumentChange]:
    """Render again the stale documents (up to ``limit``), oldest first."""
    documents = Document.objects.filter(stale=True).order_by("rendered_at", "pk")
    if limit is not None:
        documents = documents[:limit]
    return refresh(list(documents))
