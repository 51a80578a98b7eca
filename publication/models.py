"""Publication per language and completeness (DESIGN §3, docs/publishing.md).

The content tables are the working copy: what editors, imports, the demo loader and
the shell save. What readers see is the published versions (``PublishedVersion``):
per object and language, the snapshot of the working copy when it was published
there, visible from a time and, when an unpublication is scheduled, until one.
Every publishable object also carries, per language, a ``published_<lang>`` flag
(it has a published version there, live or scheduled), a ``complete_<lang>`` and a
``changed_<lang>`` flag (plain columns, never translated fields), and a
``publish_at`` time.

Completeness in L: every required translated field (one the model does not allow blank:
a title, an FAQ answer) and every translated field with a value in the default language
has a value in L, for the object, its parts (``parts()``) and the labels they show.
English is the default language, not a required one: an object may be complete, and
published, in Korean only.
Publishing in L also requires every publishable the object explicitly embeds to be
published in L. The rules hold for the admin, the demo loader, imports and the shell
alike:

- publishing a language (the first time, or again) needs it complete (parts
  included); a save of the working copy is never refused for publication reasons,
  since it changes nothing readers see;
- a language may not be unpublished while published content embeds the object.

A refused publication raises ``ValidationError`` whose messages name what is missing
or what depends on it. ``complete_<lang>`` is a stored copy of the computed state,
refreshed whenever the object or one of its parts is saved or deleted, so that admin
lists can show and filter it without a query per row. ``changed_<lang>`` is stored the
same way and for the same reason: the working copy in that language differs from its
published version there (``Publishable.changed_languages``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator, format_lazy, slugify
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

from publication import outdated, snapshots, tasks
from publication.content_version import content_changed, object_tag
from publication.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    LANGUAGE_NAMES,
    column,
    language_name,
    translated_fields,
)
from publication.roles import PERMISSIONS as LANGUAGE_PERMISSIONS
from richtext import RichTextField, is_empty

logger = logging.getLogger("clinic.publication")


def published_field(code: str) -> str:
    return f"published_{code.replace('-', '_')}"


def complete_field(code: str) -> str:
    return f"complete_{code.replace('-', '_')}"


def changed_field(code: str) -> str:
    return f"changed_{code.replace('-', '_')}"


# Columns a save computes itself: they change with what they are computed from.
DERIVED_COLUMNS = frozenset(
    {
        "updated_at",
        *(complete_field(code) for code in LANGUAGE_CODES),
        *(changed_field(code) for code in LANGUAGE_CODES),
    }
)

_column_languages: dict[type, dict[str, str]] = {}


def column_languages(model: type[models.Model]) -> dict[str, str]:
    """``{"title_ko": "ko", …}`` for every translated column of ``model``."""
    if model not in _column_languages:
        try:
            names = translator.get_options_for_model(model).all_fields
        except NotRegistered:
            names = ()
        _column_languages[model] = {
            column(name, code): code for name in names for code in LANGUAGE_CODES
        }
    return _column_languages[model]


def is_public_change(
    obj: models.Model, changed: set[str] | None, audience: Iterable[str]
) -> bool:
    """Can a public response show this change?

    ``changed`` is the set of changed columns (None: the row is new or deleted) and
    ``audience`` the languages in which the object, or a root that shows the part, is
    published before or after the change. Editing a translation nobody publishes (the
    Japanese text of an article published in English and Korean only) is a draft
    change: no API response, validator or cache moves for it.
    """
    audience = set(audience)
    if not audience:
        return False
    if changed is None:
        return True
    languages = column_languages(type(obj))
    return any(
        languages.get(name) is None or languages[name] in audience
        for name in changed
        if name not in DERIVED_COLUMNS
    )


def value_in(obj: models.Model, field: str, code: str) -> Any:
    """The stored value of ``field`` in language ``code``, never a fallback."""
    return getattr(obj, column(field, code))


def required_fields(model: type[models.Model]) -> tuple[str, ...]:
    """Translated fields of ``model`` that every published language needs, whatever
    the default language holds: those the model does not allow blank (a title, an
    FAQ answer). The admin's forms require no language (``publication.admin``)."""
    return tuple(
        name
        for name in translated_fields(model)
        if not model._meta.get_field(name).blank
    )


def empty_in(obj: models.Model, field: str, code: str) -> bool:
    """Is ``field`` empty in ``code``? Rich text that shows nothing (``<p></p>``) is
    empty; plain text is shown as typed, so ``<img …>`` there is text."""
    value = value_in(obj, field, code)
    if value is not None and not isinstance(obj._meta.get_field(field), RichTextField):
        value = escape(value)
    return is_empty(value)


