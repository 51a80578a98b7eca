"""History and deletion in the admin (django-reversion): versions saved on every
admin save, publish action and grid save; a version reverted whole or for one
language only; deleted objects recovered with their parts; and deletions refused
while published content depends on the object. Used by ``publication.admin``'
admin base classes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import reversion
from django.contrib import messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from publication import roles, tasks
from publication.languages import LANGUAGE_CODES, column, language_name
from publication.models import (
    Part,
    Publishable,
    complete_field,
    deferred_completeness,
    published_field,
    translated_fields,
)

# History (django-reversion): versions, revert, revert one language, recovery.


@dataclass
class LanguageChange:
    """What restoring one language from a version changes on one object: the
    (label, column, value now, value restored) of each column that differs."""

    obj: models.Model
    fields: list[tuple[str, str, object, object]] = field(default_factory=list)


def version_model(version: Version) -> type[models.Model] | None:
    """The model a version stores (None if it no longer exists), from Django's
    shared content type cache."""
    return ContentType.objects.get_for_id(version.content_type_id).model_class()


def _current(version: Version) -> models.Model | None:
    model = version_model(version)
    if model is None:
        return None
    return model._default_manager.filter(pk=version.object_id).first()


def language_changes(
    revision: Revision, code: str
) -> tuple[list[LanguageChange], list[str]]:
    """What restoring language ``code`` from ``revision`` would change, object by
    object (the object first, then its parts), and what it cannot restore: parts
    with text that were deleted since (bringing one back would change every
    language; a full revert does that)."""
    changes, gone = [], []
    for version in revision.version_set.all():
        model = version_model(version)
        names = translated_fields(model) if model is not None else ()
        if not names:
            continue
        obj = _current(version)
        if obj is None:
            gone.append(version.object_repr)
            continue
        # The columns as stored: a language added since has no column in an older
        # version, and is left as it is.
        stored = json.loads(version.serialized_data)[0]["fields"]
        change = LanguageChange(obj)
        for name in names:
            name_in = column(name, code)
            if name_in not in stored:
                continue
            then, now = stored[name_in], getattr(obj, name_in)
            if (then or "") != (now or ""):
                label = str(model._meta.get_field(name).verbose_name)
                change.fields.append((label, name_in, now, then))
        if change.fields:
            changes.append(change)
    changes.sort(
        key=lambda c: (
            not isinstance(c.obj, Publishable),
            c.obj._meta.label,
            getattr(c.obj, "position", 0),
            c.obj.pk,
        )
    )
    return changes, sorted(gone)


def restore_language(changes: list[LanguageChange]) -> None:
    """Write the restored columns through each object's ``save()``, parts before
    the objects they belong to: the publication rules check the result (a
    published language must stay complete) and the content version moves on
    commit, as for any admin save."""
    with deferred_completeness():
        for change in sorted(changes, key=lambda c: isinstance(c.obj, Publishable)):
            for _label, name, _now, then in change.fields:
                setattr(change.obj, name, then)
            change.obj.save()


def revision_roots(revision: Revision) -> list[Publishable]:
    """The publishable objects whose content a revision holds (its own objects, the
    roots of its parts) and those that embed them, as stored now."""
    roots: dict[tuple[type, int], Publishable] = {}
    for version in revision.version_set.all():
        obj = _current(version)
        if not isinstance(obj, Part):
            continue
        if isinstance(obj, Publishable):
            found = [obj, *obj.embedders()]
        else:
            found = list(obj.publication_roots())
        for root in found:
            roots.setdefault((type(root), root.pk), root)
    return list(roots.values())


def settle_revert(revision: Revision, audience: dict[tuple[type, int], set]) -> None:
    """After a whole version was put back (reversion writes rows as stored, past
    every ``save()``): apply the publication rules to what it touched, refresh the
    stored completeness and move the content version, as an admin save does.

    ``audience`` holds the languages each root was published in before. A revert
    restores the working copy, never publication: reversion writes the version's
    ``published_<locale>`` flags back with the rest, so each object that existed
    before gets its flags back as they were (its published versions never moved),
    and a recovered object (not there before, so with no published version) comes
    back unpublished. The working copy may be incomplete where it is published:
    what readers see is its published version until it is published again.
    """
    roots = revision_roots(revision)
    problems = {}
    for root in roots:
        before = audience.get((type(root), root.pk), ())
        for code in LANGUAGE_CODES:
            setattr(root, published_field(code), code in before)
        problems[root] = root.completeness_problems()
    now = timezone.now()
    for root in roots:
        # The flags and the stored completeness in one write.
        type(root)._default_manager.filter(pk=root.pk).update(
            **{
                published_field(code): getattr(root, published_field(code))
                for code in LANGUAGE_CODES
            },
            **{
                complete_field(code): not problems[root][code]
                for code in LANGUAGE_CODES
            },
        )
        root._published_in_db = frozenset(root.published_languages)
        before = audience.get((type(root), root.pk), ())
        root.refresh_completeness(public=bool(root.published_languages or before))
        # A publish time put back that is still to come needs its task, as a
        # save's (a time the version shares with the present one gets a second,
        # which finds the same time and bumps once more).
        tasks.schedule(root, [when for when in root.publication_times() if when > now])


class HistoryAdminMixin(VersionAdmin):
    """History of every change, revert to a version, revert one language of a
    version, and recovery of deleted objects with their parts.

    Models are registered in their app's ``ready()`` with the parts they follow
    (``content.apps.register_history``); the admin registers nothing itself. A
    version is added once a save has gone through, never while it is attempted, so
    a refused save (re-displayed with what was typed) leaves no version; one is
    also saved for each publish/unpublish action, for each grid save, and right
    before a deletion, so that whatever is deleted can be recovered.
    """

    object_history_template = "admin/history/object_history.html"
    revert_language_template = "admin/history/revert_language.html"
    history_latest_first = True

    def reversion_register(self, model, **kwargs):
        """Registration happens in the apps' ``ready()``, not here."""

    @contextmanager
    def create_revision(self, request) -> Iterator[None]:
        # A page that only shows saves nothing: no revision (and no transaction).
        if request.method in ("GET", "HEAD"):
            yield
            return
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            yield

    def history_parts(self, obj) -> list[models.Model]:
        """The inline rows of ``obj``, fetched with what their names show.

        A version stores each row's name (``object_repr``); reached through the
        registration's ``follow`` alone, a fact would load its criterion, a
        comparison column its method, one query per row. Added first, the rows
        are not serialized again when the object's ``follow`` reaches them.
        """
        if obj.pk is None:
            return []
        parts = []
        for inline in self.inlines:
            [link] = [
                f
                for f in inline.model._meta.fields
                if f.is_relation
                and f.related_model is self.model
                and (inline.fk_name is None or f.name == inline.fk_name)
            ]
            rows = inline.model._default_manager.filter(**{link.name: obj})
            related = getattr(inline, "select_related", ())
            parts.extend(rows.select_related(*related) if related else rows)
        return parts

    def revision_objects(self, obj) -> list[models.Model]:
        """What a version of ``obj`` holds: the object, its parts, and (in
        subclasses) what it shows that belongs to others."""
        return [*self.history_parts(obj), obj]

    def record_history(
        self, request, obj, comment: str, *, objects: Iterable | None = None
    ) -> None:
        """Save a version of ``obj`` now, in a revision of its own."""
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            reversion.set_comment(comment)
            for item in self.revision_objects(obj) if objects is None else objects:
                reversion.add_to_revision(item)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._add_saved(obj, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._add_saved(obj, entry)
        return entry

    def _add_saved(self, obj, entry) -> None:
        if not reversion.is_active():
            return
        # The admin's structured message, not its English rendering: the history
        # page shows it in each reader's language (Revision.get_comment).
        reversion.set_comment(entry.change_message)
        for item in self.revision_objects(obj):
            reversion.add_to_revision(item)

    def changelist_view(self, request, extra_context=None):
        # No revision around the list (VersionAdmin opens one): the actions save
        # their own, and a bulk delete must save each object's version before the
        # object is gone (a revision closed after the delete would drop it).
        context = {
            "has_change_permission": self.has_change_permission(request),
            **(extra_context or {}),
        }
        return super(VersionAdmin, self).changelist_view(request, context)

    def delete_model(self, request, obj):
        # Only the object and what it follows: what it merely shows (a
        # comparison's cells, which belong to the methods) is not deleted with it,
        # and recovering it must not overwrite them.
        self.record_history(
            request, obj, gettext("Deleted."), objects=self.deleted_objects(obj)
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.record_history(
                request, obj, gettext("Deleted."), objects=self.deleted_objects(obj)
            )
        super().delete_queryset(request, queryset)

    def deleted_objects(self, obj) -> list[models.Model]:
        return [*self.history_parts(obj), obj]

    # Revert a whole version, recover a deleted object.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A whole version's revert changes every language and the structure:
        # the full editor's (a translator reverts their language only).
        if request.method == "POST" and not roles.is_editor(request.user, self.model):
            raise PermissionDenied
        self._prepare_revert(request, version_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if request.method == "POST" and not roles.is_editor(request.user, self.model):
            raise PermissionDenied
        self._prepare_revert(request, version_id)
        return super().recover_view(request, version_id, extra_context)

    def _prepare_revert(self, request, version_id) -> None:
        version = Version.objects.select_related("revision").filter(pk=version_id)
        version = version.first()
        if request.method == "POST" and version is not None:
            audience = {
                (type(root), root.pk): set(root.published_languages)
                for root in revision_roots(version.revision)
            }
            request._history_revert = (version.revision, audience)

    def save_model(self, request, obj, form, change):
        pending = getattr(request, "_history_revert", None)
        before = pending[1].get((type(obj), obj.pk)) if pending else None
        if before is not None:
            # reversion wrote the version's publication flags back with its
            # content; a revert restores content only (settle_revert).
            for code in LANGUAGE_CODES:
                setattr(obj, published_field(code), code in before)
            obj._published_in_db = frozenset(before)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pending = getattr(request, "_history_revert", None)
        if pending is not None:
            settle_revert(*pending)

    # Revert one language.

    def get_urls(self):
        # reversion's own routes are regexes with unnamed groups; the same views
        # under path() routes with named parameters, and one to revert a language.
        opts = self.model._meta
        info = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        history = [
            path("recover/", view(self.recoverlist_view), name=f"{info}_recoverlist"),
            path(
                "recover/<int:version_id>/",
                view(self.recover_view),
                name=f"{info}_recover",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/",
                view(self.revision_view),
                name=f"{info}_revision",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/language/<str:code>/",
                view(self.revert_language_view),
                name=f"{info}_revert_language",
            ),
        ]
        names = {route.name for route in history}
        return [
            *history,
            *(url for url in super().get_urls() if url.name not in names),
        ]

    def revert_language_url(self, object_id, version_id, code: str) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
            "_revert_language",
            args=[quote(object_id), version_id, code],
        )

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None)
        if not context or "action_list" not in context:
            return response
        obj = context.get("object")
        can_change = obj is not None and self.has_change_permission(request, obj)
        versions = dict(
            Version.objects.get_for_object(obj).values_list("revision_id", "pk")
            if obj is not None
            else ()
        )
        for action in context["action_list"]:
            version_id = versions.get(action["revision"].pk)
            action["languages"] = (
                [
                    (code, language_name(code))
                    + (self.revert_language_url(obj.pk, version_id, code),)
                    for code in LANGUAGE_CODES
                ]
                if can_change and version_id
                else []
            )
        return response

    def revert_language_view(self, request, object_id, version_id, code):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No such object."))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if code not in LANGUAGE_CODES:
            raise Http404(gettext("Unknown language."))
        if request.method == "POST" and not roles.may_write(
            request.user, self.model, code
        ):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_object(obj).select_related("revision__user"),
            pk=version_id,
        )
        revision = version.revision
        when = localize(template_localtime(revision.date_created))
        opts = self.model._meta
        change_url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
            args=[quote(obj.pk)],
        )
        changes, gone = language_changes(revision, code)
        errors: list[str] = []
        if request.method == "POST" and changes:
            message = gettext(
                "Restored the %(language)s text of the version of %(date)s."
            ) % {"language": language_name(code), "date": when}
            try:
                with transaction.atomic():
                    restore_language(changes)
                    fresh = self.model._default_manager.get(pk=obj.pk)
                    self.log_change(request, fresh, message)
                    self.record_history(request, fresh, message)
            except ValidationError as error:
                errors = error.messages
            except IntegrityError:
                errors = [
                    gettext(
                        "Could not restore: a value in %(language)s (a slug, for "
                        "example) is now used by another object. Change it there "
                        "first."
                    )
                    % {"language": language_name(code)}
                ]
            else:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": obj,
            "object_id": quote(obj.pk),
            "title": gettext("Restore the %(language)s text of %(object)s")
            % {"language": language_name(code), "object": obj},
            "language": code,
            "language_label": language_name(code),
            "revision": revision,
            "when": when,
            "changes": [
                {
                    "object": change.obj.describe(),
                    "fields": [
                        {"label": label, "now": now or "", "then": then or ""}
                        for label, _name, now, then in change.fields
                    ],
                }
                for change in changes
            ],
            "gone": gone,
            "errors": errors,
            "change_url": change_url,
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.revert_language_template, context)


