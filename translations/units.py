"""What a translation file carries: one unit per object (or part) and field.

A publishable object goes out with its parts — those whose completeness counts
(``parts()``) and those it shows (``snapshot_parts()``: an aftercare timeline's
stages, a comparison's criteria). Only the fields a translation translates are
units (``publication.outdated.tracked_fields``: no slugs), and only those with an
English text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

from publication.languages import DEFAULT_LANGUAGE, column
from publication.models import Part, Publishable, empty_in, publishable_models
from publication.outdated import TranslationSource, digest, tracked_fields
from richtext import RichTextField


def unit_id(obj: models.Model, field: str) -> str:
    """``content.articleblock:12:body``: stable, and readable in a CAT tool."""
    return f"{obj._meta.label_lower}:{obj.pk}:{field}"


def translatable_models() -> set[type[models.Model]]:
    """The models a file may name: those with a field to translate, publishable or
    a part of one."""
    return {
        model
        for model in apps.get_models()
        if issubclass(model, Part) and tracked_fields(model)
    }


def model_of(label: str) -> type[models.Model] | None:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return model if model in translatable_models() else None


def is_rich(model: type[models.Model], field: str) -> bool:
    return isinstance(model._meta.get_field(field), RichTextField)


@dataclass
class Unit:
    """``field`` of ``obj`` to translate into ``code``; ``path`` names where it is
    shown (``Article “…” › Block 3 “…”``)."""

    obj: models.Model
    field: str
    code: str
    path: str

    @property
    def id(self) -> str:
        return unit_id(self.obj, self.field)

    @property
    def source(self) -> str:
        return self.obj.__dict__.get(column(self.field, DEFAULT_LANGUAGE)) or ""

    @property
    def target(self) -> str:
        if empty_in(self.obj, self.field, self.code):
            return ""
        return self.obj.__dict__.get(column(self.field, self.code)) or ""

    @property
    def digest(self) -> str:
        return digest(self.source)

    @property
    def rich(self) -> bool:
        return is_rich(type(self.obj), self.field)

    @cached_property
    def model_field(self) -> models.Field:
        return self.obj._meta.get_field(self.field)

    def note(self) -> str:
        """The context a translator reads: type, object, field, where it is shown
        and the room there is. In English, the language of the sources (the
        names and help texts are read with English active)."""
        field = self.model_field
        lines = [
            f"{self.path} › {field.verbose_name}",
            f"Type: {self.obj._meta.verbose_name}; field: {field.verbose_name}",
        ]
        if field.help_text:
            lines.append(str(field.help_text))
        if getattr(field, "max_length", None) and not self.rich:
            lines.append(f"At most {field.max_length} characters.")
        if self.rich:
            lines.append("Rich text: keep the tags around the words they mark.")
        return "\n".join(lines)


def parts_of(root: Publishable) -> list[Part]:
    found: dict[tuple[type, int], Part] = {}
    shown = [obj for rows in root.snapshot_parts().values() for obj in rows]
    for part in [*shown, *root.parts()]:
        if isinstance(part, Part) and tracked_fields(type(part)):
            found.setdefault((type(part), part.pk), part)
    return list(found.values())


def units_of(roots: Iterable[Publishable], code: str) -> list[Unit]:
    """Every unit of ``roots`` and their parts, each object and field once."""
    units, seen = [], set()
    for root in roots:
        for obj in [root, *parts_of(root)]:
            path = root.describe()
            if obj is not root:
                path = f"{path} › {obj.describe()}"
            for field in tracked_fields(type(obj)):
                unit = Unit(obj, field, code, path)
                if unit.id in seen or empty_in(obj, field, DEFAULT_LANGUAGE):
                    continue
                seen.add(unit.id)
                units.append(unit)
    return units


def outdated_ids(units: list[Unit], code: str) -> set[str]:
    """The ids of ``units`` whose translation was written against another English
    text than the current one (``publication.outdated``). One query."""
    kinds = ContentType.objects.get_for_models(*{type(u.obj) for u in units})
    recorded = {
        (row["content_type"], row["object_id"], row["field"]): row["digest"]
        for row in TranslationSource.objects.filter(
            locale=code, content_type__in=list(kinds.values())
        ).values("content_type", "object_id", "field", "digest")
    }
    return {
        unit.id
        for unit in units
        if unit.target
        and recorded.get(
            (kinds[type(unit.obj)].pk, unit.obj.pk, unit.field), unit.digest
        )
        != unit.digest
    }


def needing_work(code: str) -> list[Unit]:
    """Every unit missing or outdated in ``code``, over all publishable objects."""
    roots = [
        obj for model in publishable_models() for obj in model._default_manager.all()
    ]
    units = units_of(roots, code)
    outdated = outdated_ids(units, code)
    return [unit for unit in units if not unit.target or unit.id in outdated]
