"""The content version: one token that every cached public response is filed under.

Any change that a public response can show — a save, a delete, a reorder, a link
added or removed, a publish or unpublish, an import — calls ``content_changed()``.
That registers one callback on the current transaction; when (and only when) the
transaction commits, the version is replaced and ``content_published`` is sent with
the cache tags of what changed (for a CDN purge). A rolled-back transaction bumps
nothing, and a draft-only change (see ``publication.models.is_public_change``) never
calls it.

A change may name the locales it reaches (``locales=``): a republication in English
changes what the English documents show, not the Korean ones. The signals carry,
per tag, the locales named (``locales``: ``{tag: frozenset of codes, or None for
every locale}``); a change that names none reaches every locale, and one tag named
by several changes in a transaction reaches the union of their locales.

The version lives in the shared cache (Redis when ``REDIS_URL`` is set), so every app
server sees a bump on its very next request. A token is the bump time in nanoseconds
plus a random suffix: a version lost with the cache (eviction, Redis restart) is
replaced by a new token that no stored response carries, never by an old one.

A bump that cannot be stored (Redis down) must not be lost: once Redis is back, the
entries stored before the change would be served again as current. The commit
stands (the admin keeps working, and nothing is served from the cache while it is
down), the failure is logged as an error, and the version is bumped again by every
process that saw Redis fail, when it answers again, before the call that found it
back returns (``cache_recovered``, ``runtime.cache_backends``). The process whose bump
failed saw it fail, so it is among them; every process that served a request during
the outage is too. None of them serves an entry stored before the outage.

What is left: a process that did not see the outage (it served no request during
it) may serve entries from before it until the process that made the change (or
another that saw the outage) next uses the cache, usually its next request; if that
process died meanwhile, until the entries expire (``API_CACHE_TIMEOUT``) or the next
change. A bump by hand after a long outage closes that gap.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.dispatch import Signal

from runtime.adapters.django import on_commit_queued
from runtime.cache_backends import cache_recovered

logger = logging.getLogger("clinic.cache")

VERSION_KEY = "api:content-version"
CACHE_ALIAS = "default"

# Sent after the commit of a public change, with ``tags`` (a frozenset of cache tags,
# e.g. {"article", "article-12"}), ``locales`` (per tag, the locales it reaches: see
# the module docstring) and ``version`` (the new token). Connect a CDN purge here
# (``API_CACHE["PURGE"]`` names a callable that receives the tags).
content_published = Signal()
# Sent with ``tags`` and ``locales`` right before a new version is stored (then
# ``content_published`` after it): what keeps derived copies, such as the delivery
# store, from being read as current under the new version.
content_changing = Signal()

# Per tag, the locales a change reaches; None: every locale.
Reach = dict[str, frozenset[str] | None]

_PENDING_ATTR = "_clinic_pending_content_tags"


def model_tag(model) -> str:
    """The cache tag of a type (``article``): lists of that type carry it."""
    return model._meta.model_name


def object_tag(obj) -> str:
    """The cache tag of one object (``article-12``)."""
    return f"{model_tag(type(obj))}-{obj.pk}"


def tags_of(objects: Iterable) -> set[str]:
    tags = set()
    for obj in objects:
        if obj is None or obj.pk is None:
            continue
        tags.add(model_tag(type(obj)))
        tags.add(object_tag(obj))
    return tags


def new_token(at_ns: int | None = None) -> str:
    """A version token for now (or for ``at_ns``, nanoseconds since the epoch)."""
    return f"{at_ns or time.time_ns()}.{secrets.token_hex(4)}"


def token_time(token: str) -> float:
    """The bump time of a version token, in seconds since the epoch."""
    try:
        return int(token.split(".", 1)[0]) / 1e9
    except (ValueError, AttributeError):
        return time.time()


def content_changed(
    objects: Iterable = (),
    *,
    tags: Iterable[str] = (),
    locales: Iterable[str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Bump the content version when the current transaction commits.

    ``locales``: the locales whose responses the change reaches (None: every
    locale). Several changes in one transaction (an admin save with its inlines)
    make one bump; the tags of all of them go out together. Outside a transaction
    the change is already committed and the bump is immediate.
    """
    connection = connections[using]
    new_tags = tags_of(objects) | set(tags)
    scope = None if locales is None else frozenset(locales)
    if not connection.in_atomic_block:
        bump(frozenset(new_tags), locales=dict.fromkeys(new_tags, scope))
        return
    pending = getattr(connection, _PENDING_ATTR, None)
    # Django drops the callbacks of a rolled-back transaction (or savepoint): ours
    # is pending only while it is still queued.
    if pending is None or not on_commit_queued(connection, pending.publish):
        pending = _Pending(connection)
        setattr(connection, _PENDING_ATTR, pending)
        transaction.on_commit(pending.publish, using=using)
    for tag in new_tags:
        reached = scope
        if tag in pending.locales:
            known = pending.locales[tag]
            reached = None if known is None or scope is None else known | scope
        pending.locales[tag] = reached


class _Pending:
    def __init__(self, connection):
        self.connection = connection
        self.locales: Reach = {}

    def publish(self) -> None:
        if getattr(self.connection, _PENDING_ATTR, None) is self:
            setattr(self.connection, _PENDING_ATTR, None)
        bump(frozenset(self.locales), locales=self.locales)


def bump(tags: frozenset[str] = frozenset(), *, locales: Reach | None = None) -> str:
    """Replace the content version now (also for imports outside a transaction).
    ``locales``: per tag, the locales the change reaches (a tag it does not name,
    or no mapping: every locale)."""
    token = new_token()
    locales = {tag: (locales or {}).get(tag) for tag in tags}
    # Before the new version is stored: a reader that sees it must not find a
    # document of what came before still fresh (publication/documents.py).
    content_changing.send(sender=None, tags=tags, locales=locales)
    if store(token):
        logger.info("Content version %s; purge tags: %s", token, " ".join(sorted(tags)))
    content_published.send(sender=None, tags=tags, locales=locales, version=token)
    return token


def store(token: str) -> bool:
    """Store a new version; a failure is logged as an error (see the module
    docstring for how the bump is made up for)."""
    try:
        caches[CACHE_ALIAS].set(VERSION_KEY, token, timeout=None)
    except Exception as error:  # noqa: BLE001 — the cache may be down; the commit stands
        logger.error(
            "Could not store the new content version (%s: %s); the change is "
            "committed and nothing is served from the cache while it fails. The "
            "version is bumped when the cache answers again.",
            type(error).__name__,
            error,
        )
        return False
    return True


def _bump_after_outage(sender, location: str, **kwargs) -> None:
    """The cache failed and answers again: changes committed meanwhile could not
    bump the version. Bump it before the caller reads anything."""
    if store(new_token()):
        logger.warning("Content version bumped after a cache outage")


cache_recovered.connect(_bump_after_outage, dispatch_uid="clinic_content_version")
