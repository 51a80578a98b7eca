"""The changed documents of a committed change of published content: what a CDN
purge, the webhooks (``webhooks``) and the static export (``publication.export``)
react to, announced once per change, in the order the changes committed.

A change names the tags of what it touched (``publication.content_version``). When
it commits, in the process that committed it (``record``, before the documents are
marked stale):

- the stored documents that show one of them are recorded with the ETag they had
  (a receiver needs the documents whose bytes changed, and a stale document may be
  rendered again by any request before the worker gets to it);
- the public addresses of the objects it named are brought up to date
  (``PublicAddress``: every slug an object has had in a locale, the current one
  and those it moved away from, which answer ``moved``), and each address that
  the public saw before or sees now is recorded, with its slug before and after:
  an object unpublished in a locale, or first published there, changes a
  document the store may never have held.

The background worker (``announce``, after it rendered the stale documents) takes
the changes in commit order, compares each recorded document with what it answers
now, and sends ``documents_changed`` with those whose bytes or status changed, in
the transaction that marks the change announced: each change is announced once,
also with several workers.

Why a table of changes rather than the signal alone: the signal of a commit is
sent in the process that committed (the admin's), before anything was rendered
again, and is lost with that process; the table keeps the change until the worker
has announced it, in order, whatever happens to the process in between.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import Signal
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from publication import documents
from publication.languages import LANGUAGE_CODES

logger = logging.getLogger("clinic.publication")

# What a changed document is now at its path.
CREATED = "created"  # answers 200, and did not before (a first publication)
UPDATED = "updated"  # answers 200 with other bytes
MOVED = "moved"  # answers ``moved``: the object is at ``location`` now
REMOVED = "removed"  # answers 404 (unpublished, deleted)
STATUSES = (CREATED, UPDATED, MOVED, REMOVED)


@dataclass(frozen=True)
class ChangedDocument:
    """One public document a change altered."""

    # The absolute URL as the delivery store keys it
    # ("https://api.example.com/api/v1/faq-items/lip-care/?locale=ko").
    url: str
    # Its path and query ("/api/v1/faq-items/lip-care/?locale=ko").
    path: str
    # The ``?locale=`` code ("zh-hans"); "" for a document in no language (the
    # root, the locales).
    locale: str
    status: str
    # The ETag it answers with now (None: removed or moved).
    etag: str | None
    # The cache tags of what it shows ("faqitem-12"), before and after.
    tags: tuple[str, ...]
    # For a detail address: the sitemap type of its object ("faq_item"), its slug
    # at this path, and the slug it had before where the change moved it.
    type: str | None = None
    slug: str | None = None
    previous_slug: str | None = None
    # For a moved address: the path of the object's address now.
    location: str | None = None


# Sent by the worker once per committed change, in commit order, with ``change``
# (the change's id: unique, increasing; what makes a receiver idempotent),
# ``committed_at`` (a datetime) and ``documents`` (a list of ChangedDocument).
# Receivers run inside the transaction that marks the change announced: what they
# write (an event to deliver) commits with it, or neither does.
documents_changed = Signal()


class Change(models.Model):
    """A committed change of published content, kept until the worker announced
    it (and for ``KEEP_ANNOUNCED`` after, for the admin and for debugging)."""

    committed_at = models.DateTimeField(default=timezone.now)
    # The stored documents it marked stale: [[url, etag before], ...].
    documents = models.JSONField(default=list)
    # The detail addresses it changed or may have changed:
    # [{"type", "locale", "before", "after", "tag"}, ...] (slugs; None: no address).
    addresses = models.JSONField(default=list)
    announced_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        app_label = "publication"

    def __str__(self):
        return f"change {self.pk}"


class PublicAddress(models.Model):
    """A slug that an object has had in a locale, as the public saw it: the one it
    answers at (``current``) and those it moved away from, which answer ``moved``
    with the current one. A slug is one object's: the last to take it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    locale = models.CharField(max_length=10)
    slug = models.CharField(max_length=200)
    current = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "publication"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "locale", "slug"],
                name="publication_publicaddress_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "locale"],
                name="publication_address_object",
            )
        ]

    def __str__(self):
        return f"{self.locale}/{self.slug}"


# Announced changes kept for this long.
KEEP_ANNOUNCED = timezone.timedelta(days=7)


@dataclass(frozen=True)
class AddressType:
    """A type whose objects have detail addresses read from published versions:
    its sitemap name ("faq_item") and detail route, registered by the API's
    registry of public types (``api.registry.register``)."""

    name: str
    model: type[models.Model]
    detail_route: str

    @property
    def tag(self) -> str:
        return self.model._meta.model_name


ADDRESS_TYPES: dict[str, AddressType] = {}


def register_address_type(address_type: AddressType) -> None:
    ADDRESS_TYPES[address_type.name] = address_type


def _address_types() -> dict[int, AddressType]:
    """Content type id → address type."""
    return {
        ContentType.objects.get_for_model(kind.model).pk: kind
        for kind in ADDRESS_TYPES.values()
    }


