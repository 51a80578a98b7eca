"""Editorial content: articles and their blocks, cause types, methods and their facts,
comparisons, aftercare timelines, item lists and the clinic profile (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publication.languages import LANGUAGE_CODES, column
from publication.models import (
    GridCell,
    Part,
    Publishable,
    embedded_problems,
    in_some_language,
    publication_constraints,
    short,
    value_in,
)
from richtext import RichTextField, is_empty


class HttpsURLField(models.URLField):
    """A URL field whose form adds https:// to an address typed without a scheme
    (Django 6's default, adopted now)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def slug_constraints(prefix: str) -> list[models.UniqueConstraint]:
    """A slug is unique within each language; an empty slug is no slug."""
    return [
        models.UniqueConstraint(
            fields=[column("slug", code)],
            condition=~Q(**{column("slug", code): ""}),
            name=f"{prefix}_unique_slug_{code.replace('-', '_')}",
            # "unique" puts the message on the slug field (Model.validate_constraints).
            violation_error_code="unique",
            violation_error_message=_(
                "This slug is already used in this language. Choose another one."
            ),
        )
        for code in LANGUAGE_CODES
    ]


def slug_field() -> models.SlugField:
    return models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        blank=True,
        help_text=_(
            "The address of the page in this language, e.g. mouth-corner-asymmetry "
            "or 입꼬리-비대칭. Left empty, it is made from the title."
        ),
    )


def position_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        _("position"),
        default=0,
        db_index=True,
        help_text=_("Order among its siblings; drag the rows to change it."),
    )


def grid_problems(
    *,
    rows: list,
    columns: list,
    cells: dict,
    code: str,
    describe_cell,
) -> list[str]:
    """Problems of a rows × columns grid whose every cell must have text.

    A cell with no text even in the default language is reported in every
    language: a missing cell must be visible, never a silent blank.
    """
    problems = []
    for row in rows:
        for col in columns:
            cell = cells.get((row.pk, col.pk))
            if cell is None or is_empty(cell.text):
                problems.append(
                    gettext("%(cell)s: the cell is empty")
                    % {"cell": describe_cell(row, col)}
                )
            elif is_empty(value_in(cell, "text", code)):
                problems.append(
                    gettext("%(cell)s: text") % {"cell": describe_cell(row, col)}
                )
    return problems


def method_cell(criterion, method) -> str:
    """How refusals name a comparison cell: ``Botox × Onset``."""
    return f"{method} × {criterion}"


# Methods and the criteria they are compared on.


class Criterion(Part):
    """A row of a comparison (suited to, mechanism, onset, …), a label."""

    name = models.CharField(
        _("name"), max_length=120, help_text=_("Row label, e.g. Recovery.")
    )
    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_("A stable identifier for developers, e.g. recovery."),
    )
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.name or self.key

    def publication_roots(self) -> Iterable[Publishable]:
        if self.pk is None:
            return []
        # Drafts too: their stored completeness changes with the label.
        methods = Method.objects.filter(facts__criterion=self).distinct()
        comparisons = Comparison.objects.filter(rows__criterion=self).distinct()
        return [*methods, *comparisons]


class Method(Publishable):
    class ProcedureType(models.TextChoices):
        INJECTION = "injection", _("Injection")
        SURGERY = "surgery", _("Surgery")
        CONSERVATIVE = "conservative", _("Conservative (no procedure)")

    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Botox"))
    slug = slug_field()
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_(
            "One or two sentences for cards, e.g. Weakens the overpulling muscle."
        ),
    )
    procedure_type = models.CharField(
        _("procedure type"),
        max_length=20,
        choices=ProcedureType.choices,
        help_text=_("Used for schema.org MedicalProcedure."),
    )
    position = position_field()

    slug_source = "name"

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")
        constraints = [
            *slug_constraints("content_method"),
            *publication_constraints("content_method", "name"),
        ]

    def __str__(self):
        return in_some_language(self, "name")

    def parts(self) -> Iterable[Part]:
        return self.facts.select_related("criterion").order_by("criterion__position")

    def embedders(self) -> Iterable[Publishable]:
        return Comparison.objects.filter(columns__method=self).distinct()


