"""Importing a translated file: a preview (``plan``), then ``apply``.

Each unit is checked against the database as it is now: its object and field
exist and are translatable, the user may translate it (``can_translate``), its
source is the one it was exported with (otherwise "source changed since the
export": reported, not applied), its target is not empty, rich text rebuilds
from the inline markup and is sanitized, plain text passes the field's checks
(length, link). Applying writes the working copy only (each object's ``save()``,
never a publication) in one transaction and one history version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext

from publication import roles
from publication.languages import DEFAULT_LANGUAGE, column, language_name
from publication.models import deferred_completeness, editing_root
from publication.outdated import digest, tracked_fields
from richtext import sanitize
from translations import rich
from translations.files import FileUnit, Read, read
from translations.units import is_rich, model_of


def can_translate(user, obj: models.Model, code: str) -> bool:
    """May ``user`` write ``obj``'s translation in ``code``? Its model's full
    editor (``change`` permission, as the admin's inline asks for a part), or a
    translator into ``code`` (``publication.roles``)."""
    return roles.may_write(user, type(obj), code)


@dataclass
class Change:
    obj: models.Model
    field: str
    unit: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return str(self.obj._meta.get_field(self.field).verbose_name)

    @property
    def where(self) -> str:
        """The object, after the one it is edited in (an article for a block)."""
        root = editing_root(self.obj)
        if root is self.obj:
            return self.obj.describe()
        return f"{root.describe()} › {self.obj.describe()}"


@dataclass
class Skipped:
    unit: str
    reason: str
    where: str = ""


@dataclass
class Plan:
    code: str
    read: Read
    changes: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: int = 0

    @property
    def objects(self) -> list[models.Model]:
        return list({(type(c.obj), c.obj.pk): c.obj for c in self.changes}.values())


def plan(data: bytes, code: str, user) -> Plan:
    """What importing ``data`` into ``code`` would change; ``RefusedFile`` for a
    file that is not an export of this project in ``code``."""
    result = Plan(code=code, read=read(data, code))
    units = result.read.units
    objects = _objects(units)
    seen = set()
    for unit in units:
        if unit.id in seen:
            outcome = Skipped(unit.id, gettext("a second unit with this id"))
        else:
            outcome = _check(unit, objects, user, code)
        seen.add(unit.id)
        if isinstance(outcome, Change):
            result.changes.append(outcome)
        elif isinstance(outcome, Skipped):
            result.skipped.append(outcome)
        else:
            result.unchanged += 1
    return result


def _objects(units: list[FileUnit]) -> dict[tuple[str, str], models.Model]:
    """The objects the units name, one query per model."""
    ids = defaultdict(set)
    for unit in units:
        label, _sep, rest = unit.id.partition(":")
        pk = rest.partition(":")[0]
        if pk.isdigit():
            ids[label].add(int(pk))
    found = {}
    for label, pks in ids.items():
        model = model_of(label)
        if model is None:
            continue
        for pk, obj in model._default_manager.select_related().in_bulk(pks).items():
            found[(label, str(pk))] = obj
    return found


def _check(unit: FileUnit, objects, user, code: str) -> Change | Skipped | None:
    """What ``unit`` does: a change, a skip with its reason, or None (the text
    is the current translation already)."""
    label, pk, name = (unit.id.split(":") + ["", ""])[:3]
    obj = objects.get((label, pk))
    if obj is None:
        return Skipped(
            unit.id, gettext("no such object here (deleted, or not from this site)")
        )

    def skip(reason: str) -> Skipped:
        return Skipped(unit.id, reason, obj.describe())

    if name not in tracked_fields(type(obj)):
        return skip(gettext("no such field to translate"))
    if not can_translate(user, obj, code):
        return skip(gettext("you may not change this"))
    source = obj.__dict__.get(column(name, DEFAULT_LANGUAGE)) or ""
    if unit.digest != digest(source):
        return skip(gettext("source changed since the export"))
    if unit.fuzzy:
        return skip(gettext("marked fuzzy (to be reviewed)"))
    if not unit.target:
        return skip(gettext("no translation"))
    try:
        new = _value(obj, name, source, unit, code)
    except (ValidationError, rich.MarkupError) as error:
        return skip("; ".join(getattr(error, "messages", None) or [str(error)]))
    if not new:
        return skip(gettext("empty once sanitized"))
    old = obj.__dict__.get(column(name, code)) or ""
    if new == old:
        return None
    return Change(obj, name, unit.id, old, new)


def _value(obj: models.Model, name: str, source: str, unit: FileUnit, code: str):
    """The text ``unit`` writes into ``name``; ``ValidationError`` or
    ``MarkupError`` for one that cannot be written."""
    if is_rich(type(obj), name):
        html = unit.target
        if unit.placeables is not None:
            _tree, tags = rich.parse(source)
            html = rich.to_html(unit.placeables, tags)
        return sanitize(html)
    value = unit.target.strip()
    # The language's column has the field's checks (its length, a link's scheme).
    obj._meta.get_field(column(name, code)).clean(value, obj)
    return value


def apply(data: bytes, code: str, user) -> Plan:
    """Import ``data`` into ``code``'s working copy: the plan made again and
    written in one transaction, as one history version."""
    with transaction.atomic():
        result = plan(data, code, user)
        if not result.changes:
            return result
        for change in result.changes:
            setattr(change.obj, column(change.field, code), change.new)
        with reversion.create_revision(manage_manually=True), deferred_completeness():
            reversion.set_user(user)
            reversion.set_comment(
                gettext("Translations imported (%(language)s, %(count)s fields).")
                % {"language": language_name(code), "count": len(result.changes)}
            )
            for obj in result.objects:
                obj.save()
            for obj in _history_objects(result.objects):
                reversion.add_to_revision(obj)
    return result


def _history_objects(objects: list[models.Model]) -> list[models.Model]:
    """What the version holds: the objects written and the objects they are
    edited in (an article for its block), so that each one's history shows it."""
    found = {}
    for obj in objects:
        for item in (obj, editing_root(obj)):
            if reversion.is_registered(type(item)):
                found[(type(item), item.pk)] = item
    return list(found.values())
