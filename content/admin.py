from __future__ import annotations

from adminsortable2.admin import SortableInlineAdminMixin
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The image library's admin, registered with the rest.
from content import (
    admin_images,  # noqa: E402, F401
    models,
)
from publication import roles
from publication.admin import (
    PlainTabularInline,
    PublishableAdmin,
    SortableAdminMixin,
    StackedInline,
    TabularInline,
    TranslatedAdmin,
    translated_search_fields,
)
from publication.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    column,
    editor_language,
    language_name,
)
from publication.models import deferred_completeness, value_in
from richtext import is_empty


class GridAdminMixin:
    """One page that edits every cell of a rows × columns grid in one language.

    Used for the comparison (criteria × methods, cells are method facts) and the
    aftercare timeline (stages × tracks). The default-language text is shown under
    each cell for translators; empty cells are marked. A save that breaks a published
    language is refused as a whole, and the page comes back with what was typed.
    """

    grid_template = "admin/content/grid.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/grid/",
                self.admin_site.admin_view(self.grid_view),
                name=f"{opts.app_label}_{opts.model_name}_grid",
            ),
            *super().get_urls(),
        ]

    def grid_parts(self, obj):
        """(rows, columns, cells by (row pk, column pk), row label, column label)."""
        raise NotImplementedError

    def new_cell(self, obj, row, col):
        raise NotImplementedError

    def grid_url(self, obj, code=None):
        opts = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_grid",
            args=[obj.pk],
        )
        return f"{url}?lang={code}" if code else url

    @admin.display(description=_("Grid"))
    def grid_link(self, obj):
        if obj is None or obj.pk is None:
            return gettext("Save first, then edit the grid.")
        return format_html(
            '<a class="button" href="{}">{}</a>',
            self.grid_url(obj, editor_language()),
            _("Edit the grid"),
        )

    def grid_view(self, request, object_id):
        obj = get_object_or_404(self.model, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        code = request.GET.get("lang") or editor_language()
        if code not in LANGUAGE_CODES:
            raise Http404(gettext("Unknown language."))
        if request.method == "POST" and not roles.may_write(
            request.user, self.model, code
        ):
            # A translator saves their own languages' grids only.
            raise PermissionDenied
        rows, columns, cells = self.grid_parts(obj)
        posted, errors = {}, []
        if request.method == "POST":
            posted = {
                (r.pk, c.pk): request.POST.get(f"cell-{r.pk}-{c.pk}", "")
                for r in rows
                for c in columns
            }
            try:
                with transaction.atomic(), deferred_completeness():
                    changed = self.save_grid(obj, cells, posted, code)
                    message = gettext("Saved %(count)d cell(s) in %(language)s.") % {
                        "count": changed,
                        "language": language_name(code),
                    }
                    if changed:
                        self.log_change(request, obj, message)
                        self.record_history(request, obj, message)
            except ValidationError as error:
                errors = error.messages
            else:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(self.grid_url(obj, code))
        table = []
        for row in rows:
            line = []
            for col in columns:
                cell = cells.get((row.pk, col.pk))
                text = (
                    posted[(row.pk, col.pk)]
                    if posted
                    else (value_in(cell, "text", code) or "" if cell else "")
                )
                source = value_in(cell, "text", DEFAULT_LANGUAGE) if cell else ""
                line.append(
                    {
                        "name": f"cell-{row.pk}-{col.pk}",
                        "text": text,
                        "source": source if code != DEFAULT_LANGUAGE else "",
                        "missing": is_empty(text),
                    }
                )
            table.append((row, line))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": gettext("%(object)s — grid in %(language)s")
            % {"object": obj, "language": language_name(code)},
            "columns": columns,
            "table": table,
            "errors": errors,
            "language": code,
            "source_language": DEFAULT_LANGUAGE,
            "languages": [
                (c, language_name(c), self.grid_url(obj, c)) for c in LANGUAGE_CODES
            ],
            "change_url": reverse(
                f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change",
                args=[obj.pk],
            ),
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.grid_template, context)

    def save_grid(self, obj, cells, posted, code) -> int:
        changed = 0
        for (row_pk, col_pk), text in posted.items():
            cell = cells.get((row_pk, col_pk))
            current = (value_in(cell, "text", code) or "") if cell else ""
            if text.strip() == current.strip():
                continue
            if cell is None:
                cell = self.new_cell(obj, row_pk, col_pk)
            setattr(cell, column("text", code), text.strip())
            cell.save()
            changed += 1
        return changed


# Methods and criteria.


@admin.register(models.Criterion)
class CriterionAdmin(SortableAdminMixin, TranslatedAdmin):
    list_display = ("name", "key")
    search_fields = ("key", *translated_search_fields("name"))