# Deletion: refused while published content depends on the object.


def published_referrers(obj: models.Model) -> list[Publishable]:
    """Published objects that list ``obj`` through a plain many-to-many link (an
    FAQ item's methods, a cause type's usual methods): deleting ``obj`` would
    silently take it out of them. Links through a part of their own (comparison
    columns and rows) are foreign keys, protected by the database."""
    published = Q()
    for code in LANGUAGE_CODES:
        published |= Q(**{published_field(code): True})
    found: list[Publishable] = []
    for rel in obj._meta.related_objects:
        if not rel.many_to_many or not rel.through._meta.auto_created:
            continue
        if not issubclass(rel.related_model, Publishable):
            continue
        referrers = rel.related_model._default_manager.filter(
            published, **{rel.field.name: obj}
        )
        found.extend(referrers)
    # A label whose published versions keep a copy of it (an image) names the
    # objects whose published version shows it, whatever their working copy.
    showing = getattr(obj, "published_showing", None)
    if showing is not None:
        found.extend(other for other in showing() if other not in found)
    return found


def describe(obj: models.Model) -> str:
    return obj.describe() if isinstance(obj, Part) else str(obj)


def deletion_refusals(objects: Iterable[models.Model]) -> list[str]:
    refusals = []
    for obj in objects:
        users = [
            gettext("%(object)s (published in %(languages)s)")
            % {
                "object": describe(user),
                "languages": ", ".join(
                    language_name(code) for code in user.published_languages
                ),
            }
            for user in published_referrers(obj)
        ]
        if users:
            refusals.append(
                gettext(
                    "Cannot delete %(object)s: published content lists it: "
                    "%(users)s. Remove it from those first, or unpublish them."
                )
                % {"object": describe(obj), "users": "; ".join(users)}
            )
    return refusals