def missing_field_names(obj: models.Model, code: str) -> list[str]:
    """obj's translated fields empty in ``code`` that it needs there: the required
    ones (``required_fields``) and, in another language than the default, those
    set in the default language. Rich text that shows nothing (``<p></p>``) is
    empty."""
    required = set(obj.required_fields() if isinstance(obj, Part) else ())
    return [
        field
        for field in translated_fields(type(obj))
        if empty_in(obj, field, code)
        and (
            field in required
            or (code != DEFAULT_LANGUAGE and not empty_in(obj, field, DEFAULT_LANGUAGE))
        )
    ]


def missing_fields(obj: models.Model, code: str) -> list[str]:
    """The verbose names of ``missing_field_names``."""
    return [
        str(obj._meta.get_field(field).verbose_name)
        for field in missing_field_names(obj, code)
    ]


def _empty_q(name: str) -> Q:
    return Q(**{name: ""}) | Q(**{f"{name}__isnull": True})


def missing_q(model: type[models.Model], code: str) -> Q:
    """A filter for rows of ``model`` whose own translated fields are incomplete in
    ``code`` (label models, which store no completeness flags)."""
    q = Q(pk__in=[])
    for field in required_fields(model):
        q |= _empty_q(column(field, code))
    if code == DEFAULT_LANGUAGE:
        return q
    for field in translated_fields(model):
        default = column(field, DEFAULT_LANGUAGE)
        q |= ~_empty_q(default) & _empty_q(column(field, code))
    return q


def in_some_language(obj: models.Model, field: str) -> str:
    """``field`` in the active language, else in the first language that has it: an
    object written in Korean only is named in the English admin and its messages
    too (modeltranslation falls back to the default language only)."""
    active = get_language()
    for code in (active, *LANGUAGE_CODES):
        if code in LANGUAGE_CODES and (value := value_in(obj, field, code)):
            return value
    return ""


def short(text: Any, length: int = 40) -> str:
    return Truncator(str(text or "").strip()).chars(length)


# Roots whose stored completeness must be refreshed once a batch of saves is over.
_pending_refresh: ContextVar[dict | None] = ContextVar("pending_refresh", default=None)


@contextlib.contextmanager
def deferred_completeness() -> Iterator[None]:
    """Refresh stored completeness once at the end instead of after every part save.

    The admin wraps the saving of inline formsets in it, the demo loader its whole run:
    40 blocks saved one by one then cost one refresh of their article, not 40.
    """
    if _pending_refresh.get() is not None:
        yield
        return
    token = _pending_refresh.set({})
    try:
        # The outdated translations' rows of every save inside, written at once.
        with outdated.batch():
            yield
        pending = _pending_refresh.get()
    finally:
        _pending_refresh.reset(token)
    for (model, pk), public in pending.items():
        fresh = model._default_manager.filter(pk=pk).first()
        if fresh is not None:
            fresh.refresh_completeness(public=public)


def _schedule_refresh(root: Publishable, *, public: bool = True) -> None:
    if root.pk is None:
        return
    pending = _pending_refresh.get()
    if pending is None:
        root.refresh_completeness(public=public)
    else:
        key = (type(root), root.pk)
        pending[key] = pending.get(key, False) or public


