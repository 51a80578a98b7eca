"""Outdated translations: which version of the default language's text each
translation translates, per object and field (a part — block, list item, cell,
stage entry — is an object of its own), and so which translations say something
else since the source changed.

When a translation in L is written, its source is recorded: the default-language
text it was written against (``TranslationSource``, one row per object, field and
language; the default language's own row holds its current text's digest). When
the source changes afterwards, each translation whose recorded source differs is
*outdated* in its language until someone updates it (a save that changes it
records the current source) or confirms it still holds (``confirm``). A
translation emptied is missing, not outdated: its row goes.

A translation saved before this existed has no row: the first change of its
source records the text it had before that change, so the translation shows as
outdated from then on (the case that asked for this: an English answer rewritten,
its Korean, Japanese and Chinese versions untouched).

Nothing is unpublished or refused for an outdated translation: the admin shows it
(the field, the publication panel, a filter and a count on every list) and asks
for a confirmation before publishing a language that has one.

The rows are written in the save of the object (``Part.save``), only when a
translated text changed, without reading first (an insert that keeps an existing
row where a row may or may not exist): up to three queries per save, or per batch
of saves (``batch()``: the admin's form with its inlines, a grid).

Written by hand: django-modeltranslation keeps no history, and
django-reversion's versions are whole-object snapshots per save, not "which source
did this translation come from"; wagtail-localize's segment model is the nearest
design (a source per string, translations pointing at it).
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from html import unescape

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import format_html_join, strip_tags
from django.utils.translation import gettext_lazy as _

from publication.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    column,
    translated_fields,
)
from richtext import is_empty

# Fields whose language versions are not translations of each other: a slug is
# made from its own language's title.
NOT_TRANSLATIONS = frozenset({"slug"})


class TranslationSource(models.Model):
    """The default-language text that ``field`` of an object in ``locale``
    translates (for ``locale`` the default language: its current text)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=64)
    locale = models.CharField(max_length=16)
    # Where the object is edited and listed: itself, or the one publishable
    # object a part belongs to (an article for its block): the lists' filter and
    # counts, and the publication panel, read by it.
    root_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    root_id = models.PositiveBigIntegerField()
    digest = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("translation source")
        verbose_name_plural = _("translation sources")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "locale"],
                name="publication_translationsource_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["root_type", "locale", "root_id"],
                name="publication_ts_root",
            )
        ]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} {self.field} [{self.locale}]"


def digest(text: str | None) -> str:
    return hashlib.sha256((text or "").strip().encode()).hexdigest()


def tracked_fields(model: type[models.Model]) -> list[str]:
    return [name for name in translated_fields(model) if name not in NOT_TRANSLATIONS]


# The rows to write, by key, while a batch is open (``batch()``): the admin's
# save of a form and its inlines, or of a grid, writes them in three queries at
# most instead of up to three per object saved.
_pending: ContextVar[dict | None] = ContextVar("outdated_pending", default=None)

UPSERT, INSERT, DELETE = "upsert", "insert", "delete"


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Write the rows of every save inside at the end (nested: the outermost)."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set({})
    try:
        yield
        pending = _pending.get()
    finally:
        _pending.reset(token)
    _write(pending)


