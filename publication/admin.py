"""Admin plumbing shared by every content admin: per-language status columns and
filters, publish/unpublish actions per language, search over every language,
refusals of the publication rules shown as form errors with nothing typed lost, and
the admin base classes, which add history and protected deletion
(``publication.history``)."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from publication import content_version, outdated, preview, roles
from publication.conflicts import ConflictAdminMixin
from publication.content_version import content_changed
from publication.history import HistoryAdminMixin, ProtectedDeletionMixin
from publication.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    LANGUAGE_NAMES,
    column,
    editor_language,
    language_name,
    translated_fields,
)
from publication.models import (
    Publishable,
    changed_field,
    complete_field,
    deferred_completeness,
    missing_field_names,
    missing_fields,
    missing_q,
    published_field,
)
from runtime.adapters import adminsortable2 as adapters


def translated_search_fields(*fields: str) -> list[str]:
    """Search every language's column of each field."""
    return [column(field, code) for field in fields for code in LANGUAGE_CODES]


class LanguageFilter(admin.SimpleListFilter):
    """A list filter whose choices are the content languages."""

    def lookups(self, request, model_admin):
        return [(code, language_name(code)) for code in LANGUAGE_CODES]

    def queryset(self, request, queryset):
        code = self.value()
        return self.filter(queryset, code) if code in LANGUAGE_CODES else queryset


class MissingInLanguageFilter(LanguageFilter):
    title = _("missing in")
    parameter_name = "missing_in"

    def filter(self, queryset, code):
        if issubclass(queryset.model, Publishable):
            return queryset.incomplete(code)
        return queryset.filter(missing_q(queryset.model, code))


class PublishedInLanguageFilter(LanguageFilter):
    title = _("published in")
    parameter_name = "published_in"

    def filter(self, queryset, code):
        return queryset.filter(**{published_field(code): True})


class ChangedInLanguageFilter(LanguageFilter):
    """Objects whose working copy differs from what is published in the language:
    edits an editor still has to publish (the stored ``changed_<code>`` flag)."""

    title = _("changed since published in")
    parameter_name = "changed_in"

    def filter(self, queryset, code):
        return queryset.filter(**{changed_field(code): True})


class OutdatedInLanguageFilter(LanguageFilter):
    """Objects with a translation written against an English text that has
    changed since (in themselves or their parts; ``publication.outdated``). Each
    language is offered with its count, so every list shows how many there are."""

    title = _("outdated in")
    parameter_name = "outdated_in"

    def lookups(self, request, model_admin):
        counts = outdated.outdated_counts(model_admin.model)
        return [
            (code, f"{language_name(code)} ({counts[code]})")
            for code in LANGUAGE_CODES
            if code in counts
        ]

    def filter(self, queryset, code):
        return queryset.filter(outdated.outdated_q(queryset.model, code))


def _status_column(code: str):
    """A changelist column for language ``code``, from stored flags only (no query)."""

    def status(obj):
        if isinstance(obj, Publishable):
            complete = getattr(obj, complete_field(code))
            if getattr(obj, published_field(code)):
                # Before "scheduled": a version waiting for its time does not
                # hold the edits made since either.
                if getattr(obj, changed_field(code)):
                    symbol, text = "◐", gettext("published, changed since")
                elif obj.publish_at > timezone.now():
                    symbol, text = "◷", gettext("scheduled")
                else:
                    symbol, text = "●", gettext("published")
            elif complete:
                symbol, text = "○", gettext("complete, not published")
            else:
                symbol, text = "✕", gettext("missing translations")
        elif missing_fields(obj, code):
            symbol, text = "✕", gettext("missing translations")
        else:
            symbol, text = "✓", gettext("complete")
        return format_html(
            '<span title="{}" class="lang-status">{}</span>', text, symbol
        )

    status.short_description = code.upper()
    status.__name__ = f"status_{code.replace('-', '_')}"
    return status


LANGUAGE_STATUS_COLUMNS = [_status_column(code) for code in LANGUAGE_CODES]


