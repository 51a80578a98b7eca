import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from api import preview
from api import views as api


def media(request, path, document_root):
    response = serve(request, path, document_root=document_root)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


admin.site.site_header = _("Clinic content")
admin.site.site_title = _("Clinic content")
admin.site.index_title = _("Patient education content and FAQ")
# "View site" leads to the frontend, or is not shown (None) when there is none.
admin.site.site_url = settings.FRONTEND_URL or None

api_v1 = [
    path("", api.ApiRoot.as_view(), name="api-root"),
    path("locales/", api.LocaleList.as_view(), name="locales"),
    path("sitemap/", api.Sitemap.as_view(), name="sitemap"),
    path("sitemap/redirects/", api.Redirects.as_view(), name="redirects"),
    path(
        "preview/<str:type_name>/<int:pk>/",
        preview.PreviewView.as_view(),
        name="preview",
    ),
    # drf-spectacular's views, read-only and strict like the others.
    path("schema/", api.SchemaView.as_view(), name="schema"),
    path("docs/", api.SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", api.RedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("content.urls")),
    path("", include("faq.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path(f"{settings.ADMIN_URL}translations/", include("translations.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# Uploaded images, served by the app where no web server or bucket does (`make
# run`; SERVE_MEDIA): names are made here and never reused, so they are cached for
# good. Production serves MEDIA_ROOT from nginx (deploy/nginx.conf) or a bucket.
MEDIA_PATH = urlsplit(settings.MEDIA_URL).path.lstrip("/")
if settings.SERVE_MEDIA and MEDIA_PATH:
    urlpatterns.append(
        re_path(
            rf"^{re.escape(MEDIA_PATH)}(?P<path>.+)$",
            media,
            {"document_root": settings.MEDIA_ROOT},
            name="media",
        )
    )

handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
