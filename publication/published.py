"""Reading published versions (docs/publishing.md): what readers see at one moment,
per type and locale, read in bulk.

The API's representations are built from rows that name a locale's columns
(``title_ko``) plus identity columns (``pk``, ``updated_at``, each locale's slug and
published flag for the alternates: ``api/representation.py``). ``Published.row``
gives the same row from a published version instead of the working copy, so every
representation is built by one set of functions whichever the source.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from publication.languages import LANGUAGE_CODES, column
from publication.models import PublishedVersion, published_field
from publication.snapshots import translated_names


class Published:
    """The published versions visible at ``at`` (now). Versions are read in bulk:
    every version of a type at once (``versions``) for documents that show the
    whole type, or those of chosen objects (``prefetch``, and one object's on
    first use) for a page or a detail."""

    def __init__(self, at=None):
        self.at = at or timezone.now()
        # model → {pk: {locale: version}}, and the models loaded whole.
        self._versions: dict[type, dict[int, dict[str, PublishedVersion]]] = {}
        self._whole: set[type] = set()
        self._positions: dict[type, dict[int, int]] = {}

    def queryset(self, model: type[models.Model]):
        """The visible versions of ``model``, as a queryset to filter further."""
        return PublishedVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            visible_from__lte=self.at,
        )

    def _keep(self, model, rows) -> None:
        found = self._versions.setdefault(model, {})
        for version in rows:
            found.setdefault(version.object_id, {})[version.locale] = version

    def versions(self, model: type[models.Model]) -> dict[int, dict[str, Any]]:
        """``{pk: {locale: version}}`` of every visible version of ``model``."""
        if model not in self._whole:
            self._versions[model] = {}
            self._keep(model, self.queryset(model))
            self._whole.add(model)
        return self._versions[model]

    def prefetch(self, model, pks) -> None:
        """Read the versions (every locale) of the objects ``pks`` in one query."""
        if model in self._whole:
            return
        loaded = self._versions.setdefault(model, {})
        wanted = {pk for pk in pks if pk is not None and pk not in loaded}
        if wanted:
            for pk in wanted:
                loaded[pk] = {}
            self._keep(model, self.queryset(model).filter(object_id__in=wanted))

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
        """The pks of ``model``'s objects visible in ``code``."""
        if model in self._whole:
            return [pk for pk, by in self._versions[model].items() if code in by]
        return list(
            self.queryset(model).filter(locale=code).values_list("object_id", flat=True)
        )

    def positions(self, model, pks) -> dict[int, int]:
        """The editor order (``position``) of the objects ``pks``, read from the
        working copy (a reorder is published at once) once per object."""
        known = self._positions.setdefault(model, {})
        missing = {pk for pk in pks if pk not in known}
        if missing:
            rows = model._default_manager.filter(pk__in=missing).values(
                "pk", "position"
            )
            known.update({row["pk"]: row["position"] for row in rows})
        return {pk: known.get(pk, 0) for pk in pks}

    def by_slug(self, model, code: str, slug: str) -> int | None:
        """The object visible in ``code`` at ``slug`` there."""
        return (
            self.queryset(model)
            .filter(locale=code, slug=slug)
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
        by_locale = self._versions[model][pk]
        row["pk"] = pk
        row["updated_at"] = version.updated_at
        row["publish_at"] = version.visible_from
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
