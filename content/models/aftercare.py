"""Aftercare timelines: stages, tracks and what to do in each.

What embeds these objects is defined in modules that import this one, so it is
looked up by name (``apps.get_model``), not imported."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from content.models.fields import (
    grid_problems,
    position_field,
    slug_constraints,
    slug_field,
)
from content.models.methods import Method
from publication.models import (
    GridCell,
    Part,
    Publishable,
    in_some_language,
)
from richtext import RichTextField


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
        constraints = slug_constraints("content_aftercare")

    def __str__(self):
        return in_some_language(self, "title")

    def grid(self):
        stages = list(self.stages.all())
        tracks = list(self.tracks.select_related("method"))
        entries = AftercareEntry.objects.filter(stage__aftercare=self)
        cells = {(e.stage_id, e.track_id): e for e in entries}
        return stages, tracks, cells

    def snapshot_parts(self):
        return {
            "stages": self.stages.order_by("position", "pk"),
            "tracks": self.tracks.order_by("position", "pk"),
            "entries": AftercareEntry.objects.filter(stage__aftercare=self).order_by(
                "stage__position", "track__position", "pk"
            ),
        }

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
        return (
            apps.get_model("content", "Article")
            .objects.filter(blocks__aftercare=self)
            .distinct()
        )


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