class MethodFact(GridCell):
    """What a method is on one criterion: one comparison cell, stored once and shown
    by every comparison that has both the method and the criterion."""

    method = models.ForeignKey(
        Method, on_delete=models.CASCADE, related_name="facts", verbose_name=_("method")
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="facts",
        verbose_name=_("criterion"),
    )
    text = models.TextField(
        _("text"), blank=True, help_text=_("e.g. Gradual after 3–7 days")
    )

    class Meta:
        ordering = ["method__position", "criterion__position", "pk"]
        verbose_name = _("method fact")
        verbose_name_plural = _("method facts")
        constraints = [
            models.UniqueConstraint(
                fields=["method", "criterion"], name="content_methodfact_unique_cell"
            )
        ]

    def __str__(self):
        return f"{self.method} × {self.criterion}"

    def describe(self) -> str:
        return f"{self.method} × {self.criterion}"

    def problems(self, code: str) -> list[str]:
        return super().problems(code) + self.criterion.problems(code)

    def grid_roots(self) -> Iterable[Publishable]:
        return Comparison.objects.filter(
            columns__method_id=self.method_id, rows__criterion_id=self.criterion_id
        ).distinct()

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.method, *self.grid_roots()]


# Comparisons.


class Comparison(Publishable):
    title = models.CharField(
        _("title"), max_length=200, help_text=_("e.g. Botox, lift or re-education?")
    )
    slug = slug_field()
    intro = RichTextField(_("introduction"), help_text=_("Shown above the table."))
    conclusion = RichTextField(
        _("bottom line"),
        help_text=_("The conclusion shown under the table, e.g. 📍 Bottom line: …"),
    )
    methods = models.ManyToManyField(
        Method,
        through="ComparisonColumn",
        related_name="comparisons",
        verbose_name=_("methods"),
    )
    criteria = models.ManyToManyField(
        Criterion,
        through="ComparisonRow",
        related_name="comparisons",
        verbose_name=_("criteria"),
    )

    slug_source = "title"

    class Meta:
        ordering = ["pk"]
        verbose_name = _("comparison")
        verbose_name_plural = _("comparisons")
        constraints = [
            *slug_constraints("content_comparison"),
            *publication_constraints("content_comparison", "title"),
        ]

    def __str__(self):
        return in_some_language(self, "title")

    def grid(self):
        """Columns (with methods), rows (with criteria) and cells by (criterion, method)
        in three queries."""
        columns = list(self.columns.select_related("method"))
        rows = list(self.rows.select_related("criterion"))
        facts = MethodFact.objects.filter(
            method__in=[c.method_id for c in columns],
            criterion__in=[r.criterion_id for r in rows],
        )
        cells = {(f.criterion_id, f.method_id): f for f in facts}
        return columns, rows, cells

    def problems(self, code: str) -> list[str]:
        problems = super().problems(code)
        if self.pk is None:
            return problems
        columns, rows, cells = self.memo("grid", self.grid)
        # The methods are embedded: published here, and not scheduled after this.
        problems += embedded_problems(self, [col.method for col in columns], code)
        for row in rows:
            problems += row.criterion.problems(code)
        problems += grid_problems(
            rows=[r.criterion for r in rows],
            columns=[c.method for c in columns],
            cells=cells,
            code=code,
            describe_cell=method_cell,
        )
        return problems

    def embedders(self) -> Iterable[Publishable]:
        return Article.objects.filter(blocks__comparison=self).distinct()


class ComparisonColumn(Part):
    comparison = models.ForeignKey(
        Comparison,
        on_delete=models.CASCADE,
        related_name="columns",
        verbose_name=_("comparison"),
    )
    method = models.ForeignKey(
        Method,
        on_delete=models.PROTECT,
        related_name="comparison_columns",
        verbose_name=_("method"),
    )
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("comparison column")
        verbose_name_plural = _("comparison columns")
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "method"], name="content_comparisoncolumn_unique"
            )
        ]

    def __str__(self):
        return str(self.method)

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.comparison]

    def problems(self, code: str) -> list[str]:
        problems = embedded_problems(self.comparison, [self.method], code)
        rows = list(self.comparison.rows.select_related("criterion"))
        facts = {
            f.criterion_id: f
            for f in self.method.facts.filter(
                criterion__in=[r.criterion_id for r in rows]
            )
        }
        problems += grid_problems(
            rows=[r.criterion for r in rows],
            columns=[self.method],
            cells={(cid, self.method_id): f for cid, f in facts.items()},
            code=code,
            describe_cell=method_cell,
        )
        return problems