def snapshot_text(value) -> str:
    """A value of a snapshot as the changes page shows it: text as stored (rich
    text as its HTML source, which the template escapes, so that a changed tag or
    link shows too), links as ids, a part added or removed as its non-empty
    fields, one a line."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "\n".join(
            f"{name}: {snapshot_text(item)}"
            for name, item in value.items()
            if name != "id" and item not in (None, "", [])
        )
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _publication_action(code: str, *, publish: bool):
    def action(modeladmin, request, queryset):
        if not roles.may_publish(request.user, code):
            modeladmin.message_user(
                request,
                gettext("You may not publish or unpublish in %(languages)s.")
                % {"languages": language_name(code)},
                messages.ERROR,
            )
            return
        done, refused = 0, []
        # A list action has no place to confirm an outdated translation: those
        # objects are published from their own page (the panel asks).
        stale = outdated.outdated_keys([queryset.model]) if publish else set()
        for obj in queryset:
            if (type(obj), obj.pk, code) in stale:
                refused.append(
                    format_html(
                        "{}: {}",
                        obj.describe(),
                        gettext(
                            "it has a translation whose English text changed since "
                            "it was translated: publish it from its page, which "
                            "shows what changed and asks to confirm."
                        ),
                    )
                )
                continue
            try:
                with transaction.atomic(), deferred_completeness():
                    if publish:
                        obj.publish(code, user=request.user)
                    else:
                        obj.unpublish(code)
                    if isinstance(modeladmin, HistoryAdminMixin):
                        modeladmin.record_history(
                            request, obj, str(action.short_description)
                        )
                done += 1
            except ValidationError as error:
                refused.append(
                    format_html("{}: {}", obj.describe(), " ".join(error.messages))
                )
        if done:
            modeladmin.message_user(
                request,
                (
                    gettext("Published %(count)d object(s) in %(language)s.")
                    if publish
                    else gettext("Unpublished %(count)d object(s) in %(language)s.")
                )
                % {"count": done, "language": language_name(code)},
                messages.SUCCESS,
            )
        for message in refused:
            modeladmin.message_user(request, message, messages.ERROR)

    verb = _("Publish in {language}") if publish else _("Unpublish in {language}")
    action.short_description = format_lazy(verb, language=LANGUAGE_NAMES[code])
    action.__name__ = (
        f"{'publish' if publish else 'unpublish'}_{code.replace('-', '_')}"
    )
    action.allowed_permissions = ("change",)
    return action


PUBLICATION_ACTIONS = [
    _publication_action(code, publish=publish)
    for publish in (True, False)
    for code in LANGUAGE_CODES
]


# What the change form never writes: publication is done from the change page's
# publication panel (``PublicationAdminMixin.publication_view``), so a stale copy
# of the form cannot publish or unpublish anything.
PUBLICATION_COLUMNS = (
    "publish_at",
    *[published_field(code) for code in LANGUAGE_CODES],
)


def when(time) -> str:
    return localize(timezone.localtime(time))


def version_state(versions: list, now) -> tuple[str, str]:
    """A language's state from its published versions (oldest first): what
    readers see now, and what is scheduled to change it."""
    live = next(
        (
            v
            for v in versions
            if v.visible_from <= now
            and (v.visible_until is None or v.visible_until > now)
        ),
        None,
    )
    pending = next((v for v in versions if v.visible_from > now), None)
    if live is None and pending is None:
        return gettext("not published"), "not-published"
    if live is None:
        return (
            gettext("scheduled for %(time)s") % {"time": when(pending.visible_from)},
            "scheduled",
        )
    if pending is not None:
        return (
            gettext("published; the new version goes live at %(time)s")
            % {"time": when(pending.visible_from)},
            "scheduled",
        )
    if live.visible_until is not None:
        return (
            gettext("published until %(time)s") % {"time": when(live.visible_until)},
            "scheduled",
        )
    return gettext("published"), "published"


def missing_groups(obj, parts, prefixes: dict, code: str, problems: list[str]):
    """What ``obj`` lacks in ``code``, grouped by where: the object's own fields,
    then each part's (a block, a list item), each field with the form field it
    is (``data-field``: its column; for a part, the inline's prefix and the
    part's primary key, which the change page's script resolves to the form row),
    then what is not a field of this page (an embedded object not published)."""
    groups, fields_named = [], set()
    places = [(obj, None), *((part, prefixes.get(type(part))) for part in parts)]
    for place, prefix in places:
        names = missing_field_names(place, code)
        if not names:
            continue
        fields = []
        for name in names:
            label = str(place._meta.get_field(name).verbose_name)
            fields_named.add(label if place is obj else f"{place.describe()}: {label}")
            fields.append(
                {
                    "label": label,
                    "column": column(name, code),
                    "prefix": prefix or "",
                    "pk": "" if place is obj else place.pk,
                    "linked": place is obj or prefix is not None,
                }
            )
        groups.append(
            {"where": "" if place is obj else place.describe(), "fields": fields}
        )
    others = [problem for problem in problems if problem not in fields_named]
    if others:
        groups.append({"where": gettext("Other content"), "others": others})
    return groups


def outdated_entry(obj, item: outdated.Outdated, prefixes: dict) -> dict:
    """An outdated translation as the panel and the change page show it: where,
    which field (with what finds it on the page), and the two sources diffed."""
    is_part = item.obj is not obj
    prefix = prefixes.get(type(item.obj)) if is_part else None
    return {
        "where": item.obj.describe() if is_part else "",
        "label": str(item.obj._meta.get_field(item.field).verbose_name),
        "column": item.column,
        "prefix": prefix or "",
        "pk": item.obj.pk if is_part else "",
        "linked": not is_part or prefix is not None,
        "diff": item.diff_html(),
        "object": item.key,
        "field": item.field,
        "locale": item.locale,
    }


def outdated_name(obj, item: outdated.Outdated) -> str:
    label = str(item.obj._meta.get_field(item.field).verbose_name)
    return label if item.obj is obj else f"{item.obj.describe()}: {label}"


class PublicationForm(forms.Form):
    """What the publication panel posts: ``publish`` or ``unpublish`` with one
    language (its buttons), or several ``languages`` with an optional time."""

    publish = forms.ChoiceField(required=False, choices=[])
    unpublish = forms.ChoiceField(required=False, choices=[])
    languages = forms.MultipleChoiceField(required=False, choices=[])
    # With ``languages``: unpublish them (at ``publish_at``) rather than publish.
    unpublish_selected = forms.BooleanField(required=False)
    publish_at = forms.DateTimeField(required=False)
    # The languages the editor publishes knowing they have outdated translations
    # ("all": every language chosen).
    outdated_confirmed = forms.MultipleChoiceField(required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(code, language_name(code)) for code in LANGUAGE_CODES]
        self.fields["outdated_confirmed"].choices = [*choices, ("all", "all")]
        for name in ("publish", "unpublish", "languages"):
            self.fields[name].choices = (
                choices if name == "languages" else [("", ""), *choices]
            )

    def clean(self):
        cleaned = super().clean()
        publish, unpublish = cleaned.get("publish"), cleaned.get("unpublish")
        languages = cleaned.get("languages") or []
        if self.errors:
            return cleaned
        if sum(bool(x) for x in (publish, unpublish, languages)) != 1:
            raise ValidationError(
                gettext(
                    "Choose one language to publish or unpublish, or check the "
                    "languages to publish in."
                )
            )
        return cleaned

    @property
    def codes(self) -> list[str]:
        data = self.cleaned_data
        chosen = data.get("languages") or [data.get("publish") or data["unpublish"]]
        return [code for code in LANGUAGE_CODES if code in chosen]

    def confirmed_outdated(self, code: str) -> bool:
        confirmed = self.cleaned_data.get("outdated_confirmed") or []
        return code in confirmed or "all" in confirmed

    @property
    def publishing(self) -> bool:
        data = self.cleaned_data
        return not (data.get("unpublish") or data.get("unpublish_selected"))


class NoRequiredLanguageMixin:
    """A form requires no language: English is the default language, not a required
    one (DESIGN §3), and a Korea-only FAQ item is normal. modeltranslation makes the
    default language's field required wherever the model's field is; here a form
    field is required only if its model field is (a translation's never is). What a
    language needs is checked when the object is published in it."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.blank:
            field.required = False
        return field


class RefusalAdminMixin:
    """Show a refused save (``ValidationError`` from a model's ``save()``) as an error
    on the re-displayed form, with everything the editor typed still in it.

    The refusal is raised inside the admin's transaction, which rolls back; the view
    then runs once more on the same POST, with a form that carries the refusal as a
    non-field error, so Django re-renders the form and every inline as submitted.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            if request.method != "POST" or hasattr(request, "_save_refused"):
                raise
            request._save_refused = error.messages
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "_save_refused", None)
        if not refusal:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for message in refusal:
                    self.add_error(None, message)
                return cleaned

        return RefusedForm


class LanguageRolesMixin:
    """Per-language roles (``publication.roles``) on a content admin. A
    translator — ``translate_<code>`` without the model's own change permission —
    may open any object and change its texts in their languages only: every
    other field is read-only (what a crafted POST sends for it is ignored, as
    Django ignores read-only fields), and their inlines add, delete and reorder
    nothing. Publishing needs ``publish_<code>`` (``publication_view`` and the
    list actions check it)."""

    def translator_languages(self, request) -> list[str] | None:
        """The languages a translator may write; None for a full editor."""
        if roles.is_editor(request.user, self.model):
            return None
        return roles.translated_languages(request.user)

    def _translates(self, request) -> bool:
        return bool(roles.translated_languages(request.user))

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._translates(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._translates(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self._translates(request)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        languages = self.translator_languages(request)
        if languages is None:
            return fields
        return fields + translator_read_only(self.model, languages, fields)


def translator_read_only(model, languages: list[str], already: tuple) -> tuple:
    """Every editable field of ``model`` but its texts in ``languages``. Not the
    translated fields' own names (``question``): modeltranslation reads those as
    every language's column."""
    texts = set(translated_fields(model))
    writable = {column(name, code) for name in texts for code in languages}
    return tuple(
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and field.name not in texts
        and field.name not in writable
        and field.name not in already
    )


class InlineLanguageRolesMixin:
    """An inline's parts for a translator: their texts in the translator's
    languages only; no part added, deleted or moved."""

    def _editor(self, request) -> bool:
        return roles.is_editor(request.user, self.parent_model)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or bool(
            roles.translated_languages(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or bool(
            roles.translated_languages(request.user)
        )

    def has_add_permission(self, request, obj=None):
        return self._editor(request) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editor(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if self._editor(request):
            return fields
        languages = roles.translated_languages(request.user)
        # The drag-and-drop order stays a (hidden) form field: adminsortable2
        # adds it to every sortable inline's form; get_formset keeps its value.
        order = getattr(self, "default_order_field", None)
        return fields + tuple(
            name
            for name in translator_read_only(self.model, languages, fields)
            if name != order
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        order = getattr(self, "default_order_field", None)
        if order is None or self._editor(request):
            return formset

        class KeepOrderForm(formset.form):
            def clean(self):
                # A translator moves nothing: the stored order, whatever is posted.
                cleaned = super().clean()
                if self.instance.pk is not None and order in cleaned:
                    cleaned[order] = getattr(self.instance, order)
                return cleaned

        formset.form = KeepOrderForm
        return formset


class EditingAdminMixin:
    """The change page's editing aids (clinic/static/admin/editing/editing.js):
    one language switch for the page, the default language's text beside each
    field of another, and, where ``editing_blocks`` says so, the block editor.
    Their labels are translated here and handed to the script in the page's
    config, with the languages named in their own names (한국어, 日本語)."""

    def editing_blocks(self, request, obj) -> dict | None:
        """The block editor's setup for an inline of blocks, or None: the
        inline's ``prefix``, its ``kind_field``, the ``switchable`` fields, the
        ``kinds`` (kind → the switchable fields it shows), the ``choices`` of
        kinds, and how many blocks are ``open`` before the rest are collapsed."""
        return None

    def editing_config(self, request, obj) -> dict:
        default = language_name(DEFAULT_LANGUAGE)
        return {
            "languages": [
                {
                    "code": code,
                    "name": translation.get_language_info(code)["name_local"],
                    "label": language_name(code),
                }
                for code in LANGUAGE_CODES
            ],
            "default": DEFAULT_LANGUAGE,
            # The editor's own language when content has it; the script prefers
            # the one this editor chose last.
            "initial": editor_language(),
            "user": request.user.pk,
            "blocks": self.editing_blocks(request, obj),
            "strings": {
                "switch_label": gettext("Language of the fields"),
                "show_source": gettext("Show the %(language)s text under each field")
                % {"language": default},
                "source_label": gettext("%(language)s:") % {"language": default},
                "expand": gettext("Expand"),
                "collapse": gettext("Collapse"),
                "expand_all": gettext("Expand all blocks"),
                "collapse_all": gettext("Collapse all blocks"),
                "add_block": gettext("Add a block:"),
                "outdated": gettext(
                    "Outdated: the English text changed since this was translated."
                ),
            },
        }

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        context["editing_config"] = self.editing_config(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


class PublicationAdminMixin(RefusalAdminMixin):
    """For publishable models: status columns, filters and actions, and on the
    change page a publication panel whose buttons post to an admin URL of their
    own (``<pk>/publication/``). The change form carries no publication state
    (``PUBLICATION_COLUMNS``): what a stale form could write back is text, never a
    language's publication."""

    list_filter = (
        MissingInLanguageFilter,
        OutdatedInLanguageFilter,
        PublishedInLanguageFilter,
        ChangedInLanguageFilter,
    )
    actions = PUBLICATION_ACTIONS
    exclude = PUBLICATION_COLUMNS
    publication_panel_template = "admin/editing/publication_panel.html"
    changes_template = "admin/editing/changes_since_published.html"

    def get_list_display(self, request):
        return (*super().get_list_display(request), *LANGUAGE_STATUS_COLUMNS)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/publication/",
                self.admin_site.admin_view(self.publication_view),
                name=f"{opts.app_label}_{opts.model_name}_publication",
            ),
            path(
                "<path:object_id>/outdated/",
                self.admin_site.admin_view(self.outdated_view),
                name=f"{opts.app_label}_{opts.model_name}_outdated",
            ),
            path(
                "<path:object_id>/changes/<str:code>/",
                self.admin_site.admin_view(self.changes_view),
                name=f"{opts.app_label}_{opts.model_name}_changes",
            ),
            *super().get_urls(),
        ]

    def _admin_url(self, name: str, obj) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}",
            args=[quote(obj.pk)],
        )

    def publication_panel(self, request, obj) -> dict:
        """Per language: its state in words, what is missing there grouped by
        where it is (the object, each part) with a link to each field, and what
        can be done. A language changed since published links to what changed
        (the stored flag: the diff itself is read on that page only)."""
        parts = list(obj.parts())
        problems = obj.completeness_problems(parts=parts)
        stale = outdated.outdated_in(obj, parts)
        prefixes = self.inline_prefixes(request, obj)
        now = timezone.now()
        versions: dict[str, list] = {}
        for version in obj.versions.order_by("visible_from"):
            versions.setdefault(version.locale, []).append(version)
        rows = []
        for code in LANGUAGE_CODES:
            published = getattr(obj, published_field(code))
            changed = published and getattr(obj, changed_field(code))
            missing = problems[code]
            state, css = version_state(versions.get(code, []), now)
            if published and not versions.get(code):
                state, css = gettext("published"), "published"
            if changed:
                state = gettext("%(state)s — changed since published") % {
                    "state": state
                }
            if stale[code]:
                state = ngettext(
                    "%(state)s — %(count)d translation outdated",
                    "%(state)s — %(count)d translations outdated",
                    len(stale[code]),
                ) % {"state": state, "count": len(stale[code])}
            elif css == "not-published":
                state, css = (
                    (
                        ngettext(
                            "not published: %(count)d field missing",
                            "not published: %(count)d fields missing",
                            len(missing),
                        )
                        % {"count": len(missing)},
                        "missing",
                    )
                    if missing
                    else (gettext("ready to publish"), "ready")
                )
            live = [v for v in versions.get(code, []) if v.visible_from <= now]
            working_slug = (
                getattr(obj, column("slug", code), "") if obj.has_slug else ""
            )
            rows.append(
                {
                    "code": code,
                    "name": language_name(code),
                    "preview_url": preview.preview_url(obj, code),
                    # Publishing moves a published address: the old one answers
                    # ``moved`` after (publication/changes.py).
                    "moves_from": live[-1].slug
                    if live and working_slug and live[-1].slug != working_slug
                    else "",
                    "moves_to": working_slug,
                    "published": published,
                    "changed": changed,
                    "changes_url": self._changes_url(obj, code) if changed else "",
                    "state": state,
                    "css": css,
                    "missing": missing,
                    "missing_groups": missing_groups(
                        obj, parts, prefixes, code, missing
                    ),
                    "outdated": [
                        outdated_entry(obj, item, prefixes) for item in stale[code]
                    ],
                    "can_publish": roles.may_publish(request.user, code),
                }
            )
        return {
            "url": self._admin_url("publication", obj),
            "outdated_url": self._admin_url("outdated", obj),
            "any_outdated": any(row["outdated"] for row in rows),
            "rows": rows,
            "can_change": self.has_change_permission(request, obj),
            "publish_at": timezone.localtime(obj.publish_at),
        }

    def inline_prefixes(self, request, obj) -> dict[type, str]:
        """The form prefix of each inline's model on the change page (``blocks``),
        for links from the panel to a part's field."""
        return {
            inline.model: inline.get_formset(request, obj).get_default_prefix()
            for inline in self.get_inline_instances(request, obj)
        }

    def _changes_url(self, obj, code: str) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changes",
            args=[quote(obj.pk), code],
        )

    def changes_view(self, request, object_id, code):
        """What changed in ``code`` since it was published there, field by field,
        with the published and the working text (anyone who may view the object);
        the publication panel links here."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No such object."))
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if code not in LANGUAGE_CODES:
            raise Http404(gettext("Unknown language."))
        version = obj.published_version(code)
        changes = obj.changes_since_published(code) if version else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": gettext("Changes since published in %(language)s")
            % {"language": language_name(code)},
            "subtitle": str(obj),
            "language": code,
            "language_label": language_name(code),
            "version": version,
            "changes": [
                {
                    "where": change.where,
                    "published": snapshot_text(change.before),
                    "working": snapshot_text(change.after),
                }
                for change in changes
            ],
            "change_url": self._admin_url("change", obj),
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.changes_template, context)

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if change and obj is not None and obj.pk is not None:
            # What is stored: a form shown again after a refusal holds what was
            # typed, the panel what is saved.
            stored = (
                obj
                if request.method in ("GET", "HEAD")
                else self.model._default_manager.filter(pk=obj.pk).first()
            )
            if stored is not None:
                context["publication_panel"] = self.publication_panel(request, stored)
                context["publication_panel_template"] = self.publication_panel_template
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _posted_object(self, request, object_id):
        """The object a POST of the panel is for, if the user may change it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No such object."))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def outdated_view(self, request, object_id):
        """Confirm that an outdated translation still holds (the panel's and the
        field's "Still correct"): it is translated from the English as it is
        now. Back to the change page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._posted_object(request, object_id)
        back = HttpResponseRedirect(self._admin_url("change", obj))
        label, _sep, rest = request.POST.get("confirm", "").partition("|")
        field, _sep, code = rest.partition("|")
        if code in LANGUAGE_CODES and not roles.may_write(
            request.user, self.model, code
        ):
            raise PermissionDenied
        stale = outdated.outdated_in(obj, list(obj.parts())).get(code, [])
        item = next(
            (item for item in stale if item.key == label and item.field == field),
            None,
        )
        if item is None:
            self.message_user(
                request,
                gettext("That translation is not outdated (any more)."),
                messages.WARNING,
            )
            return back
        outdated.confirm(item.obj, item.field, code)
        message = gettext(
            "Confirmed that the %(language)s translation of %(field)s still holds."
        ) % {"language": language_name(code), "field": outdated_name(obj, item)}
        if isinstance(self, HistoryAdminMixin):
            self.log_change(request, obj, message)
        self.message_user(request, message, messages.SUCCESS)
        return back

    def publication_view(self, request, object_id):
        """Publish or unpublish the object in one or several languages (the change
        page's panel), in one transaction that saves a version naming them; back
        to the change page with what was done or why nothing was."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._posted_object(request, object_id)
        back = HttpResponseRedirect(self._admin_url("change", obj))
        form = PublicationForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return back
        codes, at = form.codes, form.cleaned_data.get("publish_at")
        denied = [code for code in codes if not roles.may_publish(request.user, code)]
        if denied:
            self.message_user(
                request,
                gettext("You may not publish or unpublish in %(languages)s.")
                % {"languages": ", ".join(language_name(code) for code in denied)},
                messages.ERROR,
            )
            return back
        names = ", ".join(language_name(code) for code in codes)
        if not form.publishing and at is not None:
            message = gettext("Unpublished in %(languages)s from %(time)s.") % {
                "languages": names,
                "time": localize(timezone.localtime(at)),
            }
        elif not form.publishing:
            message = gettext("Unpublished in %(languages)s.") % {"languages": names}
        elif at is not None:
            message = gettext("Published in %(languages)s from %(time)s.") % {
                "languages": names,
                "time": localize(timezone.localtime(at)),
            }
        else:
            message = gettext("Published in %(languages)s.") % {"languages": names}
        if form.publishing:
            # Publishing does not silently bless a translation whose English
            # changed since: the editor confirms (the panel's checkbox).
            parts = list(obj.parts())
            stale = outdated.outdated_in(obj, parts)
            unconfirmed = [
                code
                for code in codes
                if stale[code] and not form.confirmed_outdated(code)
            ]
            if unconfirmed:
                # What cannot be published anyway is refused for that below.
                problems = obj.completeness_problems(unconfirmed, parts=parts)
                unconfirmed = [code for code in unconfirmed if not problems[code]]
            if unconfirmed:
                self.message_user(
                    request, gettext("Nothing was published."), messages.ERROR
                )
                for code in unconfirmed:
                    self.message_user(
                        request,
                        ngettext(
                            "%(language)s has %(count)d translation whose English "
                            "text changed since it was translated: %(fields)s. "
                            "Update or confirm it, or check “publish with outdated "
                            "translations”.",
                            "%(language)s has %(count)d translations whose English "
                            "text changed since they were translated: %(fields)s. "
                            "Update or confirm them, or check “publish with outdated "
                            "translations”.",
                            len(stale[code]),
                        )
                        % {
                            "language": language_name(code),
                            "count": len(stale[code]),
                            "fields": "; ".join(
                                outdated_name(obj, item) for item in stale[code]
                            ),
                        },
                        messages.ERROR,
                    )
                return back
        refusals = []
        with transaction.atomic():
            with deferred_completeness():
                for code in codes:
                    # Each language on the object as stored (locked): a refused
                    # one leaves nothing behind in memory for the next.
                    obj = (
                        self.model._default_manager.select_for_update()
                        .filter(pk=obj.pk)
                        .get()
                    )
                    try:
                        with transaction.atomic():
                            if form.publishing:
                                obj.publish(code, user=request.user, at=at)
                            else:
                                obj.unpublish(code, at=at)
                    except ValidationError as error:
                        refusals.extend(error.messages)
            if refusals:
                # All or nothing: the languages that went through are undone.
                transaction.set_rollback(True)
            elif isinstance(self, HistoryAdminMixin):
                self.record_history(request, obj, message)
        if refusals:
            nothing = (
                gettext("Nothing was published.")
                if form.publishing
                else gettext("Nothing was unpublished.")
            )
            self.message_user(request, nothing, messages.ERROR)
            for refusal in dict.fromkeys(refusals):
                self.message_user(request, refusal, messages.ERROR)
        else:
            self.message_user(request, message, messages.SUCCESS)
        return back

    def save_related(self, request, form, formsets, change):
        # The stored completeness of the object is refreshed once, after every
        # part is saved, not once per part.
        with deferred_completeness():
            super().save_related(request, form, formsets, change)


class SortableAdminMixin(adapters.SortableAdminMixin):
    """adminsortable2's changelist drag and drop writes the new order with
    ``bulk_update`` (no save, no signal): here it is one transaction, and a public
    change when any moved object is published somewhere (or, for labels such as FAQ
    categories, shown by a published object)."""

    def order_changed(self, pks) -> None:
        objects = list(self.model._default_manager.filter(pk__in=pks))
        if issubclass(self.model, Publishable):
            shown = [obj for obj in objects if obj.published_languages]
        else:
            shown = [
                root
                for obj in objects
                for root in obj.publication_roots()
                if root.published_languages
            ]
        if shown:
            content_changed(shown, tags=[content_version.model_tag(self.model)])


class TranslatedAdmin(
    LanguageRolesMixin,
    EditingAdminMixin,
    NoRequiredLanguageMixin,
    HistoryAdminMixin,
    ProtectedDeletionMixin,
    ConflictAdminMixin,
    RefusalAdminMixin,
    SortableAdminBase,
    TabbedTranslationAdmin,
):
    """Admin for a label model (criterion, category): language tabs, status columns."""

    list_filter = (MissingInLanguageFilter, OutdatedInLanguageFilter)

    def get_list_display(self, request):
        return (*super().get_list_display(request), *LANGUAGE_STATUS_COLUMNS)


class PublishableAdmin(
    LanguageRolesMixin,
    EditingAdminMixin,
    NoRequiredLanguageMixin,
    HistoryAdminMixin,
    ProtectedDeletionMixin,
    ConflictAdminMixin,
    PublicationAdminMixin,
    SortableAdminBase,
    TabbedTranslationAdmin,
):
    """Base of every publishable model's admin (SortableAdminBase so that any of
    them can have drag-and-drop inlines)."""


class CachedChoicesInlineMixin:
    """Evaluate each foreign-key select's choices once per request, not once per
    inline row: an article with 40 blocks would otherwise run 40 queries per select.
    Also joins ``select_related`` so that each row's title costs no query."""

    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return (
            queryset.select_related(*self.select_related)
            if self.select_related
            else queryset
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None or request is None:
            return field
        if db_field.name in self.get_autocomplete_fields(request):
            # An autocomplete select (an image) lists no choices: it reads only
            # the chosen one, and nothing for a row with none.
            return field
        cache = request.__dict__.setdefault("_fk_choices", {})
        key = (self.model, db_field.name)
        if key not in cache:
            cache[key] = list(field.choices)
        field.choices = cache[key]
        return field


class UnchangedRowsFormSetMixin:
    """Existing rows an editor left as they were are not validated again: they are
    not saved, and validating one costs queries (each check constraint of the
    model is a query in a savepoint). Saving an article of 40 blocks with one
    block edited validates one block, not 40. A row edited, reordered or marked
    for deletion is validated as before."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < self.initial_form_count():
            kwargs["empty_permitted"] = True
        return kwargs


class UnchangedRowsInlineMixin:
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (UnchangedRowsFormSetMixin, formset), {})


class TabularInline(
    InlineLanguageRolesMixin,
    NoRequiredLanguageMixin,
    UnchangedRowsInlineMixin,
    CachedChoicesInlineMixin,
    TranslationTabularInline,
):
    extra = 0


class StackedInline(
    InlineLanguageRolesMixin,
    NoRequiredLanguageMixin,
    UnchangedRowsInlineMixin,
    CachedChoicesInlineMixin,
    TranslationStackedInline,
):
    extra = 0


class PlainTabularInline(
    InlineLanguageRolesMixin,
    UnchangedRowsInlineMixin,
    CachedChoicesInlineMixin,
    admin.TabularInline,
):
    """For parts with no translated field (comparison columns and rows)."""

    extra = 0
