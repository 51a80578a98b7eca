"""Translated fields of the FAQ models (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from faq import models


@register(models.FAQCategory)
class FAQCategoryTranslation(TranslationOptions):
    fields = ("name", "slug")


@register(models.FAQItem)
class FAQItemTranslation(TranslationOptions):
    fields = ("question", "slug", "answer", "search_text")