def _named_objects(tags: Iterable[str], kinds) -> dict[tuple[int, int], str]:
    """(content type id, pk) → tag, of the objects of ``kinds`` that ``tags``
    name (``faqitem-12``)."""
    by_name = {kind.tag: ct for ct, kind in kinds.items()}
    named = {}
    for tag in tags:
        name, _, pk = tag.rpartition("-")
        if name in by_name and pk.isdigit():
            named[(by_name[name], int(pk))] = tag
    return named


def update_addresses(
    tags: Iterable[str] = (), locales: Mapping | None = None
) -> list[dict]:
    """Bring the public addresses of the objects ``tags`` name (every object: no
    tags) up to date with the versions visible now, in the locales each tag
    reaches; the addresses seen before or now, with their slugs then and now."""
    # By name: publication.models imports this module (for its models).
    PublishedVersion = apps.get_model("publication", "PublishedVersion")  # noqa: N806
    kinds = _address_types()
    tags = set(tags)
    named = _named_objects(tags, kinds) if tags else None
    if named is not None and not named:
        return []
    now = timezone.now()
    versions = PublishedVersion.objects.filter(
        models.Q(visible_until__isnull=True) | models.Q(visible_until__gt=now),
        visible_from__lte=now,
        content_type_id__in=list(kinds),
    )
    rows = PublicAddress.objects.filter(current=True, content_type_id__in=list(kinds))
    if named is not None:
        pks = {pk for _ct, pk in named}
        versions = versions.filter(object_id__in=pks)
        rows = rows.filter(object_id__in=pks)
    after = {
        (ct, pk, code): slug
        for ct, pk, code, slug in versions.values_list(
            "content_type_id", "object_id", "locale", "slug"
        )
    }
    before = {
        (ct, pk, code): (row_pk, slug)
        for row_pk, ct, pk, code, slug in rows.values_list(
            "pk", "content_type_id", "object_id", "locale", "slug"
        )
    }
    changed, moved_away, taken = [], [], []
    for key in sorted(set(after) | set(before)):
        ct, pk, code = key
        tag = f"{kinds[ct].tag}-{pk}"
        if named is not None:
            if (ct, pk) not in named:
                continue
            reach = (locales or {}).get(tag)
            if reach is not None and code not in reach:
                continue
        row_pk, was = before.get(key, (None, None))
        slug = after.get(key) or None
        if slug != was:
            if row_pk is not None:
                moved_away.append(row_pk)
            if slug is not None:
                taken.append(
                    PublicAddress(
                        content_type_id=ct,
                        object_id=pk,
                        locale=code,
                        slug=slug,
                        current=True,
                        changed_at=now,
                    )
                )
        changed.append(
            {
                "type": kinds[ct].name,
                "locale": code,
                "before": was,
                "after": slug,
                "tag": tag,
            }
        )
    # In bulk: a restore or an import changes thousands of addresses at once.
    for start in range(0, len(moved_away), 500):
        PublicAddress.objects.filter(pk__in=moved_away[start : start + 500]).update(
            current=False, changed_at=now
        )
    # The last object to take a slug owns it (and its redirect).
    PublicAddress.objects.bulk_create(
        taken,
        update_conflicts=True,
        unique_fields=["content_type", "locale", "slug"],
        update_fields=["object_id", "current", "changed_at"],
        batch_size=500,
    )
    return changed


def record(tags: Iterable[str], locales: Mapping | None = None) -> Change | None:
    """Keep the change a commit made (called right after the commit, before the
    documents it touched are marked stale): the stored documents it reaches with
    their ETags, and the addresses it changed. Nothing when it reaches neither."""
    with transaction.atomic():
        addresses = update_addresses(tags, locales)
        stored = documents.reached(tags, locales)
        if not addresses and not stored:
            return None
        return Change.objects.create(documents=stored, addresses=addresses)


def pending() -> bool:
    return Change.objects.filter(announced_at=None).exists()


def moved_to(model, code: str, slug: str) -> str | None:
    """The current slug in ``code`` of the object that was at ``slug`` there
    before it moved, or None."""
    content_type = ContentType.objects.get_for_model(model)
    owner = PublicAddress.objects.filter(
        content_type=content_type, locale=code, slug=slug, current=False
    ).values("object_id")
    return (
        PublicAddress.objects.filter(
            content_type=content_type,
            locale=code,
            current=True,
            object_id__in=owner,
        )
        .values_list("slug", flat=True)
        .first()
    )