class ComparisonRow(Part):
    comparison = models.ForeignKey(
        Comparison,
        on_delete=models.CASCADE,
        related_name="rows",
        verbose_name=_("comparison"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="comparison_rows",
        verbose_name=_("criterion"),
    )
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("comparison row")
        verbose_name_plural = _("comparison rows")
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "criterion"], name="content_comparisonrow_unique"
            )
        ]

    def __str__(self):
        return str(self.criterion)

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.comparison]

    def problems(self, code: str) -> list[str]:
        problems = self.criterion.problems(code)
        columns = list(self.comparison.columns.select_related("method"))
        facts = {
            f.method_id: f
            for f in self.criterion.facts.filter(
                method__in=[c.method_id for c in columns]
            )
        }
        problems += grid_problems(
            rows=[self.criterion],
            columns=[c.method for c in columns],
            cells={(self.criterion_id, mid): f for mid, f in facts.items()},
            code=code,
            describe_cell=method_cell,
        )
        return problems


# Aftercare.


class Aftercare(Publishable):
    title = models.CharField(
        _("title"), max_length=200, help_text=_("e.g. Recovery and aftercare by stage")
    )
    slug = slug_field()
    intro = RichTextField(_("introduction"))

    slug_source = "title"

    class Meta:
        ordering = ["pk"]
        verbose_name = _("aftercare timeline")
        verbose_name_plural = _("aftercare timelines")
        constraints = [
            *slug_constraints("content_aftercare"),
            *publication_constraints("content_aftercare", "title"),
        ]

    def __str__(self):
        return in_some_language(self, "title")

    def grid(self):
        stages = list(self.stages.all())
        tracks = list(self.tracks.select_related("method"))
        entries = AftercareEntry.objects.filter(stage__aftercare=self)
        cells = {(e.stage_id, e.track_id): e for e in entries}
        return stages, tracks, cells

    def problems(self, code: str) -> list[str]:
        problems = super().problems(code)
        if self.pk is None:
            return problems
        stages, tracks, cells = self.memo("grid", self.grid)
        for part in [*stages, *tracks]:
            problems += Part.problems(part, code)
        problems += grid_problems(
            rows=stages,
            columns=tracks,
            cells=cells,
            code=code,
            describe_cell=lambda stage, track: f"{stage} × {track}",
        )
        return problems

    def embedders(self) -> Iterable[Publishable]:
        return Article.objects.filter(blocks__aftercare=self).distinct()


class AftercareStage(Part):
    aftercare = models.ForeignKey(
        Aftercare,
        on_delete=models.CASCADE,
        related_name="stages",
        verbose_name=_("aftercare timeline"),
    )
    label = models.CharField(
        _("label"), max_length=120, help_text=_("e.g. Day 0–3, Week 1, Beyond")
    )
    start_day = models.PositiveSmallIntegerField(
        _("start day"),
        help_text=_("First day of the stage, counting the procedure day as 0."),
    )
    end_day = models.PositiveSmallIntegerField(
        _("end day"),
        null=True,
        blank=True,
        help_text=_(
            "Last day of the stage; leave empty for the open-ended last stage."
        ),
    )
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("aftercare stage")
        verbose_name_plural = _("aftercare stages")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_day__isnull=True)
                | Q(end_day__gte=models.F("start_day")),
                name="content_aftercarestage_end_after_start",
                violation_error_message=_(
                    "The end day cannot come before the start day."
                ),
            )
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if self.end_day is not None and self.end_day < self.start_day:
            raise ValidationError(
                {"end_day": _("The end day cannot come before the start day.")}
            )

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.aftercare]

    def problems(self, code: str) -> list[str]:
        problems = super().problems(code)
        tracks = list(self.aftercare.tracks.all())
        cells = (
            {(self.pk, e.track_id): e for e in self.entries.all()} if self.pk else {}
        )
        return problems + grid_problems(
            rows=[self],
            columns=tracks,
            cells=cells,
            code=code,
            describe_cell=lambda stage, track: f"{stage} × {track}",
        )


