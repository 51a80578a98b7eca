"""The FAQ: categories and items. faq may import content, never the reverse."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models import (
    Article,
    CauseType,
    Method,
    position_field,
    slug_constraints,
    slug_field,
)
from faq.search import search_text
from publication.languages import LANGUAGE_CODES, column
from publication.models import (
    Part,
    Publishable,
    in_some_language,
    value_in,
)
from richtext import RichTextField


class FAQCategory(Part):
    """A label that groups FAQ items; shown with every item, so it must be
    translated wherever one of its items is published."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. Mouth corner asymmetry")
    )
    slug = slug_field()
    position = position_field()

    slug_source = "name"

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        constraints = slug_constraints("faq_category")

    def __str__(self):
        return in_some_language(self, "name")

    def publication_roots(self) -> Iterable[Publishable]:
        if self.pk is None:
            return []
        # Drafts too: their stored completeness changes with the label.
        return self.items.all()


class FAQItem(Publishable):
    question = models.CharField(
        _("question"),
        max_length=400,
        help_text=_("e.g. Can Botox alone correct it, or do I need surgery?"),
    )
    slug = slug_field()
    answer = RichTextField(_("answer"), blank=False)
    category = models.ForeignKey(
        FAQCategory,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("category"),
    )
    position = position_field()
    cause_types = models.ManyToManyField(
        CauseType, blank=True, related_name="faq_items", verbose_name=_("cause types")
    )
    methods = models.ManyToManyField(
        Method, blank=True, related_name="faq_items", verbose_name=_("methods")
    )
    articles = models.ManyToManyField(
        Article,
        blank=True,
        related_name="faq_items",
        verbose_name=_("articles"),
        help_text=_("Articles whose FAQ block shows this question."),
    )
    # The question and the answer as plain text, per language, for the public search:
    # searching the stored HTML would match tag names and link addresses.
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    slug_source = "question"

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("FAQ item")
        verbose_name_plural = _("FAQ items")
        constraints = slug_constraints("faq_item")

    def __str__(self):
        return in_some_language(self, "question")

    def save(self, *args, **kwargs):
        for code in LANGUAGE_CODES:
            text = search_text(
                value_in(self, "question", code), value_in(self, "answer", code)
            )
            setattr(self, column("search_text", code), text)
        super().save(*args, **kwargs)

    def shown_in(self):
        return self.articles.all()

    def label_tags(self, *snapshots):
        # A category's documents show its items' count and last change.
        return {
            f"faqcategory-{row['id']}"
            for data in snapshots
            for row in data["parts"].get("category", [])
        }

    def snapshot_parts(self):
        # The category's name is shown with the item.
        return {"category": FAQCategory.objects.filter(pk=self.category_id)}

    def problems(self, code: str) -> list[str]:
        problems = super().problems(code)
        if self.category_id:
            problems += self.category.problems(code)
        return problems