def note_save(obj: models.Model, before: dict | None, root: models.Model) -> None:
    """Record what the translations ``obj``'s save wrote translate (``before``:
    the columns as loaded, None for a new object; ``root``: where ``obj`` is
    edited and listed, itself or the one publishable object a part belongs to).
    Writes only: what it cannot know without reading (is there a row already?)
    is left to the database (an insert that keeps an existing row)."""
    fields = tracked_fields(type(obj))
    if not fields:
        return
    if before is not None and all(
        before.get(name) == obj.__dict__.get(name)
        for name in (column(f, code) for f in fields for code in LANGUAGE_CODES)
        if name in before
    ):
        return
    content_type = ContentType.objects.get_for_model(type(obj))
    root_type = ContentType.objects.get_for_model(type(root))
    now = timezone.now()
    ops: dict[tuple, tuple] = {}

    def row(name: str, code: str, text: str) -> TranslationSource:
        return TranslationSource(
            content_type=content_type,
            object_id=obj.pk,
            field=name,
            locale=code,
            root_type=root_type,
            root_id=root.pk,
            digest=digest(text),
            text=text or "",
            recorded_at=now,
        )

    for name in fields:
        source_column = column(name, DEFAULT_LANGUAGE)
        source = obj.__dict__.get(source_column) or ""
        old_source = source if before is None else before.get(source_column) or ""
        source_changed = digest(source) != digest(old_source)
        translated = False
        for code in LANGUAGE_CODES:
            if code == DEFAULT_LANGUAGE:
                continue
            target_column = column(name, code)
            target = obj.__dict__.get(target_column)
            key = (content_type.pk, obj.pk, name, code)
            written = before is None or target != before.get(target_column)
            if is_empty(target):
                if written and before is not None:
                    ops[key] = (DELETE,)
            elif written:
                # A translation written now translates the source as it is now.
                ops[key] = (UPSERT, row(name, code, source))
                translated = True
            elif source_changed:
                # Its source changes under it. Written before sources were
                # recorded, it has no row: it gets one with the text it had.
                ops[key] = (INSERT, row(name, code, old_source))
                translated = True
        if translated or source_changed:
            key = (content_type.pk, obj.pk, name, DEFAULT_LANGUAGE)
            ops[key] = (UPSERT, row(name, DEFAULT_LANGUAGE, source))
    if not ops:
        return
    pending = _pending.get()
    if pending is None:
        _write(ops)
        return
    for key, op in ops.items():
        # An insert keeps what is there: it never replaces a pending write.
        if op[0] != INSERT or key not in pending:
            pending[key] = op


def _write(ops: dict[tuple, tuple]) -> None:
    deletes = [key for key, op in ops.items() if op[0] == DELETE]
    inserts = [op[1] for op in ops.values() if op[0] == INSERT]
    upserts = [op[1] for op in ops.values() if op[0] == UPSERT]
    if deletes:
        match = Q(pk__in=[])
        for content_type, object_id, field, locale in deletes:
            match |= Q(
                content_type=content_type,
                object_id=object_id,
                field=field,
                locale=locale,
            )
        TranslationSource.objects.filter(match).delete()
    if inserts:
        TranslationSource.objects.bulk_create(inserts, ignore_conflicts=True)
    if upserts:
        TranslationSource.objects.bulk_create(
            upserts,
            update_conflicts=True,
            unique_fields=["content_type", "object_id", "field", "locale"],
            update_fields=["digest", "text", "recorded_at", "root_type", "root_id"],
        )


def _outdated_rows(locale: str | None = None):
    """The rows of translations whose source changed since they were written."""
    current = TranslationSource.objects.filter(
        content_type=OuterRef("content_type"),
        object_id=OuterRef("object_id"),
        field=OuterRef("field"),
        locale=DEFAULT_LANGUAGE,
    ).values("digest")[:1]
    rows = TranslationSource.objects.exclude(locale=DEFAULT_LANGUAGE)
    if locale is not None:
        rows = rows.filter(locale=locale)
    return rows.annotate(current=Subquery(current)).exclude(digest=F("current"))


def outdated_q(model: type[models.Model], locale: str) -> Q:
    """A filter for rows of ``model`` with a translation outdated in ``locale``,
    in themselves or their parts."""
    root_type = ContentType.objects.get_for_model(model)
    ids = _outdated_rows(locale).filter(root_type=root_type).values("root_id")
    return Q(pk__in=ids)


def outdated_keys(models_: Iterable[type[models.Model]]) -> set[tuple]:
    """(model, pk, locale) of every object of ``models_`` with a translation
    outdated in that locale, in itself or its parts. One query."""
    by_type = {ContentType.objects.get_for_model(model).pk: model for model in models_}
    rows = (
        _outdated_rows()
        .filter(root_type__in=list(by_type))
        .values_list("root_type", "root_id", "locale")
        .distinct()
    )
    return {(by_type[kind], pk, locale) for kind, pk, locale in rows}


