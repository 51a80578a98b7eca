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
    """The published versions visible at ``at`` (now), loaded once per type."""

    def __init__(self, at=None):
        self.at = at or timezone.now()
        self._versions: dict[type, dict[int, dict[str, PublishedVersion]]] = {}

    def versions(self, model: type[models.Model]) -> dict[int, dict[str, Any]]:
        """``{pk: {locale: version}}`` of every visible version of ``model``."""
        if model not in self._versions:
            found: dict[int, dict[str, PublishedVersion]] = {}
            rows = PublishedVersion.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                visible_from__lte=self.at,
            )
            for version in rows:
                found.setdefault(version.object_id, {})[version.locale] = version
            self._versions[model] = found
        return self._versions[model]

    def version(self, model, pk: int | None, code: str) -> PublishedVersion | None:
        if pk is None:
            return None
        return self.versions(model).get(pk, {}).get(code)

    def any_version(self, model, pk: int) -> PublishedVersion | None:
        """A visible version of ``pk`` in some locale (for what all locales share,
        such as the publish time)."""
        by_locale = self.versions(model).get(pk, {})
        return next(iter(by_locale.values()), None)

    def visible(self, model, code: str) -> list[int]:
        """The pks of ``model``'s objects visible in ``code``."""
        return [pk for pk, by in self.versions(model).items() if code in by]

    def row(self, model, pk: int, code: str, *, prefix: str = "") -> dict[str, Any]:
        """The row the representations read, from the version of ``pk`` in
        ``code``: its values under the locale's column names (``prefix`` as a
        ``values()`` join would name them), typed as the model's fields type them,
        and its identity columns."""
        version = self.version(model, pk, code)
        row = {
            f"{prefix}{name}": value
            for name, value in values_row(model, version.data["object"], code).items()
        }
        if prefix:
            return row
        by_locale = self.versions(model)[pk]
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
