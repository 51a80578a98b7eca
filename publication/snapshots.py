"""Snapshots: an object's content in one locale, as plain JSON data
(docs/publishing.md).

A snapshot holds what a published version keeps: the object's own values in the
locale and those of its parts and the labels it shows (``Publishable.snapshot_parts``),
each as ``{field: value}`` with translated fields under their plain name (``title``,
never ``title_ko``) and other publishables by id only. Publication state (the flags,
the publish time, ``updated_at``) is not content and is left out, so two snapshots
differ exactly when what a reader sees in that locale differs.

The same function reads the working copy for publishing, for "changed since
published" (``diff``) and, later, for the preview.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext
from modeltranslation.translator import NotRegistered, translator

from publication.languages import LANGUAGE_CODES, column

# Columns that say how an object is published, not what it says.
STATE_FIELDS = frozenset({"updated_at", "publish_at"})


def _state_column(name: str) -> bool:
    return name in STATE_FIELDS or name.startswith(("published_", "complete_"))


def _json(value: Any) -> Any:
    """A column value as JSON keeps it: times in UTC ISO 8601, decimals as text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name
    return value


def translated_names(model: type[models.Model]) -> set[str]:
    """The plain names of ``model``'s translated fields (``title``)."""
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def links(obj: models.Model) -> dict[str, list[int]]:
    """``obj``'s many-to-many links as sorted id lists: the same in every locale."""
    return {
        field.name: sorted(getattr(obj, field.name).values_list("pk", flat=True))
        for field in obj._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    }


def values(
    obj: models.Model, code: str, *, linked: dict[str, list[int]]
) -> dict[str, Any]:
    """``obj``'s content in locale ``code``: every concrete column but publication
    state and derived columns (not editable: a search text), translated ones by
    their plain name with the locale's value (never a fallback), foreign keys as
    ids, and its many-to-many relations ``linked`` (``links(obj)``, read once for
    every locale)."""
    names = translated_names(type(obj))
    # Their per-locale columns, which the plain name replaces.
    columns = {column(name, code) for name in names for code in LANGUAGE_CODES}
    data: dict[str, Any] = {"id": obj.pk}
    for field in obj._meta.concrete_fields:
        if (
            field.primary_key
            or not field.editable
            or _state_column(field.name)
            or field.name in columns
        ):
            continue
        if field.name in names:
            data[field.name] = _json(getattr(obj, column(field.name, code)))
        else:
            data[field.attname] = _json(getattr(obj, field.attname))
    data.update(linked)
    return data


def snapshot(obj, code: str) -> dict[str, Any]:
    """The content of publishable ``obj`` (its working copy) in locale ``code``."""
    return snapshots(obj, [code])[code]


def snapshots(obj, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``snapshot(obj, code)`` for each of ``codes``: the parts and the links are
    read once for all of them.

    A publishable's own ``position`` is its place in the public lists, which a
    reorder changes for every locale at once (a change of published content, not a
    draft); a part's position is the structure of its object, published with it."""
    own_links = links(obj)
    parts = {
        name: [(part, links(part)) for part in rows]
        for name, rows in obj.snapshot_parts().items()
    }
    result = {}
    for code in codes:
        own = values(obj, code, linked=own_links)
        own.pop("position", None)
        result[code] = {
            "object": own,
            "parts": {
                name: [values(part, code, linked=linked) for part, linked in rows]
                for name, rows in parts.items()
            },
        }
    return result


def refs(data: dict[str, Any], model: type[models.Model]) -> str:
    """The objects a snapshot's own values name (foreign keys and many-to-many
    links), as `` kind-pk `` words the public filters match with a plain
    substring test (``LIKE``) on every database."""
    words = []
    for field in model._meta.concrete_fields:
        if field.is_relation and data.get(field.attname) is not None:
            words.append(
                f"{field.related_model._meta.model_name}-{data[field.attname]}"
            )
    for field in model._meta.many_to_many:
        kind = field.related_model._meta.model_name
        words += [f"{kind}-{pk}" for pk in data.get(field.name, ())]
    return f" {' '.join(words)} " if words else ""


def search_text(obj: models.Model, code: str) -> str:
    """A searchable type's text in ``code`` (its derived ``search_text`` column)."""
    if "search_text" not in translated_names(type(obj)):
        return ""
    return getattr(obj, column("search_text", code)) or ""


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots: where (``Block 2 “Why”: body``) and
    the two values (None where a part was added or removed)."""

    where: str
    before: Any
    after: Any


def _label(model: type[models.Model] | None, field: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:  # a name the model lost since: say it as is
            pass
    return field


def _part_name(model, data: dict) -> str:
    kind = str(model._meta.verbose_name) if model else gettext("part")
    return f"{kind} {data.get('id')}"


def diff(
    before: dict | None,
    after: dict | None,
    *,
    model: type[models.Model] | None = None,
    part_models: dict[str, type[models.Model]] | None = None,
) -> list[Change]:
    """What changed from snapshot ``before`` to snapshot ``after``, field by field:
    the object's fields first, then its parts matched by id (added, removed,
    changed), in the order of ``after``."""
    before = before or {"object": {}, "parts": {}}
    after = after or {"object": {}, "parts": {}}
    part_models = part_models or {}
    changes = [
        Change(_label(model, name), before["object"].get(name), value)
        for name, value in after["object"].items()
        if before["object"].get(name) != value
    ]
    changes += [
        Change(_label(model, name), value, None)
        for name, value in before["object"].items()
        if name not in after["object"]
    ]
    for name in dict.fromkeys([*after["parts"], *before["parts"]]):
        part_model = part_models.get(name)
        old = {row["id"]: row for row in before["parts"].get(name, [])}
        new = after["parts"].get(name, [])
        new_ids = {row["id"] for row in new}
        for row in new:
            where = _part_name(part_model, row)
            if row["id"] not in old:
                changes.append(Change(gettext("%s (added)") % where, None, row))
                continue
            changes += [
                Change(
                    f"{where}: {_label(part_model, field)}",
                    old[row["id"]].get(field),
                    value,
                )
                for field, value in row.items()
                if old[row["id"]].get(field) != value
            ]
        changes += [
            Change(gettext("%s (removed)") % _part_name(part_model, row), row, None)
            for row in before["parts"].get(name, [])
            if row["id"] not in new_ids
        ]
    return changes