class Part(models.Model):
    """A model whose content counts towards the completeness of publishable roots:
    a block, a list item, a fact, a stage, or a label such as a criterion."""

    # The field a slug is made from when ``slug`` in a language is left empty.
    slug_source: str | None = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_slugs()
        # Never refused for publication reasons: this is the working copy; what
        # readers see is the published versions, checked when published.
        roots = list(self.publication_roots())
        changed = self.changed_columns()
        before = self._values_before_save()
        super().save(*args, **kwargs)
        outdated.note_save(self, before, editing_root(self, roots))
        self._remember_values()
        if changed is not None and not changed:
            return
        public = is_public_change(self, changed, audience_of(roots))
        # The roots' stored completeness and changes since published; readers see
        # nothing of it until a root is published again.
        for root in roots:
            _schedule_refresh(root, public=public)

    def delete(self, *args, **kwargs):
        # The content version moves through the pre_delete signal
        # (``content_deleted``), which also sees bulk and cascaded deletes.
        roots = list(self.publication_roots())
        public = bool(audience_of(roots))
        outdated.forget(self)
        result = super().delete(*args, **kwargs)
        for root in roots:
            _schedule_refresh(root, public=public)
        return result

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # What is in the database now is what the next save compares with, as for
        # an instance just loaded (``from_db``); else a refreshed copy would take
        # what another copy saved for its own change.
        refreshed = self._column_values()
        if fields is not None:
            names = {self._meta.get_field(name).attname for name in fields}
            refreshed = {k: v for k, v in refreshed.items() if k in names}
        self._loaded_values = {**getattr(self, "_loaded_values", {}), **refreshed}

    def _column_values(self) -> dict[str, Any]:
        values = {}
        for field in self._meta.concrete_fields:
            value = self.__dict__.get(field.attname)
            # Times count to the second: the admin's form shows them to the second.
            if hasattr(value, "microsecond"):
                value = value.replace(microsecond=0)
            values[field.attname] = value
        return values

    def _remember_values(self) -> None:
        self._loaded_values = self._column_values()

    def _values_before_save(self) -> dict[str, Any] | None:
        """The columns as loaded (or last saved); None for a new object."""
        if self._state.adding or self.pk is None:
            return None
        return getattr(self, "_loaded_values", None)

    def changed_columns(self) -> set[str] | None:
        """Columns whose value differs from the one loaded (or last saved); None
        for an object not yet in the database."""
        loaded = getattr(self, "_loaded_values", None)
        if self._state.adding or self.pk is None or loaded is None:
            return None
        current = self._column_values()
        changed = set()
        for name, old in loaded.items():
            if old is models.DEFERRED or name not in current:
                continue
            if hasattr(old, "microsecond"):
                old = old.replace(microsecond=0)
            if old != current[name]:
                changed.add(name)
        return changed - DERIVED_COLUMNS

    def required_fields(self) -> tuple[str, ...]:
        """Translated fields this object needs in every language it is published in
        (a block's depend on its kind)."""
        return required_fields(type(self))

    def describe(self) -> str:
        """How refusal messages name this part (``Block 3 “Bottom line”``)."""
        return f"{self._meta.verbose_name} “{short(self)}”"

    def problems(self, code: str) -> list[str]:
        """What this part lacks for language ``code``."""
        return [f"{self.describe()}: {name}" for name in missing_fields(self, code)]

    def publication_roots(self) -> Iterable[Publishable]:
        """The publishable objects whose completeness includes this part."""
        return ()

    def fill_slugs(self) -> None:
        if self.slug_source is None:
            return
        for code in LANGUAGE_CODES:
            source = value_in(self, self.slug_source, code)
            if is_empty(value_in(self, "slug", code)) and not empty_in(
                self, self.slug_source, code
            ):
                setattr(self, column("slug", code), self.unique_slug(source, code))

    def unique_slug(self, text: str, code: str) -> str:
        """A slug for ``text`` unique among this model's slugs in ``code``.

        Unicode is kept (a Korean title gives a Korean slug); text with no letter or
        digit at all gives the model's name instead of an empty slug.
        """
        field = self._meta.get_field(column("slug", code))
        base = slugify(text, allow_unicode=True)[: field.max_length - 8].strip("-")
        if not base:
            base = slugify(self._meta.model_name)
        others = type(self)._default_manager.exclude(pk=self.pk)
        candidate, n = base, 1
        while others.filter(**{column("slug", code): candidate}).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate


def audience_of(roots: Iterable[Publishable]) -> set[str]:
    """The languages in which any of ``roots`` is published (scheduled or not)."""
    languages: set[str] = set()
    for root in roots:
        languages.update(root.published_languages)
    return languages


class GridCell(Part):
    """A cell of a grid whose every cell must have text (a comparison, an aftercare
    timeline): a grid is complete in a language only while every cell it shows
    has text there (see ``grid_roots``)."""

    class Meta:
        abstract = True

    def grid_roots(self) -> Iterable[Publishable]:
        """The published-or-not grids that show this cell."""
        return ()


def refusal_not_complete(code: str, problems: list[str]) -> str:
    return gettext(
        "Cannot publish in %(language)s: it is not complete. "
        "Missing in %(language)s: %(missing)s."
    ) % {"language": language_name(code), "missing": "; ".join(problems)}


def visible_q(code: str, prefix: str = "", *, at=None) -> Q:
    """Visible in ``code``: published there and its publish time has come. With a
    ``prefix`` it filters on a relation (``visible_q("ko", "method__")``)."""
    return Q(
        **{
            prefix + published_field(code): True,
            prefix + "publish_at__lte": at or timezone.now(),
        }
    )


class PublishableQuerySet(models.QuerySet):
    def published(self, code: str, *, at=None) -> PublishableQuerySet:
        """Visible in ``code``: published there and its publish time has come."""
        return self.filter(visible_q(code, at=at))

    def scheduled(self, *, after=None) -> PublishableQuerySet:
        """Objects with a publication time (``publication_times()``) after ``after``
        (now), which the background worker must see to."""
        after = after or timezone.now()
        return self.filter(
            Q(publish_at__gt=after)
            | Q(versions__visible_from__gt=after)
            | Q(versions__visible_until__gt=after)
        ).distinct()

    def incomplete(self, code: str) -> PublishableQuerySet:
        return self.filter(**{complete_field(code): False})


