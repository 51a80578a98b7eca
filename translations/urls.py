"""The translation files' admin pages, under the admin's address and login."""

from django.contrib import admin
from django.urls import path

from translations.admin import apply_view, translations_view
from translations.status import status_view

urlpatterns = [
    path("", admin.site.admin_view(translations_view), name="translations"),
    path("apply/", admin.site.admin_view(apply_view), name="translations-apply"),
    path(
        "status/",
        admin.site.admin_view(status_view),
        name="translations-status",
    ),
]