class MethodFactInline(TabularInline):
    model = models.MethodFact
    select_related = ("method", "criterion")
    fields = ("criterion", "text")
    verbose_name_plural = _("facts (one comparison cell per criterion)")


@admin.register(models.Method)
class MethodAdmin(SortableAdminMixin, PublishableAdmin):
    list_display = ("name", "procedure_type")
    search_fields = translated_search_fields("name", "summary")
    inlines = [MethodFactInline]

    fieldsets = [
        (None, {"fields": ("name", "slug", "summary", "procedure_type")}),
        (_("Image"), {"fields": ("hero_image",)}),
    ]
    autocomplete_fields = ("hero_image",)


# Comparisons.


class ComparisonColumnInline(SortableInlineAdminMixin, PlainTabularInline):
    model = models.ComparisonColumn
    select_related = ("method",)
    fields = ("method",)
    verbose_name_plural = _("columns (methods; drag to reorder)")


class ComparisonRowInline(SortableInlineAdminMixin, PlainTabularInline):
    model = models.ComparisonRow
    select_related = ("criterion",)
    fields = ("criterion",)
    verbose_name_plural = _("rows (criteria; drag to reorder)")


@admin.register(models.Comparison)
class ComparisonAdmin(GridAdminMixin, PublishableAdmin):
    list_display = ("title", "grid_link")
    search_fields = translated_search_fields("title", "intro", "conclusion")
    inlines = [ComparisonColumnInline, ComparisonRowInline]
    readonly_fields = ("grid_link",)

    fieldsets = [
        (None, {"fields": ("title", "slug", "intro", "conclusion", "grid_link")}),
    ]

    def grid_parts(self, obj):
        columns, rows, cells = obj.grid()
        methods = {c.method_id: c.method for c in columns}
        criteria = {r.criterion_id: r.criterion for r in rows}
        for cell in cells.values():
            # Saving a cell checks its method and criterion: loaded once, not per
            # cell.
            cell.method = methods[cell.method_id]
            cell.criterion = criteria[cell.criterion_id]
        return list(criteria.values()), list(methods.values()), cells

    def revision_objects(self, obj):
        # The cells belong to the methods; a version of the comparison keeps the
        # ones it shows, so that reverting it (or one language of it) restores
        # the table as it was.
        cells = models.MethodFact.objects.filter(
            method__comparison_columns__comparison=obj,
            criterion__comparison_rows__comparison=obj,
        ).select_related("method", "criterion")
        return [*super().revision_objects(obj), *cells]

    def new_cell(self, obj, row_pk, col_pk):
        return models.MethodFact(method_id=col_pk, criterion_id=row_pk)


# Aftercare.


class AftercareStageInline(SortableInlineAdminMixin, TabularInline):
    model = models.AftercareStage
    fields = ("label", "start_day", "end_day")
    verbose_name_plural = _("stages (rows; drag to reorder)")


class AftercareTrackInline(SortableInlineAdminMixin, TabularInline):
    model = models.AftercareTrack
    select_related = ("method",)
    fields = ("label", "method")
    verbose_name_plural = _("tracks (columns; drag to reorder)")


@admin.register(models.Aftercare)
class AftercareAdmin(GridAdminMixin, PublishableAdmin):
    list_display = ("title", "grid_link")
    search_fields = translated_search_fields("title", "intro")
    inlines = [AftercareStageInline, AftercareTrackInline]
    readonly_fields = ("grid_link",)

    fieldsets = [
        (None, {"fields": ("title", "slug", "intro", "grid_link")}),
    ]

    def grid_parts(self, obj):
        stages, tracks, cells = obj.grid()
        by_stage = {stage.pk: stage for stage in stages}
        by_track = {track.pk: track for track in tracks}
        for stage in stages:
            stage.aftercare = obj
        for cell in cells.values():
            # Saving a cell finds its timeline through its stage: loaded once.
            cell.stage = by_stage[cell.stage_id]
            cell.track = by_track[cell.track_id]
        return stages, tracks, cells

    def new_cell(self, obj, row_pk, col_pk):
        return models.AftercareEntry(stage_id=row_pk, track_id=col_pk)

    def history_parts(self, obj):
        # The cells, which the stages follow, with the names of their stage and
        # track (a version stores each cell's name).
        entries = models.AftercareEntry.objects.filter(
            stage__aftercare=obj
        ).select_related("stage", "track")
        return [*entries, *super().history_parts(obj)]


# Item lists and cause types.


class ListItemInline(SortableInlineAdminMixin, TabularInline):
    model = models.ListItem
    fields = ("title", "text")


