from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Clinic content")
admin.site.site_title = _("Clinic content")
admin.site.index_title = _("Patient education content and FAQ")

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
]
