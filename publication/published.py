"""Reading published versions (docs/publishing.md): what readers see at one moment,
per type and locale, read in bulk.

The API's serializers read rows that name a locale's columns (``title_ko``) plus
identity columns (``pk``, ``updated_at``, each locale's slug and published flag for
the alternates), through ``api.published.Localized``. ``Published.row`` gives that
row from a published version, typed as the model's fields type it.

Every read is one query for a set of objects, never one per object: the versions
of chosen objects (``prefetch``, ``by_slug``, ``load_visible``), the identity of
every object of some types (``load_addresses``, for the sitemap) and the counts of
every type (``count``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from publication.languages import LANGUAGE_CODES, column
from publication.models import PublishedVersion, published_field, visible_at
from publication.snapshots import translated_names

# What the identity columns of a row are read from, without the snapshot.
ADDRESS_FIELDS = ("object_id", "locale", "slug", "updated_at", "visible_from")


def has_position(model: type[models.Model]) -> bool:
    return any(field.name == "position" for field in model._meta.fields)


def naming(model: type[models.Model], pk: int) -> dict[str, str]:
    """The lookup of the versions that name object ``pk`` of ``model`` (a link or
    a foreign key in their snapshot: ``publication.snapshots.refs``)."""
    return {"refs__contains": f" {model._meta.model_name}-{pk} "}


class Published:
    """The published versions visible at ``at`` (now). Versions are read in bulk,
    every locale of an object at once (a row names each locale's slug): those of
    chosen objects (``prefetch``), of the object at an address (``by_slug``) or
    of the objects visible in a locale (``load_visible``)."""

    def __init__(self, at=None):
        self.at = at or timezone.now()
        # model → {pk: {locale: version}}: every visible version of each pk read.
        self._versions: dict[type, dict[int, dict[str, PublishedVersion]]] = {}
        # model → {pk: {locale: address}}: identity only, for the sitemap.
        self._addresses: dict[type, dict[int, dict[str, Any]]] = {}
        self._positions: dict[type, dict[int, int]] = {}
        self._counts: dict[tuple[int, str], int] | None = None
        self._cached: dict[str, Any] = {}

    def queryset(self, model: type[models.Model]):
        """The visible versions of ``model``, as a queryset to filter further."""
        return PublishedVersion.objects.filter(
            visible_at(self.at),
            content_type=ContentType.objects.get_for_model(model),
        )

    def read_versions(self, model, versions) -> set[int]:
        """Keep the versions of the queryset ``versions`` of ``model``; the pks of
        their objects. The objects' editor order is read in the same query:
        positions live in the working copy (a reorder is published at once), and
        an ordered list of versions needs them."""
        ordered = has_position(model)
        if ordered:
            versions = versions.annotate(
                position=Subquery(
                    model._default_manager.filter(pk=OuterRef("object_id")).values(
                        "position"
                    )[:1]
                )
            )
        found = self._versions.setdefault(model, {})
        positions = self._positions.setdefault(model, {})
        read = set()
        for version in versions:
            found.setdefault(version.object_id, {})[version.locale] = version
            read.add(version.object_id)
            if ordered:
                positions[version.object_id] = version.position
        return read

    def prefetch(self, model, pks: Iterable[int | None]) -> None:
        """Read the versions (every locale) of the objects ``pks`` not read yet,
        in one query."""
        loaded = self._versions.setdefault(model, {})
        wanted = {pk for pk in pks if pk is not None and pk not in loaded}
        if wanted:
            for pk in wanted:
                loaded[pk] = {}
            self.read_versions(model, self.queryset(model).filter(object_id__in=wanted))

    def load_visible(self, model, code: str, **lookups) -> set[int]:
        """Read the versions (every locale) of the objects visible in ``code``
        whose version there matches ``lookups`` (``refs__contains=" method-3 "``:
        the objects that name method 3), in one query; their pks."""
        there = self.queryset(model).filter(locale=code, **lookups)
        return self.read_versions(
            model, self.queryset(model).filter(object_id__in=there.values("object_id"))
        )

    def version(self, model, pk: int | None, code: str) -> PublishedVersion | None:
        if pk is None:
            return None
        self.prefetch(model, [pk])
        return self._versions[model].get(pk, {}).get(code)

    def any_version(self, model, pk: int) -> PublishedVersion | None:
        """A visible version of ``pk`` in some locale (for what all locales share,
        such as the publish time)."""
        self.prefetch(model, [pk])
        return next(iter(self._versions[model].get(pk, {}).values()), None)

    def visible(self, model, code: str) -> list[int]:
        """The pks of ``model``'s objects visible in ``code`` (their versions are
        not read)."""
        return list(
            self.queryset(model).filter(locale=code).values_list("object_id", flat=True)
        )

    def positions(self, model, pks) -> dict[int, int]:
        """The editor order (``position``) of the objects ``pks``: read with their
        versions, else (a label without versions: an FAQ category) from the
        working copy in one query."""
        known = self._positions.setdefault(model, {})
        missing = {pk for pk in pks if pk not in known}
        if missing:
            rows = model._default_manager.filter(pk__in=missing).values(
                "pk", "position"
            )
            known.update({row["pk"]: row["position"] for row in rows})
        return {pk: known.get(pk, 0) for pk in pks}

    def by_slug(self, model, code: str, slug: str) -> int | None:
        """The object visible in ``code`` at ``slug`` there, its versions read in
        the same query (a detail reads them next)."""
        here = self.queryset(model).filter(locale=code, slug=slug)
        read = self.read_versions(
            model, self.queryset(model).filter(object_id__in=here.values("object_id"))
        )
        found = [self._versions[model][pk][code] for pk in read]
        # Two objects can hold one address only between publications (a slug
        # given up and taken before the first is published again): the earlier
        # publication keeps it.
        return min(found, key=lambda v: v.pk).object_id if found else None

    def object_at(self, model, code: str, slug: str) -> int | None:
        """The pk of the object visible in ``code`` at ``slug`` there, reading no
        version (a filter needs only the pk)."""
        return (
            self.queryset(model)
            .filter(locale=code, slug=slug)
            .order_by("pk")
            .values_list("object_id", flat=True)
            .first()
        )

    def slug_elsewhere(self, model, code: str, slug: str) -> str | None:
        """The slug in ``code`` of the object visible in ``code`` whose slug is
        ``slug`` in another locale it is visible in (the 404 that names the right
        address)."""
        others = (
            self.queryset(model)
            .filter(slug=slug)
            .exclude(locale=code)
            .values("object_id")
        )
        return (
            self.queryset(model)
            .filter(locale=code, object_id__in=others)
            .order_by("object_id")
            .values_list("slug", flat=True)
            .first()
        )

    def row(self, model, pk: int, code: str) -> dict[str, Any]:
        """The row the representations read, from the version of ``pk`` in
        ``code``: its values under the locale's column names, typed as the model's
        fields type them, and its identity columns."""
        version = self.version(model, pk, code)
        row = values_row(model, version.data["object"], code)
        row.update(identity_row(pk, code, self._versions[model][pk]))
        return row

    # What spans objects without their snapshots: the sitemap, the counts.

    def load_addresses(self, *models_: type[models.Model]) -> None:
        """Read the identity (slug, times) of every visible version of
        ``models_`` not read yet, in one query, leaving the snapshots unread."""
        wanted = {
            ContentType.objects.get_for_model(model).pk: model
            for model in models_
            if model not in self._addresses
        }
        if not wanted:
            return
        for model in wanted.values():
            self._addresses[model] = {}
        rows = PublishedVersion.objects.filter(
            visible_at(self.at), content_type__in=wanted
        ).values_list("content_type_id", *ADDRESS_FIELDS, named=True)
        for address in rows:
            by_pk = self._addresses[wanted[address.content_type_id]]
            by_pk.setdefault(address.object_id, {})[address.locale] = address

    def identity_rows(self, model, code: str) -> list[dict[str, Any]]:
        """The identity rows of the objects of ``model`` visible in ``code``, in pk
        order (the sitemap's): read with ``load_addresses``."""
        self.load_addresses(model)
        by_pk = self._addresses[model]
        return [
            identity_row(pk, code, by_pk[pk])
            for pk in sorted(by_pk)
            if code in by_pk[pk]
        ]

    def count(self, model, code: str) -> int:
        """How many objects of ``model`` are visible in ``code``: the counts of
        every type and locale are one aggregate, read once."""
        if self._counts is None:
            rows = (
                PublishedVersion.objects.filter(visible_at(self.at))
                .values("content_type_id", "locale")
                .annotate(n=Count("pk"))
                .order_by()
            )
            self._counts = {
                (row["content_type_id"], row["locale"]): row["n"] for row in rows
            }
        return self._counts.get((ContentType.objects.get_for_model(model).pk, code), 0)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once for this moment: what an app derives from versions
        and reads in several locales (the FAQ categories)."""
        if key not in self._cached:
            self._cached[key] = compute()
        return self._cached[key]


def identity_row(pk: int, code: str, by_locale: dict[str, Any]) -> dict[str, Any]:
    """The identity columns of object ``pk`` in ``code`` from its visible versions
    (or their addresses) by locale: its time in ``code``, each locale's flag and
    slug."""
    here = by_locale[code]
    row = {"pk": pk, "updated_at": here.updated_at, "publish_at": here.visible_from}
    for other in LANGUAGE_CODES:
        there = by_locale.get(other)
        row[published_field(other)] = there is not None
        row[column("slug", other)] = there.slug if there else ""
    return row


def values_row(model, data: dict[str, Any], code: str) -> dict[str, Any]:
    """Snapshot values as a ``values()`` row of locale ``code``: translated fields
    under their column, the others under their attname, each typed back by its
    field (a date is a ``date`` again)."""
    translated = translated_names(model)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    fields.update({f.name: f for f in model._meta.concrete_fields})
    row = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None or name == "id":
            continue
        typed = field.to_python(value) if value is not None else None
        row[column(name, code) if name in translated else name] = typed
    return row
