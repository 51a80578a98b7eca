"""Concurrent edits in the admin: a save from a stale change form is refused.

The change form carries (hidden, signed) a token of the working copy as the page
loaded it: a digest of every value the form and its inlines can write (the object's
fields, its many-to-many links, each inline row's fields), one short hash per value,
the latest django-reversion version of the object and the time. Publication state is
not in it: the change form writes none (``publication.admin``), so another editor's
publish or unpublish cannot be undone by it and is no conflict.

On POST, inside the admin's transaction, the object's row is locked
(``select_for_update``: another save of the same object waits for this one) and the
values are read again. If their digest differs from the token's, the form comes back
with everything typed, a message naming who saved and when (from the history), and
what changed since the page was loaded, value by value (the old value from the
version remembered in the token when it still matches, the new one from the
database). The form it comes back with carries the new token, so saving again
deliberately applies this editor's version. A form without a valid token (opened
before this check existed, or altered) is refused the same way.

A revert or a recovery from the history is not checked: it overwrites the object
with a version by design, and reversion writes the version before the form is read.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import strip_tags
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from reversion.errors import RevertError
from reversion.models import Version

from publication.languages import language_name
from publication.models import Part, column_languages

TOKEN_FIELD = "_working_copy"
_SALT = "publication.conflicts.working-copy"

# Row key → column → normalized value.
State = dict[str, dict[str, Any]]


def row_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def normalize(value: Any) -> Any:
    """A value as JSON, equal for equal content whatever read it (the database, a
    form, a reversion version): times to the second, keys and numbers as text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(str(getattr(item, "pk", item)) for item in value)
    return str(value)