def outdated_counts(model: type[models.Model]) -> dict[str, int]:
    """Per language, how many objects of ``model`` have an outdated translation."""
    root_type = ContentType.objects.get_for_model(model)
    counts = dict.fromkeys((c for c in LANGUAGE_CODES if c != DEFAULT_LANGUAGE), 0)
    rows = (
        _outdated_rows()
        .filter(root_type=root_type, root_id__in=model._default_manager.values("pk"))
        .values("locale")
        .annotate(objects=models.Count("root_id", distinct=True))
    )
    for row in rows:
        counts[row["locale"]] = row["objects"]
    return counts


@dataclass(frozen=True)
class Outdated:
    """One outdated translation: of ``field`` of ``obj`` in ``locale``, written
    against ``old`` (the source then), the source being ``new`` now."""

    obj: models.Model
    field: str
    locale: str
    old: str
    new: str

    @property
    def column(self) -> str:
        return column(self.field, self.locale)

    @property
    def key(self) -> str:
        """The object, as the panel's "Still correct" names it."""
        return f"{self.obj._meta.label_lower}:{self.obj.pk}"

    def diff_html(self) -> str:
        """The two sources, word by word: removed words in <del>, added in <ins>."""
        return source_diff(self.old, self.new)


def outdated_in(
    root: models.Model, parts: Iterable[models.Model] = ()
) -> dict[str, list[Outdated]]:
    """Per language, the outdated translations of ``root`` and of its ``parts``
    (as the caller has them loaded), in that order. One query."""
    by_key = {
        (ContentType.objects.get_for_model(type(obj)).pk, obj.pk): obj
        for obj in (root, *parts)
    }
    order = {key: index for index, key in enumerate(by_key)}
    rows = _outdated_rows().filter(
        root_type=ContentType.objects.get_for_model(type(root)), root_id=root.pk
    )
    found: dict[str, list[Outdated]] = {code: [] for code in LANGUAGE_CODES}
    for row in sorted(
        rows, key=lambda r: (order.get((r.content_type_id, r.object_id), 0), r.pk)
    ):
        obj = by_key.get((row.content_type_id, row.object_id))
        if obj is None:
            continue
        source = obj.__dict__.get(column(row.field, DEFAULT_LANGUAGE)) or ""
        found[row.locale].append(
            Outdated(
                obj=obj, field=row.field, locale=row.locale, old=row.text, new=source
            )
        )
    return found


def forget(obj: models.Model) -> None:
    """``obj`` is deleted: its rows go, and those of its parts (deleted with it
    by the database's cascade, with no delete() of their own)."""
    content_type = ContentType.objects.get_for_model(type(obj))
    TranslationSource.objects.filter(
        Q(content_type=content_type, object_id=obj.pk)
        | Q(root_type=content_type, root_id=obj.pk)
    ).delete()


def confirm(obj: models.Model, field: str, locale: str) -> bool:
    """The translation of ``field`` in ``locale`` still holds for the source as it
    is now: it is no longer outdated. False if there was nothing to confirm."""
    source = obj.__dict__.get(column(field, DEFAULT_LANGUAGE)) or ""
    content_type = ContentType.objects.get_for_model(type(obj))
    updated = (
        TranslationSource.objects.filter(
            content_type=content_type, object_id=obj.pk, field=field, locale=locale
        )
        .exclude(digest=digest(source))
        .update(digest=digest(source), text=source, recorded_at=timezone.now())
    )
    return bool(updated)


def source_diff(old: str, new: str) -> str:
    """``old`` and ``new`` as one escaped text with the words removed in <del> and
    the words added in <ins> (rich text compared as the text it shows)."""
    before, after = _words(old), _words(new)
    pieces = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("span", " ".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("del", " ".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(("ins", " ".join(after[b1:b2])))
    return format_html_join(" ", "<{0}>{1}</{0}>", pieces)


def _words(text: str | None) -> list[str]:
    return unescape(strip_tags((text or "").replace("</", " </"))).split()