class Publishable(Part):
    """Base for every type that is published per language."""

    updated_at = models.DateTimeField(
        _("updated"),
        default=timezone.now,
        editable=False,
        help_text=_(
            "Last change of the object, its parts or what it embeds; served as the "
            "API's updated_at and sitemap time."
        ),
    )
    publish_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_(
            "The object is visible in its published languages from this time on. "
            "Set a future time to schedule, e.g. tomorrow 09:00."
        ),
    )

    # The published versions, one per locale it is published in (deleted with it).
    versions = GenericRelation("publication.PublishedVersion")

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_slugs()
        problems = self.completeness_problems()
        errors = self.publication_errors(problems)
        if errors:
            raise ValidationError(errors)
        for code in LANGUAGE_CODES:
            setattr(self, complete_field(code), not problems[code])
        # A save that changes nothing (an admin form saved as it was) is no change,
        # and a change no public response shows (a draft, a translation not
        # published) is no public change: HTTP validators, sitemap times and the
        # API cache stay put.
        changed_columns = self.changed_columns()
        changed = changed_columns is None or bool(changed_columns)
        before = frozenset(getattr(self, "_published_in_db", None) or ())
        # Compared with the versions this save keeps: a language it publishes gets
        # the working copy as its version, one it unpublishes loses its version.
        kept = before & set(self.published_languages)
        for name, value in self.changed_flags(kept).items():
            setattr(self, name, value)
        public = is_public_change(
            self, changed_columns, before | set(self.published_languages)
        )
        if public:
            self.updated_at = timezone.now()
        # Skip Part.save: slugs are filled above and a root has no roots to check.
        before_save = self._values_before_save()
        models.Model.save(self, *args, **kwargs)
        outdated.note_save(self, before_save, self)
        self._remember_values()
        self._published_in_db = frozenset(self.published_languages)
        # The flags and the published versions move together, whatever sets the
        # flags (publish(), a list action, a revert, the demo loader, the shell).
        for code in sorted(self._published_in_db - before):
            self.store_version(code)
        if before - self._published_in_db:
            self.versions.filter(locale__in=before - self._published_in_db).delete()
        if not changed:
            return
        if (
            changed_columns is None
            or "publish_at" in changed_columns
            or bool(before) != bool(self._published_in_db)
        ):
            # Its time will change what the API shows with no save: have the
            # background worker bump the content version then (publication.tasks).
            now = timezone.now()
            # The publish time this save set (a version's other times are
            # enqueued by what sets them: ``unpublish(at=…)``).
            tasks.schedule(
                self,
                [self.publish_at]
                if self.published_languages and self.publish_at > now
                else [],
                using=kwargs.get("using") or DEFAULT_DB_ALIAS,
            )
        embedders = list(self.embedders())
        if before != self._published_in_db:
            # What embeds this object is complete in a language only while this one
            # is published there: refresh their stored flags.
            for embedder in embedders:
                _schedule_refresh(embedder, public=public)
        if before != self._published_in_db:
            # Published or unpublished in a language: what readers see changed
            # (a first publication's version was stored above). An edit of the
            # working copy alone changes nothing they see.
            touched = touch([*embedders, *self.shown_in()], at=self.updated_at)
            content_changed([self, *touched])

    # What subclasses declare.

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._published_in_db = frozenset(instance._flags_loaded())
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        # The languages published in the database now (as ``from_db``): a save
        # after a refresh must not take a publication another copy made for its
        # own, and store its version again.
        flags = {published_field(code) for code in LANGUAGE_CODES}
        if fields is None or flags & set(fields):
            self._published_in_db = frozenset(self._flags_loaded())

    def _flags_loaded(self) -> list[str]:
        return [
            code
            for code in LANGUAGE_CODES
            if self.__dict__.get(published_field(code), False)
        ]

    @property
    def published_languages(self) -> list[str]:
        return [code for code in LANGUAGE_CODES if getattr(self, published_field(code))]

    @property
    def complete_languages(self) -> list[str]:
        return [code for code in LANGUAGE_CODES if getattr(self, complete_field(code))]

    def publication_times(self) -> set:
        """The times at which what the public API shows of this object changes by
        itself, with no save: its publish time while it is published in a
        language, and each time its published versions start or stop being
        visible (a scheduled publication, republication or unpublication, per
        language). ``publication.tasks.time_reached`` runs at each."""
        times = {self.publish_at} if self.published_languages else set()
        if self.pk is not None:
            for start, end in self.versions.values_list(
                "visible_from", "visible_until"
            ):
                times |= {start, *([end] if end else [])}
        return times

    def is_visible(self, code: str, *, at=None) -> bool:
        return getattr(self, published_field(code)) and self.publish_at <= (
            at or timezone.now()
        )

    def describe(self) -> str:
        return f"{self._meta.verbose_name} “{short(self)}”"

    def parts(self) -> Iterable[Part]:
        """Parts and labels whose completeness counts, fetched with few queries."""
        return ()

    def embedded(self) -> Iterable[Publishable]:
        """Publishables this object embeds directly (not through a part)."""
        return ()

    def embedders(self) -> Iterable[Publishable]:
        """Every publishable object that embeds this one, published or not."""
        return ()

    def shown_in(self) -> Iterable[Publishable]:
        """Publishables that show this object where it is visible, without depending
        on it (an article's FAQ block shows the FAQ items linked to it): a public
        change of this object is a change of theirs too (``updated_at``), but
        unpublishing it is not refused."""
        return ()

    def label_tags(self, *snapshots: dict) -> set[str]:
        """The cache tags of the labels whose public documents show this object's
        published version (an FAQ item's category: its item count and last
        change), in any of ``snapshots``."""
        return set()

    def snapshot_parts(self) -> dict[str, models.QuerySet]:
        """The parts and labels whose content this object shows, by name, each in
        the order it shows them: what a snapshot keeps besides the object's own
        fields (``publication.snapshots``)."""
        return {}

    def dependents(self, code: str) -> Iterable[Publishable]:
        """Objects published in ``code`` that embed this one."""
        return [obj for obj in self.embedders() if getattr(obj, published_field(code))]

    # Completeness.

    def problems(self, code: str) -> list[str]:
        problems = missing_fields(self, code)
        problems += embedded_problems(self, self.embedded(), code)
        return problems

    def completeness_problems(
        self, codes: Iterable[str] = LANGUAGE_CODES, parts: list[Part] | None = None
    ) -> dict[str, list[str]]:
        """Everything missing, per language, over the object and its parts
        (``parts``: as ``parts()`` gives them, when the caller has them)."""
        # Parts and grids are fetched once for all languages (see memo()).
        self._memo = {}
        try:
            if parts is None:
                parts = list(self.parts()) if self.pk else []
            result = {}
            for code in codes:
                problems = self.problems(code)
                for part in parts:
                    problems += part.problems(code)
                result[code] = list(dict.fromkeys(problems))
            return result
        finally:
            self._memo = None

    def memo(self, key: str, compute):
        """``compute()`` once per completeness computation, else every time."""
        memo = getattr(self, "_memo", None)
        if memo is None:
            return compute()
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def refresh_completeness(self, *, public: bool = True) -> None:
        """Store completeness, and what changed since published, again after a
        part, a label, a link or an embedded object changed; a public change of
        those is also a change of this object (``updated_at``)."""
        problems = self.completeness_problems()
        flags = {complete_field(code): not problems[code] for code in LANGUAGE_CODES}
        flags.update(self.changed_flags(self.published_languages))
        for name, value in flags.items():
            setattr(self, name, value)
        if not self.pk:
            return
        if not public:
            type(self)._default_manager.filter(pk=self.pk).update(**flags)
            return
        self.updated_at = timezone.now()
        type(self)._default_manager.filter(pk=self.pk).update(
            **flags, updated_at=self.updated_at
        )
        touch(self.embedders(), at=self.updated_at)

    # Enforcement.

    def publication_errors(
        self, problems: dict[str, list[str]] | None = None
    ) -> list[str]:
        """Why saving the object as it is now would break the publication rules."""
        before = getattr(self, "_published_in_db", None)
        if before is None:
            before = frozenset(self._db_published_languages())
        now = set(self.published_languages)
        errors = []
        if problems is None:
            problems = self.completeness_problems()
        for code in LANGUAGE_CODES:
            # Only a language being published now is checked: the working copy
            # of one published already may be incomplete (its published version
            # stays as it was until it is published again, which checks).
            if code in now and code not in before and problems[code]:
                errors.append(refusal_not_complete(code, problems[code]))
            if code in before and code not in now:
                refusal = self.unpublish_refusal(code)
                if refusal:
                    errors.append(refusal)
        return errors

    def unpublish_refusal(self, code: str) -> str | None:
        """Why ``code`` may not be unpublished now: published content embeds it."""
        users = [obj.describe() for obj in self.dependents(code)]
        if not users:
            return None
        return gettext(
            "Cannot unpublish in %(language)s: published content embeds it: "
            "%(users)s. Unpublish those in %(language)s first, or remove this "
            "from them."
        ) % {"language": language_name(code), "users": "; ".join(users)}

    def _db_published_languages(self) -> list[str]:
        if self.pk is None:
            return []
        row = (
            type(self)
            ._default_manager.filter(pk=self.pk)
            .values(*[published_field(c) for c in LANGUAGE_CODES])
            .first()
        )
        if row is None:
            return []
        return [c for c in LANGUAGE_CODES if row[published_field(c)]]

    def publish(self, code: str, *, user=None, at=None) -> None:
        """Make the working copy in ``code`` its published version there, seen
        from ``at`` (default: the object's publish time): a first publication
        stores it through ``save()`` (the flag), a republication here. A
        republication at a time to come leaves the version readers see now in
        place until then (``store_version``)."""
        if at is not None:
            self.publish_at = at
        with transaction.atomic():
            again = code in getattr(self, "_published_in_db", frozenset())
            if again:
                # A first publication is checked by save(); a republication here,
                # since the working copy may have become incomplete meanwhile.
                self.fill_slugs()
                problems = self.completeness_problems([code])[code]
                if problems:
                    raise ValidationError([refusal_not_complete(code, problems)])
            setattr(self, published_field(code), True)
            self.save()
            if again:
                self.store_version(code, user=user)
            elif user is not None:
                self.versions.filter(locale=code).update(published_by=user)

    def unpublish(self, code: str, *, at=None) -> None:
        """Take ``code`` out of every public response, now or at ``at``: a time to
        come ends the visibility of its versions then (checked now as an unpublish
        is), and the worker takes the language out at that time
        (``expire_versions``)."""
        if at is None or at <= timezone.now():
            setattr(self, published_field(code), False)
            self.save()
            return
        refusal = self.unpublish_refusal(code)
        if refusal:
            raise ValidationError([refusal])
        with transaction.atomic():
            versions = self.versions.filter(locale=code)
            # A republication scheduled at or after the end never shows.
            versions.filter(visible_from__gte=at).delete()
            versions.update(visible_until=at)
            tasks.schedule(self, [at])
            content_changed([self], locales=[code])

    def expire_versions(self, at=None) -> list[str]:
        """Drop the versions whose visibility ended by ``at`` (now) and take the
        languages left with none out of the flags, as an unpublish does (without
        its check: readers stopped seeing them at the time the check allowed).
        Returns those languages."""
        at = at or timezone.now()
        with transaction.atomic():
            self.versions.filter(visible_until__lte=at).delete()
            left = set(self.versions.values_list("locale", flat=True))
            gone = [c for c in self.published_languages if c not in left]
            if gone:
                flags = {published_field(c): False for c in gone}
                flags.update({changed_field(c): False for c in gone})
                type(self)._default_manager.filter(pk=self.pk).update(**flags)
                for name, value in flags.items():
                    setattr(self, name, value)
                self._published_in_db = frozenset(self.published_languages)
                for embedder in self.embedders():
                    _schedule_refresh(embedder)
        return gone

    # Published versions (docs/publishing.md).

    def snapshot(self, code: str) -> dict[str, Any]:
        """The working copy's content in ``code``."""
        return snapshots.snapshot(self, code)

    def store_version(self, code: str, *, user=None) -> PublishedVersion:
        """Make the working copy in ``code`` the published version there, visible
        from the object's publish time. When that time is to come and readers see
        a version now, that one stays until then (its ``visible_until``) and this
        one waits (what the editor reviewed is what goes live, as Wagtail's "go
        live at" revisions); otherwise this one replaces every version of
        ``code``."""
        data = self.snapshot(code)
        now = timezone.now()
        versions = self.versions.filter(locale=code)
        live = versions.filter(visible_at(now)).first()
        when = self.publish_at
        slug = (value_in(self, "slug", code) or "") if self.has_slug else ""
        # The other locales' documents show this one's address (the alternates):
        # a first version or a new slug reaches them too, otherwise only this
        # locale's documents change.
        reach = [code] if live is not None and live.slug == slug else None
        # A scheduled unpublication still to come stays scheduled.
        end = live.visible_until if live is not None else None
        if end is not None and end <= when:
            end = None
        if live is not None and when > now:
            versions.exclude(pk=live.pk).delete()
            live.visible_until = when
            live.save(update_fields=["visible_until"])
        else:
            versions.delete()
        version = PublishedVersion.objects.create(
            content_type=ContentType.objects.get_for_model(self),
            object_id=self.pk,
            locale=code,
            slug=slug,
            data=data,
            visible_from=when,
            visible_until=end,
            published_at=now,
            # What readers see changed now (the working copy's own time is when
            # it was saved, perhaps long before).
            updated_at=now,
            published_by=user,
            refs=snapshots.refs(data["object"], type(self)),
            search_text=snapshots.search_text(self, code),
        )
        # Its time, when to come, was enqueued by the save that set it.
        # What readers see changed: the object's documents and every one that
        # shows it (their tags name it) are served again after the commit, and
        # those that show it changed at this time in this locale.
        showing = [*self.embedders(), *self.shown_in()]
        for other in showing:
            other.versions.filter(locale=code).update(updated_at=now)
        if reach is None or live.visible_from != when:
            # Its lists and the sitemap may gain it, its address changed, or it
            # moves in a list ordered by publish time: the types' tags too
            # (every page of the type's lists).
            content_changed([self, *showing], locales=reach)
        else:
            # A republication at the same address and time in one locale: no
            # list gains, loses or moves an object, so only the documents that
            # show it (its tag, those of what shows it, and of the labels shown
            # with it before and after) change — not every page of its lists.
            labels = self.label_tags(live.data, data)
            content_changed(
                tags={object_tag(obj) for obj in [self, *showing]} | labels,
                locales=reach,
            )
        # The version is the working copy now. (The flag in memory is the stored
        # one: every caller has just saved or loaded the object.)
        if getattr(self, changed_field(code)):
            setattr(self, changed_field(code), False)
            type(self)._default_manager.filter(pk=self.pk).update(
                **{changed_field(code): False}
            )
        return version

    @property
    def has_slug(self) -> bool:
        return any(f.name == "slug" for f in self._meta.fields)

    def published_version(self, code: str) -> PublishedVersion | None:
        return self.versions.filter(locale=code).first()

    def changed_languages(self, codes: Iterable[str]) -> set[str]:
        """Those of ``codes`` whose published version differs from the working
        copy: one query for the versions, then a snapshot of each."""
        codes = set(codes)
        if self.pk is None or not codes:
            return set()
        versions = dict(
            self.versions.filter(locale__in=codes).values_list("locale", "data")
        )
        if not versions:
            return set()
        working = snapshots.snapshots(self, versions)
        return {code for code, data in versions.items() if data != working[code]}

    def changed_flags(self, codes: Iterable[str]) -> dict[str, bool]:
        """``changed_<code>`` of every language, comparing the versions of
        ``codes`` (a language without a version has nothing to differ from)."""
        changed = self.changed_languages(codes)
        return {changed_field(code): code in changed for code in LANGUAGE_CODES}

    def changes_since_published(self, code: str) -> list[snapshots.Change] | None:
        """How the working copy in ``code`` differs from its published version,
        field by field; None when it is not published there."""
        version = self.published_version(code)
        if version is None:
            return None
        parts = self.snapshot_parts()
        return snapshots.diff(
            version.data,
            self.snapshot(code),
            model=type(self),
            part_models={name: rows.model for name, rows in parts.items()},
        )