class AftercareTrack(Part):
    """A column of the aftercare table: one method's care, or care shared by all."""

    aftercare = models.ForeignKey(
        Aftercare,
        on_delete=models.CASCADE,
        related_name="tracks",
        verbose_name=_("aftercare timeline"),
    )
    method = models.ForeignKey(
        Method,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aftercare_tracks",
        verbose_name=_("method"),
        help_text=_("Leave empty for the care every patient shares."),
    )
    label = models.CharField(
        _("label"), max_length=120, help_text=_("Column label, e.g. After Botox")
    )
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("aftercare track")
        verbose_name_plural = _("aftercare tracks")
        constraints = [
            models.UniqueConstraint(
                fields=["aftercare", "method"],
                condition=Q(method__isnull=False),
                name="content_aftercaretrack_unique_method",
                violation_error_message=_(
                    "This timeline already has a track for this method."
                ),
            )
        ]

    def __str__(self):
        return self.label

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.aftercare]

    def problems(self, code: str) -> list[str]:
        problems = super().problems(code)
        stages = list(self.aftercare.stages.all())
        cells = (
            {(e.stage_id, self.pk): e for e in self.entries.all()} if self.pk else {}
        )
        return problems + grid_problems(
            rows=stages,
            columns=[self],
            cells=cells,
            code=code,
            describe_cell=lambda stage, track: f"{stage} × {track}",
        )


class AftercareEntry(GridCell):
    stage = models.ForeignKey(
        AftercareStage,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("stage"),
    )
    track = models.ForeignKey(
        AftercareTrack,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("track"),
    )
    text = models.TextField(
        _("text"), blank=True, help_text=_("e.g. Gentle care, don't rub the site")
    )

    class Meta:
        ordering = ["stage__position", "track__position", "pk"]
        verbose_name = _("aftercare entry")
        verbose_name_plural = _("aftercare entries")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "track"], name="content_aftercareentry_unique_cell"
            )
        ]

    def __str__(self):
        return f"{self.stage} × {self.track}"

    def describe(self) -> str:
        return str(self)

    def clean(self):
        super().clean()
        if (
            self.stage_id
            and self.track_id
            and self.stage.aftercare_id != self.track.aftercare_id
        ):
            raise ValidationError(
                _("The stage and the track belong to different timelines.")
            )

    def grid_roots(self) -> Iterable[Publishable]:
        return [self.stage.aftercare]

    def publication_roots(self) -> Iterable[Publishable]:
        return self.grid_roots()


# Item lists.


class ItemList(Publishable):
    class Kind(models.TextChoices):
        CHECKLIST = "checklist", _("Checklist")
        NUMBERED = "numbered", _("Numbered")
        BULLETS = "bullets", _("Bullets")

    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("e.g. Five things to sort out for yourself"),
    )
    slug = slug_field()
    intro = models.TextField(_("introduction"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.BULLETS
    )

    slug_source = "title"

    class Meta:
        ordering = ["pk"]
        verbose_name = _("item list")
        verbose_name_plural = _("item lists")
        constraints = [
            *slug_constraints("content_itemlist"),
            *publication_constraints("content_itemlist", "title"),
        ]

    def __str__(self):
        return in_some_language(self, "title")

    def parts(self) -> Iterable[Part]:
        return self.items.all()

    def embedders(self) -> Iterable[Publishable]:
        articles = Article.objects.filter(blocks__item_list=self).distinct()
        profiles = ClinicProfile.objects.filter(
            Q(trust_points=self) | Q(care_system=self)
        )
        return [*articles, *profiles]


class ListItem(Part):
    item_list = models.ForeignKey(
        ItemList,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("item list"),
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("e.g. Zygomaticus major (the corner-lifting group)"),
    )
    text = models.TextField(_("text"), blank=True)
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("list item")
        verbose_name_plural = _("list items")

    def __str__(self):
        return in_some_language(self, "title")

    def describe(self) -> str:
        return gettext("Item “%(title)s”") % {"title": short(self.title)}

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.item_list]


# Cause types.