def redirects(code: str) -> models.QuerySet:
    """The old slugs in ``code`` of the objects at an address there now, each
    with its type name and slug now (``type``, ``from_slug``, ``to_slug``), in
    type and slug order."""
    kinds = _address_types()
    now = PublicAddress.objects.filter(
        content_type_id=models.OuterRef("content_type_id"),
        object_id=models.OuterRef("object_id"),
        locale=code,
        current=True,
    ).values("slug")[:1]
    names = models.Case(
        *[
            models.When(content_type_id=ct, then=models.Value(kind.name))
            for ct, kind in kinds.items()
        ],
        output_field=models.CharField(),
    )
    return (
        PublicAddress.objects.filter(
            locale=code, current=False, content_type_id__in=list(kinds)
        )
        .annotate(to_slug=models.Subquery(now), type=names)
        .exclude(to_slug=None)
        .order_by("content_type_id", "slug")
        .values("type", "to_slug", from_slug=models.F("slug"))
    )


# Announcing, in the worker.


def origin() -> str:
    """The origin documents are stored under (their URLs are absolute)."""
    if settings.PUBLIC_ORIGIN:
        return settings.PUBLIC_ORIGIN
    url = documents.Document.objects.values_list("url", flat=True).first()
    if url:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost"


def detail_path(type_name: str, slug: str, code: str) -> str:
    path = reverse(ADDRESS_TYPES[type_name].detail_route, kwargs={"slug": slug})
    return f"{path}?locale={code}"


def _detail_of(path: str) -> tuple[str | None, str | None]:
    """The type name and slug of a detail path, else (None, None)."""
    try:
        match = resolve(unquote(urlsplit(path).path))
    except Resolver404:
        return None, None
    for kind in ADDRESS_TYPES.values():
        if kind.detail_route == match.url_name:
            return kind.name, match.kwargs.get("slug")
    return None, None


@dataclass
class _Now:
    status: int
    etag: str | None
    location: str | None
    tags: tuple[str, ...]


def _answer(url: str) -> _Now:
    """What ``url`` answers now: from the store when fresh, else rendered (which
    stores it)."""
    stored = documents.read(url)
    if stored is None or stored.stale:
        rendered = documents.render(url)
        stored = documents.read(url) if rendered.status == 200 else None
        if stored is None or stored.stale:
            # Not stored (the store is off, or a change raced the render).
            return _Now(rendered.status, rendered.etag, rendered.location, ())
    return _Now(200, stored.etag, None, tuple(stored.tags()))


def changed_documents(change: Change, base: str) -> list[ChangedDocument]:
    """The documents ``change`` altered, as they answer now: each recorded
    document whose ETag or status differs, and each address it changed."""
    before = dict(change.documents)
    addresses = {}
    for address in change.addresses:
        for side in ("before", "after"):
            slug = address[side]
            if slug is not None:
                path = detail_path(address["type"], slug, address["locale"])
                addresses[base + path] = (address, side)
                before.setdefault(base + path, None)
    found = []
    for url, was in before.items():
        now = _answer(url)
        address, side = addresses.get(url, (None, None))
        path = _path(url)
        type_name, slug = _detail_of(path)
        # Whether the URL answered 200 before the change: a stored document did;
        # an address did when it was the object's then.
        answered = was is not None or (
            address is not None
            and (side == "before" or address["before"] == address["after"])
        )
        if now.status == 200:
            if not answered:
                status = CREATED
            elif was is not None and was == now.etag:
                continue
            else:
                # Answering before with bytes not recorded: changed, as far as
                # anyone can tell (a needless revalidation costs less than a
                # stale page).
                status = UPDATED
        elif not answered:
            continue
        else:
            status = MOVED if now.status == 301 else REMOVED
        previous = None
        if (
            address is not None
            and side == "after"
            and address["before"] not in (None, address["after"])
        ):
            previous = address["before"]
        tags = now.tags or ((address["tag"],) if address else ())
        found.append(
            ChangedDocument(
                url=url,
                path=path,
                locale=_locale_of(url),
                status=status,
                etag=now.etag,
                tags=tags,
                type=type_name,
                slug=slug,
                previous_slug=previous,
                location=now.location,
            )
        )
    return found


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _locale_of(url: str) -> str:
    code = parse_qs(urlsplit(url).query).get("locale", [""])[0]
    return code if code in LANGUAGE_CODES else ""


def announce(limit: int | None = None) -> int:
    """Announce the changes not announced yet, oldest first (up to ``limit``):
    ``documents_changed`` for each, in the transaction that marks it announced.
    Returns how many it announced."""
    base = origin()
    pending = Change.objects.filter(announced_at=None).order_by("pk")
    if limit is not None:
        pending = pending[:limit]
    announced = 0
    for change in pending:
        found = changed_documents(change, base)
        with transaction.atomic():
            # Another worker may have announced it meanwhile: the one whose
            # update marks it sends it.
            marked = Change.objects.filter(pk=change.pk, announced_at=None).update(
                announced_at=timezone.now()
            )
            if not marked:
                continue
            if found:
                documents_changed.send(
                    sender=Change,
                    change=change.pk,
                    committed_at=change.committed_at,
                    documents=found,
                )
        announced += 1
        for document in found:
            logger.info("Changed: %s %s", document.status, document.path)
    Change.objects.filter(announced_at__lt=timezone.now() - KEEP_ANNOUNCED).delete()
    return announced