def publishable_models() -> list[type[Publishable]]:
    """Every concrete publishable type of the installed apps."""
    return [model for model in apps.get_models() if issubclass(model, Publishable)]


def touch(objects: Iterable[Publishable], *, at) -> list[Publishable]:
    """Set ``updated_at`` of ``objects`` and, transitively, of what embeds them;
    returns every object touched.

    A method's fact shows in every comparison of the method and in every article that
    embeds one of those: their pages changed too, so their sitemap time and HTTP
    validators must move with it.
    """
    seen: set[tuple[type, int]] = set()
    touched = []
    stack = list(objects)
    while stack:
        obj = stack.pop()
        key = (type(obj), obj.pk)
        if obj.pk is None or key in seen:
            continue
        seen.add(key)
        touched.append(obj)
        type(obj)._default_manager.filter(pk=obj.pk).update(updated_at=at)
        stack.extend(obj.embedders())
    return touched


def touch_on_m2m_change(
    sender, instance, action, model, pk_set, reverse=False, **kwargs
) -> None:
    """A link added or removed (an FAQ item's articles, a cause type's methods) is a
    change of the working copies on both sides (an article shows its FAQ items):
    readers see it once the side whose field it is is published again."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    own = [instance] if isinstance(instance, Publishable) else []
    others = []
    if pk_set and issubclass(model, Publishable):
        others = list(model._default_manager.filter(pk__in=pk_set))
    sides = [*own, *others]
    if not audience_of(sides):
        return
    # The links are in the snapshot of the side whose field it is: what changed
    # since it was published is stored again, as after a save of one of its parts.
    for owner in others if reverse else own:
        _schedule_refresh(owner, public=False)
    touch(sides, at=timezone.now())


def content_deleted(sender, instance, **kwargs) -> None:
    """pre_delete of every content model (single, bulk and cascaded deletes): a
    deleted published object is a public change (its versions go with it). A
    deleted part changes the working copy only: its roots' versions keep it until
    they are published again."""
    if isinstance(instance, Publishable) and instance.published_languages:
        content_changed([instance, *instance.embedders()])


def editing_root(obj: models.Model, roots: list | None = None) -> models.Model:
    """Where ``obj`` is edited and listed: a publishable object itself, a part
    the one publishable object it belongs to (a block's article), a label shown
    by many itself (``roots``: its publication roots, when the caller has them)."""
    if isinstance(obj, Publishable) or not isinstance(obj, Part):
        return obj
    roots = list(obj.publication_roots()) if roots is None else roots
    return roots[0] if len(roots) == 1 else obj


def embedded_problems(
    owner: Publishable, embedded: Iterable[Publishable | None], code: str
) -> list[str]:
    """An embedded object must be published in ``code``, and not later than its
    owner: otherwise the owner would show a hole until the embedded time comes."""
    problems = []
    for other in embedded:
        if other is None:
            continue
        if not getattr(other, published_field(code)):
            problems.append(not_published_problem(other, code))
        elif other.publish_at > max(owner.publish_at or timezone.now(), timezone.now()):
            problems.append(
                gettext("%(object)s is scheduled after this one (%(time)s)")
                % {
                    "object": other.describe(),
                    "time": timezone.localtime(other.publish_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                }
            )
    return problems


def not_published_problem(other: Publishable, code: str) -> str:
    return gettext("%(object)s is not published in %(language)s") % {
        "object": other.describe(),
        "language": language_name(code),
    }


for _code in LANGUAGE_CODES:
    Publishable.add_to_class(
        published_field(_code),
        models.BooleanField(
            format_lazy(_("published in {language}"), language=LANGUAGE_NAMES[_code]),
            default=False,
            db_index=True,
        ),
    )
    Publishable.add_to_class(
        complete_field(_code),
        models.BooleanField(
            format_lazy(_("complete in {language}"), language=LANGUAGE_NAMES[_code]),
            default=False,
            editable=False,
        ),
    )
    Publishable.add_to_class(
        changed_field(_code),
        models.BooleanField(
            format_lazy(
                _("changed since published in {language}"),
                language=LANGUAGE_NAMES[_code],
            ),
            default=False,
            editable=False,
        ),
    )


class PublishedVersion(models.Model):
    """What readers in one locale see of one object: the snapshot of its working
    copy in that locale when it was published there (docs/publishing.md)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    # No choices: adding a locale (README) needs no migration of this table.
    locale = models.CharField(max_length=10)
    # The locale's slug, for lookups by address and the other locales' alternates.
    slug = models.CharField(max_length=200, blank=True)
    data = models.JSONField()
    visible_from = models.DateTimeField()
    # Null: no end. A scheduled unpublish sets it; so does a scheduled
    # republication on the version it replaces then (see ``store_version``).
    visible_until = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    # The API's updated_at in this locale: the last change of what the object's
    # documents show (its version, or a version of something they show).
    updated_at = models.DateTimeField(default=timezone.now)
    # What the public filters read, so that they select published versions in SQL:
    # the objects it names (" method-3 faqcategory-2 ", publication.snapshots.refs)
    # and, for a searchable type, its text in the locale (the FAQ's search text).
    refs = models.TextField(blank=True, default="")
    search_text = models.TextField(blank=True, default="")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        # Who may write and publish each language (publication.roles).
        permissions = LANGUAGE_PERMISSIONS
        constraints = [
            # Per object and locale: the version readers see and, for a
            # scheduled republication, the one they will see from its time; only
            # the latter is open-ended.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "locale"],
                condition=models.Q(visible_until__isnull=True),
                name="publication_one_open_version_per_locale",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "locale", "visible_from"],
                name="publication_one_version_per_locale_and_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["content_type", "locale", "slug"],
                name="publication_version_address",
            )
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} ({self.locale})"


