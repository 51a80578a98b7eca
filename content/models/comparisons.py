"""Comparisons: methods side by side, on chosen criteria.

What embeds these objects is defined in modules that import this one, so it is
looked up by name (``apps.get_model``), not imported."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.fields import (
    grid_problems,
    method_cell,
    position_field,
    slug_constraints,
    slug_field,
)
from content.models.methods import Criterion, Method, MethodFact
from publication.models import (
    Part,
    Publishable,
    embedded_problems,
    in_some_language,
)
from richtext import RichTextField


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
        constraints = slug_constraints("content_comparison")

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

    def snapshot_parts(self):
        criteria = Criterion.objects.filter(comparison_rows__comparison=self)
        return {
            "columns": self.columns.order_by("position", "pk"),
            "rows": self.rows.order_by("position", "pk"),
            # The labels of the rows and the cells: the methods' facts on them.
            "criteria": criteria.distinct().order_by("position", "pk"),
            "cells": MethodFact.objects.filter(
                method__comparison_columns__comparison=self, criterion__in=criteria
            )
            .distinct()
            .order_by("pk"),
        }

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
        return (
            apps.get_model("content", "Article")
            .objects.filter(blocks__comparison=self)
            .distinct()
        )


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