class CauseType(Publishable):
    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. Muscular type")
    )
    slug = slug_field()
    tagline = models.CharField(
        _("tagline"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the most common, and the most manageable"),
    )
    description = RichTextField(_("description"))
    first_step = models.TextField(
        _("first step"),
        blank=True,
        help_text=_("What to do first for this type, e.g. Sort out the habit first."),
    )
    red_flags = models.TextField(
        _("red flags"),
        blank=True,
        help_text=_(
            "Signs that need a doctor now, e.g. sudden onset, trouble closing the eye."
        ),
    )
    refer_to = models.TextField(
        _("refer to first"),
        blank=True,
        help_text=_(
            "Whom to see first, e.g. a neurologist before any cosmetic consultation."
        ),
    )
    rule_out_first = models.BooleanField(
        _("rule out first"),
        default=False,
        help_text=_("Must be excluded before anything cosmetic (e.g. nerve palsy)."),
    )
    methods = models.ManyToManyField(
        Method,
        blank=True,
        related_name="cause_types",
        verbose_name=_("usual methods"),
    )
    position = position_field()

    slug_source = "name"

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("cause type")
        verbose_name_plural = _("cause types")
        constraints = [
            *slug_constraints("content_causetype"),
            *publication_constraints("content_causetype", "name"),
        ]

    def __str__(self):
        return in_some_language(self, "name")


# Articles.

NEEDS_REFERENCE = _("A block of this kind needs this field.")


class Article(Publishable):
    title = models.CharField(_("title"), max_length=300)
    slug = slug_field()
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("The lede shown on cards and under the title."),
    )
    seo_title = models.CharField(
        _("SEO title"),
        max_length=70,
        blank=True,
        help_text=_("At most about 60 characters, shown in search results."),
    )
    meta_description = models.CharField(
        _("meta description"),
        max_length=200,
        blank=True,
        help_text=_("At most about 155 characters, shown in search results."),
    )
    topic = models.CharField(
        _("condition"),
        max_length=200,
        blank=True,
        help_text=_(
            "The condition the article is about, for search engines "
            "(schema.org), e.g. Mouth corner asymmetry."
        ),
    )
    reviewed_by = models.CharField(
        _("reviewed by"),
        max_length=200,
        blank=True,
        help_text=_(
            "The physician who reviewed the medical content, written as readers of "
            "this language know them, e.g. Dr. Tak in English, 탁 원장 in Korean."
        ),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    slug_source = "title"

    class Meta:
        ordering = ["-publish_at", "pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            *slug_constraints("content_article"),
            *publication_constraints("content_article", "title"),
        ]

    def __str__(self):
        return in_some_language(self, "title")

    def parts(self) -> Iterable[Part]:
        return self.blocks.select_related("item_list", "comparison", "aftercare")


class ArticleBlock(Part):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CALLOUT = "callout", _("Callout")
        LIST = "list", _("Item list")
        CAUSE_TYPES = "cause_types", _("Cause types")
        COMPARISON = "comparison", _("Comparison")
        AFTERCARE = "aftercare", _("Aftercare")
        FAQ = "faq", _("FAQ")
        CTA = "cta", _("Call to action")

    # Which reference each kind needs; used by clean() and the constraints.
    REQUIRED_REFERENCE = {
        Kind.LIST: "item_list",
        Kind.COMPARISON: "comparison",
        Kind.AFTERCARE: "aftercare",
    }
    # Which texts each kind shows, needed in every language it is published in.
    REQUIRED_TEXT = {
        Kind.TEXT: ("body",),
        Kind.CALLOUT: ("body",),
        Kind.CTA: ("cta_label", "cta_url"),
    }

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="blocks",
        verbose_name=_("article"),
    )
    position = position_field()
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    body = RichTextField(_("body"))
    item_list = models.ForeignKey(
        ItemList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blocks",
        verbose_name=_("item list"),
    )
    comparison = models.ForeignKey(
        Comparison,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blocks",
        verbose_name=_("comparison"),
    )
    aftercare = models.ForeignKey(
        Aftercare,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blocks",
        verbose_name=_("aftercare timeline"),
    )
    aftercare_method = models.ForeignKey(
        Method,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aftercare for method"),
        help_text=_(
            "Show only this method's track and the shared care; empty shows all."
        ),
    )
    cta_label = models.CharField(
        _("button label"), max_length=120, blank=True, help_text=_("e.g. Chat with us")
    )
    cta_url = HttpsURLField(
        _("button link"),
        blank=True,
        help_text=_("e.g. https://drtak.example/#chat"),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="list") | Q(item_list__isnull=False),
                name="content_articleblock_list_has_item_list",
                violation_error_message=NEEDS_REFERENCE,
            ),
            models.CheckConstraint(
                condition=~Q(kind="comparison") | Q(comparison__isnull=False),
                name="content_articleblock_comparison_has_comparison",
                violation_error_message=NEEDS_REFERENCE,
            ),
            models.CheckConstraint(
                condition=~Q(kind="aftercare") | Q(aftercare__isnull=False),
                name="content_articleblock_aftercare_has_aftercare",
                violation_error_message=NEEDS_REFERENCE,
            ),
        ]

    def __str__(self):
        return self.heading or self.get_kind_display()

    def describe(self) -> str:
        return gettext("Block %(number)s “%(name)s”") % {
            "number": self.position,
            "name": short(self),
        }

    def clean(self):
        super().clean()
        needed = self.REQUIRED_REFERENCE.get(self.kind)
        if needed and getattr(self, f"{needed}_id") is None:
            raise ValidationError({needed: NEEDS_REFERENCE})
        if self.kind == self.Kind.CTA:
            errors = {}
            if is_empty(self.cta_label):
                errors["cta_label"] = _("A call to action needs a button label.")
            if is_empty(self.cta_url):
                errors["cta_url"] = _("A call to action needs a button link.")
            if errors:
                raise ValidationError(errors)

    def required_fields(self) -> tuple[str, ...]:
        return self.REQUIRED_TEXT.get(self.kind, ())

    def embedded(self) -> list[Publishable]:
        return [
            obj
            for obj in (self.item_list, self.comparison, self.aftercare)
            if obj is not None
        ]

    def problems(self, code: str) -> list[str]:
        problems = super().problems(code)
        problems += embedded_problems(self.article, self.embedded(), code)
        return problems

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.article]