@admin.register(models.ItemList)
class ItemListAdmin(PublishableAdmin):
    list_display = ("title", "kind")
    list_filter = (*PublishableAdmin.list_filter, "kind")
    search_fields = translated_search_fields("title", "intro")
    inlines = [ListItemInline]

    fieldsets = [
        (None, {"fields": ("title", "slug", "kind", "intro")}),
    ]


@admin.register(models.CauseType)
class CauseTypeAdmin(SortableAdminMixin, PublishableAdmin):
    list_display = ("name", "rule_out_first")
    search_fields = translated_search_fields("name", "tagline", "description")
    filter_horizontal = ("methods",)
    autocomplete_fields = ("hero_image",)

    fieldsets = [
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "tagline",
                    "description",
                    "first_step",
                    "red_flags",
                    "refer_to",
                    "rule_out_first",
                    "hero_image",
                    "methods",
                )
            },
        ),
    ]


# Articles.


# The fields a block of each kind shows besides its heading and body (what the
# API gives for it, content/serializers.py); the block editor hides the others.
BLOCK_KIND_FIELDS = {
    models.ArticleBlock.Kind.LIST: ("item_list",),
    models.ArticleBlock.Kind.COMPARISON: ("comparison",),
    models.ArticleBlock.Kind.AFTERCARE: ("aftercare", "aftercare_method"),
    models.ArticleBlock.Kind.CTA: ("cta_label", "cta_url"),
    models.ArticleBlock.Kind.IMAGE: ("image", "caption"),
}
KIND_SPECIFIC_FIELDS = sorted(
    {name for names in BLOCK_KIND_FIELDS.values() for name in names}
)
# Blocks open when the page opens; the rest show their one-line summary.
BLOCKS_OPEN = 3


class ArticleBlockForm(forms.ModelForm):
    """A block saved with another kind's fields emptied: the editor hides them
    (what was typed there survives switching kinds back and forth until the
    save), and a hidden value would still count, e.g. a call to action's label
    left in a text block would be a text every language needs, or a comparison
    left in it would have to be published first."""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        shown = set(BLOCK_KIND_FIELDS.get(kind, ()))
        for name in KIND_SPECIFIC_FIELDS:
            if name in shown:
                continue
            for field in (name, *(column(name, code) for code in LANGUAGE_CODES)):
                if field in cleaned:
                    is_reference = isinstance(
                        self.fields[field], forms.ModelChoiceField
                    )
                    cleaned[field] = None if is_reference else ""
        return cleaned


class ArticleBlockInline(SortableInlineAdminMixin, StackedInline):
    model = models.ArticleBlock
    form = ArticleBlockForm
    fields = (
        "kind",
        "heading",
        "body",
        "item_list",
        "comparison",
        "aftercare",
        "aftercare_method",
        "cta_label",
        "cta_url",
        "image",
        "caption",
    )
    autocomplete_fields = ("image",)
    verbose_name_plural = _("blocks (drag to reorder)")


@admin.register(models.Article)
class ArticleAdmin(PublishableAdmin):
    list_display = ("title", "last_reviewed")
    search_fields = translated_search_fields("title", "summary")
    inlines = [ArticleBlockInline]
    autocomplete_fields = ("hero_image",)

    def editing_blocks(self, request, obj):
        return {
            "prefix": self.inline_prefixes(request, obj)[models.ArticleBlock],
            "kind_field": "kind",
            "switchable": KIND_SPECIFIC_FIELDS,
            "kinds": {
                kind: list(BLOCK_KIND_FIELDS.get(kind, ()))
                for kind in models.ArticleBlock.Kind.values
            },
            "choices": [
                (kind, str(label)) for kind, label in models.ArticleBlock.Kind.choices
            ],
            "open": BLOCKS_OPEN,
        }

    fieldsets = [
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "summary",
                    "seo_title",
                    "meta_description",
                    "hero_image",
                )
            },
        ),
        (_("Medical review"), {"fields": ("topic", "reviewed_by", "last_reviewed")}),
    ]


# The clinic.


class ClinicChannelInline(SortableInlineAdminMixin, TabularInline):
    model = models.ClinicChannel
    fields = ("kind", "label", "description", "url")


@admin.register(models.ClinicProfile)
class ClinicProfileAdmin(PublishableAdmin):
    list_display = ("name", "years_of_practice", "review_count", "rating")
    inlines = [ClinicChannelInline]

    fieldsets = [
        (None, {"fields": ("name", "slogan", "description")}),
        (
            _("Facts"),
            {"fields": ("years_of_practice", "review_count", "rating")},
        ),
        (_("Lists"), {"fields": ("trust_points", "care_system")}),
        (_("Images"), {"fields": ("logo", "photos")}),
    ]
    autocomplete_fields = ("logo", "photos")

    def has_add_permission(self, request):
        # One clinic per installation.
        return not models.ClinicProfile.objects.exists() and super().has_add_permission(
            request
        )