def _hash(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def form_fields(model: type[models.Model], names) -> list[models.Field]:
    """The model fields among a form's field names (concrete or many-to-many)."""
    found = []
    for name in names:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.concrete or model_field.many_to_many:
            found.append(model_field)
    return found


def row_values(obj: models.Model, fields: list[models.Field]) -> dict[str, Any]:
    values = {}
    for model_field in fields:
        if model_field.many_to_many:
            pks = getattr(obj, model_field.name).values_list("pk", flat=True)
            values[model_field.name] = normalize(list(pks))
        else:
            values[model_field.name] = column_value(
                model_field, getattr(obj, model_field.attname)
            )
    return values


def column_value(model_field: models.Field, value: Any) -> Any:
    """``normalize``; an empty text is one value, NULL or "" (a translation never
    typed is NULL, the same text saved through a form is "")."""
    if value is None and model_field.empty_strings_allowed:
        return ""
    return normalize(value)


def working_state(model_admin, request, obj) -> tuple[State, dict[str, models.Model]]:
    """What the change form of ``obj`` and its inlines can write, as stored now,
    and the rows it was read from (by row key)."""
    form = model_admin.get_form(request, obj, change=True)
    state = {row_key(obj): row_values(obj, form_fields(type(obj), form.base_fields))}
    rows = {row_key(obj): obj}
    for inline in model_admin.get_inline_instances(request, obj):
        formset = inline.get_formset(request, obj)
        link = formset.fk
        fields = [
            f
            for f in form_fields(inline.model, formset.form.base_fields)
            if f.name != link.name and not f.primary_key
        ]
        for row in inline.get_queryset(request).filter(**{link.name: obj}):
            state[row_key(row)] = row_values(row, fields)
            rows[row_key(row)] = row
    return state, rows


def state_of_forms(form, formsets) -> tuple[State, dict[str, models.Model]]:
    """``working_state`` from the forms of a change page just opened (GET): the
    same values, read from what the page already loaded, with no query."""
    obj = form.instance
    values = {}
    for model_field in form_fields(type(obj), form.base_fields):
        if model_field.many_to_many:
            values[model_field.name] = normalize(form.initial.get(model_field.name, []))
        else:
            values[model_field.name] = column_value(
                model_field, getattr(obj, model_field.attname)
            )
    state = {row_key(obj): values}
    rows = {row_key(obj): obj}
    for formset in formsets:
        link = formset.fk
        fields = [
            f
            for f in form_fields(formset.model, formset.form.base_fields)
            if f.name != link.name and not f.primary_key
        ]
        for row in formset.get_queryset():
            state[row_key(row)] = row_values(row, fields)
            rows[row_key(row)] = row
    return state, rows


def digest(state: State) -> str:
    text = json.dumps(state, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def latest_version_id(obj: models.Model) -> int | None:
    return (
        Version.objects.get_for_object(obj)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


# Values up to this length travel in the token as they are, so that a conflict
# can show them as they were when the form was opened; longer ones (rich text) as
# a hash, their old text then comes from the version remembered, if it matches.
SHORT_VALUE = 200


def make_token(
    obj: models.Model,
    state: State,
    rows: dict[str, models.Model],
    version_id: int | None,
) -> str:
    payload = {
        "o": row_key(obj),
        "d": digest(state),
        "v": version_id,
        "t": timezone.now().isoformat(),
        "h": {
            key: {name: _hash(value) for name, value in values.items()}
            for key, values in state.items()
        },
        "s": {
            key: {
                name: value
                for name, value in values.items()
                if len(json.dumps(value, ensure_ascii=False)) <= SHORT_VALUE
            }
            for key, values in state.items()
        },
        "n": {key: _name_of(row) for key, row in rows.items() if row is not obj},
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_token(obj: models.Model, token: str | None) -> dict | None:
    """The token's content, or None when it is absent, altered or another
    object's."""
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("o") != row_key(obj):
        return None
    return payload


# What changed.


@dataclass
class Change:
    """One line of the conflict report."""

    kind: str  # "changed", "added" or "removed"
    what: str
    field: str = ""
    before: str | None = None
    after: str = ""


@dataclass
class Conflict:
    message: str
    changes: list[Change] = field(default_factory=list)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return Truncator(strip_tags(str(value)).strip()).chars(80) or "—"


def field_label(model: type[models.Model], name: str) -> str:
    """``Title (Korean)`` for a translated column, the verbose name otherwise."""
    code = column_languages(model).get(name)
    model_field = model._meta.get_field(name)
    if code is None:
        return capfirst(str(model_field.verbose_name))
    base = name.removesuffix("_" + code.replace("-", "_"))
    try:
        base_name = model._meta.get_field(base).verbose_name
    except FieldDoesNotExist:
        base_name = model_field.verbose_name
    return f"{capfirst(str(base_name))} ({language_name(code)})"


def _display(model, name: str, value: Any) -> str:
    """A value as the conflict report shows it; a link (a category, methods) by
    the names of what it points to, not by their keys."""
    shown = _shown(value)
    if model is None or value in (None, "", []):
        return shown
    model_field = model._meta.get_field(name)
    if not model_field.is_relation:
        return shown
    keys = value if isinstance(value, list) else [value]
    related = model_field.related_model._default_manager.filter(pk__in=keys)
    return ", ".join(sorted(str(obj) for obj in related)) or shown


def _old_value(carried: dict, versioned: dict, loaded_hash, name: str):
    """(known, value) of a column when the form was opened: carried in the token,
    or from the version remembered if it still holds that value."""
    if name in carried:
        return True, carried[name]
    if name in versioned and _hash(versioned[name]) == loaded_hash:
        return True, versioned[name]
    return False, None


def _model_of(key: str) -> type[models.Model] | None:
    from django.apps import apps

    label = key.rpartition(":")[0]
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _name_of(obj: models.Model) -> str:
    return obj.describe() if isinstance(obj, Part) else str(obj)


def _version_values(version_id: int | None, obj: models.Model) -> dict[str, dict]:
    """Row key → stored values of the revision the token remembered (the object's
    own version and those of the parts it followed), keyed like ``State``."""
    if version_id is None:
        return {}
    version = (
        Version.objects.get_for_object(obj)
        .filter(pk=version_id)
        .select_related("revision")
        .first()
    )
    if version is None:
        return {}
    found = {}
    for stored in version.revision.version_set.all():
        model = ContentType.objects.get_for_id(stored.content_type_id).model_class()
        if model is None:
            continue
        try:
            data = stored.field_dict
        except RevertError:
            # A version of an older schema: its old values are not shown.
            continue
        values = {}
        for model_field in model._meta.get_fields():
            if getattr(model_field, "attname", None) in data:
                value = data[model_field.attname]
                values[model_field.name] = (
                    normalize(value)
                    if model_field.many_to_many
                    else column_value(model_field, value)
                )
        found[f"{model._meta.label_lower}:{stored.object_id}"] = {
            "values": values,
            "repr": stored.object_repr,
        }
    return found


def changes_since(
    obj: models.Model, payload: dict, now: State, rows: dict[str, models.Model]
) -> list[Change]:
    """What differs between the state the token describes and ``now``."""
    loaded: dict[str, dict[str, str]] = payload.get("h") or {}
    carried: dict[str, dict[str, Any]] = payload.get("s") or {}
    remembered = _version_values(payload.get("v"), obj)
    root = row_key(obj)
    changes: list[Change] = []
    for key, values in now.items():
        model = _model_of(key)
        what = "" if key == root else _name_of(rows[key])
        if key not in loaded:
            changes.append(Change("added", what))
            continue
        old_values = remembered.get(key, {}).get("values", {})
        for name, value in values.items():
            if loaded[key].get(name) == _hash(value):
                continue
            known, old = _old_value(
                carried.get(key, {}), old_values, loaded[key].get(name), name
            )
            changes.append(
                Change(
                    "changed",
                    what,
                    field_label(model, name) if model else name,
                    _display(model, name, old) if known else None,
                    _display(model, name, value),
                )
            )
    for key in loaded:
        if key not in now:
            name = (payload.get("n") or {}).get(key) or remembered.get(key, {}).get(
                "repr"
            )
            model = _model_of(key)
            if not name:
                kind = model._meta.verbose_name if model else key
                name = f"{capfirst(str(kind))} {key.rpartition(':')[2]}"
            changes.append(Change("removed", name))
    return changes


def conflict_for(
    request, obj: models.Model, payload: dict | None, now: State, rows
) -> Conflict | None:
    """None when the form is as fresh as the database, else what to tell."""
    noun = obj._meta.verbose_name
    if payload is None:
        return Conflict(
            gettext(
                "This form does not say which version of this %(object)s it was "
                "opened with (it was opened before an update of the admin, or the "
                "page was altered), so it could undo changes saved since. Nothing "
                "was saved. What you typed is still in the form: check it against "
                "the saved %(object)s, then save again to save it."
            )
            % {"object": noun}
        )
    if payload.get("d") == digest(now):
        return None
    changes = changes_since(obj, payload, now, rows)
    since = _revisions_since(obj, payload)
    users = list(dict.fromkeys(r.user for r in since if r.user is not None))
    if since:
        latest = since[0]
        when = localize(timezone.localtime(latest.date_created))
        if users == [request.user]:
            message = gettext(
                "You saved this %(object)s yourself (%(when)s) since this form was "
                "opened, in another tab or with a second click on Save. Nothing was "
                "saved now. The changes saved then are listed below; what this form "
                "holds is still in it. Saving again overwrites them with this form."
            ) % {"object": noun, "when": when}
            return Conflict(message, changes)
        who = ", ".join(u.get_username() for u in users) or gettext("someone")
        message = gettext(
            "Someone else saved this %(object)s since you opened it: %(who)s, "
            "%(when)s. Nothing was saved. Their changes are listed below; what you "
            "typed is still in the form. Saving again overwrites their changes with "
            "yours."
        ) % {"object": noun, "who": who, "when": when}
    else:
        message = gettext(
            "This %(object)s was changed since you opened it, outside the admin's "
            "history (an import or a script). Nothing was saved. The changes are "
            "listed below; what you typed is still in the form. Saving again "
            "overwrites them with yours."
        ) % {"object": noun}
    return Conflict(message, changes)


def _revisions_since(obj: models.Model, payload: dict) -> list:
    """The revisions of ``obj`` saved after the form was loaded, newest first."""
    versions = Version.objects.get_for_object(obj).select_related("revision__user")
    if payload.get("v") is not None:
        versions = versions.filter(pk__gt=payload["v"])
    else:
        try:
            loaded_at = datetime.datetime.fromisoformat(payload.get("t", ""))
        except ValueError:
            return []
        versions = versions.filter(revision__date_created__gt=loaded_at)
    return [version.revision for version in versions.order_by("-pk")]


class ConflictAdminMixin:
    """Refuse saves from stale change forms (see the module's docstring)."""

    change_form_template = "admin/editing/change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Only a change (not an add) is checked, and not a revert or a recovery
        # from the history (``HistoryAdminMixin`` marks those).
        request._working_copy_state = None
        request._working_copy_token = None
        request._working_copy_conflict = None
        request._working_copy_check = (
            request.method == "POST"
            and object_id is not None
            and getattr(request, "_history_revert", None) is None
        )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        if not getattr(request, "_working_copy_check", False):
            return super().get_object(request, object_id, from_field)
        try:
            key = self.model._meta.pk.to_python(object_id)
        except (ValidationError, ValueError):
            return super().get_object(request, object_id, from_field)
        # Lock before reading: a concurrent save of this object waits for ours,
        # and ours reads what it committed.
        list(
            self.model._default_manager.select_for_update()
            .filter(pk=key)
            .values_list("pk", flat=True)
        )
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            return None
        now, rows = working_state(self, request, obj)
        request._working_copy_state = (now, rows)
        posted = request.POST.get(TOKEN_FIELD)
        payload = read_token(obj, posted)
        if payload is not None and payload.get("d") == digest(now):
            # Fresh: a form shown again (refused for another reason) keeps it.
            request._working_copy_token = posted
        else:
            request._working_copy_conflict = conflict_for(
                request, obj, payload, now, rows
            )
        return obj

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        conflict = getattr(request, "_working_copy_conflict", None)
        if conflict is None:
            return form_class

        class StaleForm(form_class):
            def clean(self):
                cleaned = super().clean()
                self.add_error(None, conflict.message)
                return cleaned

        return StaleForm

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if change and obj is not None and self.has_change_permission(request, obj):
            state = getattr(request, "_working_copy_state", None)
            if state is None:
                state = state_of_forms(
                    context["adminform"].form,
                    [inline.formset for inline in context["inline_admin_formsets"]],
                )
            context["working_copy_field"] = TOKEN_FIELD
            context["working_copy_token"] = getattr(
                request, "_working_copy_token", None
            ) or make_token(obj, *state, latest_version_id(obj))
            context["conflict"] = getattr(request, "_working_copy_conflict", None)
        return super().render_change_form(request, context, add, change, form_url, obj)
