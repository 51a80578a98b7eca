"""Admin plumbing shared by every content admin: per-language status columns and
filters, publish/unpublish actions per language, search over every language,
refusals of the publication rules shown as form errors with nothing typed lost, and
the admin base classes, which add history and protected deletion
(``publication.history``)."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from publication import content_version
from publication.content_version import content_changed
from publication.history import HistoryAdminMixin, ProtectedDeletionMixin
from publication.languages import LANGUAGE_CODES, LANGUAGE_NAMES, column, language_name
from publication.models import (
    Publishable,
    complete_field,
    deferred_completeness,
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


def _status_column(code: str):
    """A changelist column for language ``code``, from stored flags only (no query)."""

    def status(obj):
        if isinstance(obj, Publishable):
            complete = getattr(obj, complete_field(code))
            if getattr(obj, published_field(code)):
                if obj.publish_at > timezone.now():
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


def _publication_action(code: str, *, publish: bool):
    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for obj in queryset:
            try:
                with transaction.atomic(), deferred_completeness():
                    obj.publish(code) if publish else obj.unpublish(code)
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


PUBLICATION_FIELDSET = (
    _("Publication"),
    {
        "fields": (
            "publication_status",
            "publish_at",
            *[published_field(code) for code in LANGUAGE_CODES],
        ),
        "description": _(
            "An object is shown in a language only when it is published there and "
            "complete: every text filled in the default language is also filled in "
            "that language."
        ),
    },
)


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


class PublicationAdminMixin(RefusalAdminMixin):
    """For publishable models: publication fieldset, status columns, filters and
    actions, and a save order that applies the rules to the whole submission.

    Languages being unpublished are applied first, the parts (inlines) are saved next,
    languages being published are applied last, so a language published together
    with its translations is checked once every part is in.
    """

    list_filter = (MissingInLanguageFilter, PublishedInLanguageFilter)
    actions = PUBLICATION_ACTIONS
    readonly_fields = ("publication_status",)

    def get_list_display(self, request):
        return (*super().get_list_display(request), *LANGUAGE_STATUS_COLUMNS)

    @admin.display(description=_("Languages"))
    def publication_status(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        problems = obj.completeness_problems()
        rows = []
        for code in LANGUAGE_CODES:
            published = getattr(obj, published_field(code))
            missing = problems[code]
            state = gettext("published") if published else gettext("not published")
            detail = (
                gettext("missing: %(list)s") % {"list": "; ".join(missing)}
                if missing
                else gettext("complete")
            )
            rows.append((language_name(code), state, detail))
        return format_html(
            '<table class="publication-status">{}</table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows),
        )

    def save_model(self, request, obj, form, change):
        before = set(getattr(obj, "_published_in_db", ())) if change else set()
        obj._publish_after_parts = [
            code for code in obj.published_languages if code not in before
        ]
        for code in obj._publish_after_parts:
            setattr(obj, published_field(code), False)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with deferred_completeness():
            super().save_related(request, form, formsets, change)
        obj = form.instance
        later = getattr(obj, "_publish_after_parts", [])
        if later:
            for code in later:
                setattr(obj, published_field(code), True)
            obj.save()


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
    NoRequiredLanguageMixin,
    HistoryAdminMixin,
    ProtectedDeletionMixin,
    RefusalAdminMixin,
    SortableAdminBase,
    TabbedTranslationAdmin,
):
    """Admin for a label model (criterion, category): language tabs, status columns."""

    list_filter = (MissingInLanguageFilter,)

    def get_list_display(self, request):
        return (*super().get_list_display(request), *LANGUAGE_STATUS_COLUMNS)


class PublishableAdmin(
    NoRequiredLanguageMixin,
    HistoryAdminMixin,
    ProtectedDeletionMixin,
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
    NoRequiredLanguageMixin,
    UnchangedRowsInlineMixin,
    CachedChoicesInlineMixin,
    TranslationTabularInline,
):
    extra = 0


class StackedInline(
    NoRequiredLanguageMixin,
    UnchangedRowsInlineMixin,
    CachedChoicesInlineMixin,
    TranslationStackedInline,
):
    extra = 0


class PlainTabularInline(
    UnchangedRowsInlineMixin, CachedChoicesInlineMixin, admin.TabularInline
):
    """For parts with no translated field (comparison columns and rows)."""

    extra = 0