def visible_at(at) -> Q:
    """The published versions readers see at ``at``."""
    return Q(visible_from__lte=at) & (
        Q(visible_until__isnull=True) | Q(visible_until__gt=at)
    )


def sync_versions(**kwargs) -> int:
    """Give every object published in a locale without a published version there
    one (its working copy now), and drop versions of locales no longer published:
    the data of the flags' era becomes versions, once (a ``post_migrate`` receiver,
    and the demo loader). Returns how many versions it wrote or dropped."""
    changed = 0
    for model in publishable_models():
        content_type = ContentType.objects.get_for_model(model)
        versions = PublishedVersion.objects.filter(content_type=content_type)
        for code in LANGUAGE_CODES:
            have = versions.filter(locale=code)
            published = model._default_manager.filter(**{published_field(code): True})
            missing = published.exclude(pk__in=have.values("object_id"))
            for obj in missing:
                problems = obj.completeness_problems([code])[code]
                if problems:
                    # A flag set past save() (an update(), raw SQL) on an object
                    # not complete there: publishing is what checks, so it is not
                    # published; the flag goes.
                    model._default_manager.filter(pk=obj.pk).update(
                        **{published_field(code): False}
                    )
                    logger.warning(
                        "%s %s was flagged as published in %s but is not complete "
                        "there (missing: %s): not published.",
                        model._meta.label,
                        obj.pk,
                        code,
                        "; ".join(problems),
                    )
                    continue
                obj.store_version(code)
                changed += 1
            stale = dict(
                have.exclude(object_id__in=published.values("pk")).values_list(
                    "pk", "object_id"
                )
            )
            if stale:
                # Without a version there is nothing to have changed since.
                model._default_manager.filter(pk__in=stale.values()).update(
                    **{changed_field(code): False}
                )
                changed += PublishedVersion.objects.filter(pk__in=stale).delete()[0]
    return changed


# The delivery store's and the changes' models live in their own modules
# (publication/documents.py, publication/changes.py).
from publication.changes import Change, PublicAddress  # noqa: E402, F401
from publication.documents import Document, DocumentTag  # noqa: E402, F401