def delete_unless_referenced(modeladmin, request, queryset):
    """Django's "delete selected" action, refused for objects that published
    content lists (see ``published_referrers``)."""
    refusals = deletion_refusals(queryset)
    if refusals:
        for refusal in refusals:
            modeladmin.message_user(request, refusal, messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


class ProtectedDeletionMixin:
    """Deleting something that published content depends on is refused, never
    cascaded: references by foreign key are ``on_delete=PROTECT`` (Django's delete
    page then lists what depends on the object, named here by what it belongs
    to); references by many-to-many link are checked here."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions[name] = (delete_unless_referenced, name, description)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusals = deletion_refusals([obj]) if obj is not None else []
        if refusals:
            for refusal in refusals:
                self.message_user(request, refusal, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(obj.pk)],
                )
            )
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        if protected:
            protected = self._describe_protected(objs)
        deleted, counts = without_link_rows(self.model, deleted, counts)
        return deleted, counts, perms_needed, protected

    def _describe_protected(self, objs) -> list[str]:
        """Name each protected object by what it belongs to: "Block 3 “Bottom
        line” of article “…”", not only "block: Bottom line"."""
        from django.contrib.admin.utils import NestedObjects

        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(list(objs))
        names = []
        for obj in sorted(collector.protected, key=lambda o: (o._meta.label, o.pk)):
            roots = (
                list(obj.publication_roots())
                if isinstance(obj, Part) and not isinstance(obj, Publishable)
                else []
            )
            name = describe(obj)
            if roots:
                name = gettext("%(part)s of %(roots)s") % {
                    "part": name,
                    "roots": ", ".join(describe(root) for root in roots),
                }
            names.append(name)
        return names


class UnlistedLinkRowsMixin:
    """A delete page without the rows of Django's many-to-many link tables (for
    an admin that is not ``ProtectedDeletionMixin``'s: a group's permissions)."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        deleted, counts = without_link_rows(self.model, deleted, counts)
        return deleted, counts, perms_needed, protected


def without_link_rows(model, deleted: list, counts: dict) -> tuple[list, dict]:
    """The delete page's list and counts without the rows of the many-to-many
    link tables Django made for ``model`` (an FAQ item's articles): they are not
    something an editor deletes, and Django names them in English only
    ("Faqitem-article relationship: FAQItem_articles object (1)"). The links go
    with the object, unlisted."""
    tables = link_tables(model)
    links = {str(capfirst(through._meta.verbose_name)) + ": " for through in tables}
    plurals = {str(through._meta.verbose_name_plural) for through in tables}
    counts = {name: n for name, n in counts.items() if str(name) not in plurals}
    return _without(deleted, links), counts


def link_tables(model) -> list:
    """The many-to-many link tables Django made for ``model``'s relations, both
    ways (``FAQItem_articles``)."""
    tables = []
    for relation in model._meta.get_fields():
        if not relation.many_to_many:
            continue
        through = (
            relation.remote_field.through if relation.concrete else relation.through
        )
        if through is not None and through._meta.auto_created:
            tables.append(through)
    return tables


def _without(nested: list, prefixes: set[str]) -> list:
    """``nested`` (the delete page's list of lists) without the entries that
    start with one of ``prefixes``."""
    kept = []
    for entry in nested:
        if isinstance(entry, list):
            inner = _without(entry, prefixes)
            if inner:
                kept.append(inner)
        elif not any(str(entry).startswith(prefix) for prefix in prefixes):
            kept.append(entry)
    return kept
