"""Item lists: titled lists shown by articles and the clinic profile.

What embeds these objects is defined in modules that import this one, so it is
looked up by name (``apps.get_model``), not imported."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from content.models.fields import position_field, slug_constraints, slug_field
from publication.models import (
    Part,
    Publishable,
    in_some_language,
    short,
)


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
        constraints = slug_constraints("content_itemlist")

    def __str__(self):
        return in_some_language(self, "title")

    def parts(self) -> Iterable[Part]:
        return self.items.all()

    def snapshot_parts(self):
        return {"items": self.items.order_by("position", "pk")}

    def embedders(self) -> Iterable[Publishable]:
        articles = (
            apps.get_model("content", "Article")
            .objects.filter(blocks__item_list=self)
            .distinct()
        )
        profiles = apps.get_model("content", "ClinicProfile").objects.filter(
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
