from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from clinic.api import views as api

admin.site.site_header = _("Clinic content")
admin.site.site_title = _("Clinic content")
admin.site.index_title = _("Patient education content and FAQ")

# The schema and docs views answer GET and HEAD only, like every public view.
READ_ONLY = {"http_method_names": ["get", "head"]}

api_v1 = [
    path("", api.ApiRoot.as_view(), name="api-root"),
    path("locales/", api.LocaleList.as_view(), name="locales"),
    path("sitemap/", api.Sitemap.as_view(), name="sitemap"),
    path("schema/", SpectacularAPIView.as_view(**READ_ONLY), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="schema", **READ_ONLY),
        name="swagger-ui",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="schema", **READ_ONLY),
        name="redoc",
    ),
    path("", include("content.urls")),
    path("", include("faq.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.BENCH_CONSTANT_BYTES:
    # `make bench` only: the ceiling of this stack (clinic/bench.py).
    from clinic.bench_views import constant_bytes

    urlpatterns.append(path("bench/constant/", constant_bytes))

handler400 = "clinic.api.errors.bad_request"
handler403 = "clinic.api.errors.permission_denied"
handler404 = "clinic.api.errors.page_not_found"
handler500 = "clinic.api.errors.server_error"
