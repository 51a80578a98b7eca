from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = _("FAQ")

    def ready(self):
        # An article's FAQ block shows FAQ items; content cannot import faq, so faq
        # tells content how to resolve the block.
        from content.apps import register_history
        from content.published import register_block_resolver
        from content.serializers import register_block_serializer
        from faq import models
        from faq.published import article_faq
        from faq.serializers import FAQBlockSerializer

        register_block_resolver("faq", article_faq)
        register_block_serializer("faq", FAQBlockSerializer)
        # The links to cause types, methods and articles are kept in the version.
        register_history(models.FAQCategory)
        register_history(models.FAQItem)
        register_public_types(models)


def register_public_types(models) -> None:
    """The API's public types of this app (api/registry.py)."""
    from api.registry import PublicType, register
    from faq.published import category_rows

    register(
        PublicType(
            "faq_item", "faq_items", models.FAQItem, "faqitem-list", "faqitem-detail"
        )
    )
    # A category is visible where one of its items is.
    register(
        PublicType(
            "faq_category",
            "faq_categories",
            models.FAQCategory,
            "faqcategory-list",
            "faqcategory-detail",
            version_rows=category_rows,
        )
    )
