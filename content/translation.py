"""Translated fields of the content models (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from content import models


@register(models.Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name",)


@register(models.Method)
class MethodTranslation(TranslationOptions):
    fields = ("name", "slug", "summary")


@register(models.MethodFact)
class MethodFactTranslation(TranslationOptions):
    fields = ("text",)


@register(models.Comparison)
class ComparisonTranslation(TranslationOptions):
    fields = ("title", "slug", "intro", "conclusion")


@register(models.Aftercare)
class AftercareTranslation(TranslationOptions):
    fields = ("title", "slug", "intro")


@register(models.AftercareStage)
class AftercareStageTranslation(TranslationOptions):
    fields = ("label",)


@register(models.AftercareTrack)
class AftercareTrackTranslation(TranslationOptions):
    fields = ("label",)


@register(models.AftercareEntry)
class AftercareEntryTranslation(TranslationOptions):
    fields = ("text",)


@register(models.ItemList)
class ItemListTranslation(TranslationOptions):
    fields = ("title", "slug", "intro")


@register(models.ListItem)
class ListItemTranslation(TranslationOptions):
    fields = ("title", "text")


@register(models.CauseType)
class CauseTypeTranslation(TranslationOptions):
    fields = (
        "name",
        "slug",
        "tagline",
        "description",
        "first_step",
        "red_flags",
        "refer_to",
    )


@register(models.Article)
class ArticleTranslation(TranslationOptions):
    fields = (
        "title",
        "slug",
        "summary",
        "seo_title",
        "meta_description",
        "topic",
        "reviewed_by",
    )


@register(models.ArticleBlock)
class ArticleBlockTranslation(TranslationOptions):
    fields = ("heading", "body", "cta_label", "cta_url", "caption")


@register(models.Image)
class ImageTranslation(TranslationOptions):
    fields = ("alt_text", "caption", "credit")


@register(models.ClinicProfile)
class ClinicProfileTranslation(TranslationOptions):
    fields = ("name", "slogan", "description")


@register(models.ClinicChannel)
class ClinicChannelTranslation(TranslationOptions):
    fields = ("label", "description", "url")
