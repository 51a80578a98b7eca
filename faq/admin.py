from django.contrib import admin

from faq import models
from publication.admin import (
    PublishableAdmin,
    SortableAdminMixin,
    TranslatedAdmin,
    translated_search_fields,
)


@admin.register(models.FAQCategory)
class FAQCategoryAdmin(SortableAdminMixin, TranslatedAdmin):
    list_display = ("name",)
    search_fields = translated_search_fields("name")


@admin.register(models.FAQItem)
class FAQItemAdmin(SortableAdminMixin, PublishableAdmin):
    list_display = ("question", "category")
    list_select_related = ("category",)
    list_filter = (*PublishableAdmin.list_filter, "category")
    search_fields = translated_search_fields("question", "answer")
    filter_horizontal = ("cause_types", "methods", "articles")

    fieldsets = [
        (None, {"fields": ("question", "slug", "answer", "category")}),
        (None, {"fields": ("cause_types", "methods", "articles")}),
    ]
