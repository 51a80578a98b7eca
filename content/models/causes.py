"""Cause types."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.fields import position_field, slug_constraints, slug_field
from content.models.images import hero_field, images_shown
from content.models.methods import Method
from publication.models import (
    Publishable,
    in_some_language,
)
from richtext import RichTextField


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
    hero_image = hero_field("hero_of_cause_types")

    slug_source = "name"

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("cause type")
        verbose_name_plural = _("cause types")
        constraints = slug_constraints("content_causetype")

    def __str__(self):
        return in_some_language(self, "name")

    def parts(self):
        return self.images()

    def images(self):
        return images_shown(models.Q(hero_of_cause_types=self))

    def snapshot_parts(self):
        return {"images": self.images()}
