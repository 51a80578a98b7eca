"""Articles and their blocks."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from content.models.aftercare import Aftercare
from content.models.comparisons import Comparison
from content.models.fields import (
    HttpsURLField,
    position_field,
    slug_constraints,
    slug_field,
)
from content.models.images import hero_field, image_field, images_shown
from content.models.lists import ItemList
from content.models.methods import Method
from publication.models import (
    Part,
    Publishable,
    embedded_problems,
    in_some_language,
    short,
)
from richtext import RichTextField, is_empty

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
    hero_image = hero_field("hero_of_articles")

    slug_source = "title"

    class Meta:
        ordering = ["-publish_at", "pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = slug_constraints("content_article")

    def __str__(self):
        return in_some_language(self, "title")

    def parts(self) -> Iterable[Part]:
        return [
            *self.blocks.select_related("item_list", "comparison", "aftercare"),
            *self.images(),
        ]

    def images(self):
        """The hero image and the image blocks' images."""
        return images_shown(Q(hero_of_articles=self) | Q(blocks__article=self))

    def snapshot_parts(self):
        return {
            "blocks": self.blocks.order_by("position", "pk"),
            "images": self.images(),
        }


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
        IMAGE = "image", _("Image")

    # Which reference each kind needs; used by clean() and the constraints.
    REQUIRED_REFERENCE = {
        Kind.LIST: "item_list",
        Kind.COMPARISON: "comparison",
        Kind.AFTERCARE: "aftercare",
        Kind.IMAGE: "image",
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
    image = image_field(_("image"), "blocks")
    caption = models.CharField(
        _("caption"),
        max_length=500,
        blank=True,
        help_text=_("Shown under the image instead of the image's own caption."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            # One constraint for every kind's reference (clean() names the
            # field first): a form checks each constraint with a query of its
            # own, for every block it validates.
            models.CheckConstraint(
                condition=Q(
                    *(
                        ~Q(kind=kind) | Q(**{f"{field}__isnull": False})
                        for kind, field in (
                            ("list", "item_list"),
                            ("comparison", "comparison"),
                            ("aftercare", "aftercare"),
                            ("image", "image"),
                        )
                    )
                ),
                name="content_articleblock_kind_has_its_reference",
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
