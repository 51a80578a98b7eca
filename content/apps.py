from django.apps import AppConfig
from django.db import models
from django.utils.translation import gettext_lazy as _


def register_history(model: type[models.Model], *, follow: tuple[str, ...] = ()):
    """Keep versions of ``model`` (django-reversion) for the admin's history,
    revert and recovery of deleted objects.

    Called from ``ready()``, which runs after modeltranslation has added the
    ``<field>_<lang>`` columns, so that a version holds every language's column.
    The original field behind each translated column (``title``) is left out: its
    value is whichever language was active when the version was saved. ``follow``
    names the parts (reverse relations) saved, reverted and recovered with the
    object.
    """
    import reversion
    from modeltranslation.translator import NotRegistered, translator

    try:
        translated = tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        translated = ()
    reversion.register(model, exclude=translated, follow=follow)


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self):
        # Connects the receiver that asks the worker for an image's renditions.
        from content import models as content
        from content import renditions  # noqa: F401

        register_history(content.Criterion)
        register_history(content.Method, follow=("facts",))
        register_history(content.MethodFact)
        register_history(content.Comparison, follow=("columns", "rows"))
        register_history(content.ComparisonColumn)
        register_history(content.ComparisonRow)
        register_history(content.Aftercare, follow=("stages", "tracks"))
        # Every cell of a timeline belongs to one stage: following the stages'
        # entries keeps the whole grid.
        register_history(content.AftercareStage, follow=("entries",))
        register_history(content.AftercareTrack)
        register_history(content.AftercareEntry)
        register_history(content.ItemList, follow=("items",))
        register_history(content.ListItem)
        register_history(content.CauseType)
        register_history(content.Article, follow=("blocks",))
        register_history(content.ArticleBlock)
        register_history(content.ClinicProfile, follow=("channels",))
        register_history(content.ClinicChannel)
        # An image is a label: its history is its own (the file never changes).
        register_history(content.Image)
        register_public_types(content)


def register_public_types(content) -> None:
    """The API's public types of this app (api/registry.py), in the order the
    sitemap lists them."""
    from api.registry import PublicType, register

    for name, key, model, route in (
        ("article", "articles", content.Article, "article"),
        ("cause_type", "cause_types", content.CauseType, "causetype"),
        ("method", "methods", content.Method, "method"),
        ("comparison", "comparisons", content.Comparison, "comparison"),
        ("aftercare", "aftercare", content.Aftercare, "aftercare"),
        ("item_list", "item_lists", content.ItemList, "itemlist"),
    ):
        register(PublicType(name, key, model, f"{route}-list", f"{route}-detail"))
    # One profile, outside the sitemap; its endpoint is the object itself.
    register(
        PublicType(
            None,
            "clinic_profile",
            content.ClinicProfile,
            "clinic-profile",
            endpoint="clinic",
        )
    )
