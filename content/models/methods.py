"""Methods and the criteria they are compared on.

What embeds these objects is defined in modules that import this one, so it is
looked up by name (``apps.get_model``), not imported."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.fields import position_field, slug_constraints, slug_field
from content.models.images import hero_field, images_shown
from publication.models import (
    GridCell,
    Part,
    Publishable,
    in_some_language,
)


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
        comparisons = (
            apps.get_model("content", "Comparison")
            .objects.filter(rows__criterion=self)
            .distinct()
        )
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
    hero_image = hero_field("hero_of_methods")

    slug_source = "name"

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")
        constraints = slug_constraints("content_method")

    def __str__(self):
        return in_some_language(self, "name")

    def parts(self) -> Iterable[Part]:
        return [
            *self.facts.select_related("criterion").order_by("criterion__position"),
            *self.images(),
        ]

    def images(self):
        return images_shown(models.Q(hero_of_methods=self))

    def snapshot_parts(self):
        return {
            "images": self.images(),
            "facts": self.facts.order_by("criterion__position", "criterion", "pk"),
            # The labels the facts are shown under.
            "criteria": Criterion.objects.filter(facts__method=self)
            .distinct()
            .order_by("position", "pk"),
        }

    def embedders(self) -> Iterable[Publishable]:
        return (
            apps.get_model("content", "Comparison")
            .objects.filter(columns__method=self)
            .distinct()
        )


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
        return (
            apps.get_model("content", "Comparison")
            .objects.filter(
                columns__method_id=self.method_id, rows__criterion_id=self.criterion_id
            )
            .distinct()
        )

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.method, *self.grid_roots()]