# The clinic.


class ClinicProfile(Publishable):
    """The one clinic this installation publishes for."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. Dr.Tak Plastic Surgery")
    )
    slogan = models.CharField(
        _("slogan"),
        max_length=200,
        blank=True,
        help_text=_("e.g. To make people smile"),
    )
    description = RichTextField(_("description"))
    years_of_practice = models.PositiveSmallIntegerField(
        _("years of practice"), default=0, help_text=_("e.g. 15")
    )
    review_count = models.PositiveIntegerField(
        _("review count"), default=0, help_text=_("Number of public reviews, e.g. 190.")
    )
    rating = models.DecimalField(
        _("rating"),
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("Average review rating out of 5, e.g. 4.9."),
    )
    trust_points = models.ForeignKey(
        ItemList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trust points"),
        help_text=_("The list of reasons patients give for choosing the clinic."),
    )
    care_system = models.ForeignKey(
        ItemList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("care system"),
        help_text=_("The list that describes the patient care system, e.g. 4S."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("clinic profile")
        verbose_name_plural = _("clinic profile")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="content_clinicprofile_singleton",
                violation_error_message=_("There is only one clinic profile."),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=0, rating__lte=5),
                name="content_clinicprofile_rating_range",
                violation_error_message=_("The rating is between 0 and 5."),
            ),
            *publication_constraints("content_clinicprofile", "name", slug=False),
        ]

    def __str__(self):
        return in_some_language(self, "name")

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def embedded(self) -> list[Publishable]:
        return [obj for obj in (self.trust_points, self.care_system) if obj is not None]

    def parts(self) -> Iterable[Part]:
        return self.channels.all()

    @classmethod
    def load(cls) -> ClinicProfile | None:
        return cls.objects.filter(pk=1).first()


class ClinicChannel(Part):
    class Kind(models.TextChoices):
        SITE = "site", _("Official site")
        CHAT = "chat", _("Chat consultation")
        VIDEO = "video", _("Video channel")

    profile = models.ForeignKey(
        ClinicProfile,
        on_delete=models.CASCADE,
        related_name="channels",
        verbose_name=_("clinic profile"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(
        _("label"), max_length=120, help_text=_("e.g. Official site")
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_(
            "e.g. Find lip & mouth correction information on our official site."
        ),
    )
    url = HttpsURLField(
        _("link"), help_text=_("The channel's address in this language.")
    )
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("official channel")
        verbose_name_plural = _("official channels")

    def __str__(self):
        return self.label or self.get_kind_display()

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.profile]
