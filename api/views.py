"""Endpoints that span the apps: the API root, the locales and the sitemap feed."""

from __future__ import annotations

from typing import NamedTuple

from django.urls import reverse
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.settings import api_settings

from api import schema
from api.base import ListView, PublicView, check_query_params
from api.errors import ApiError
from api.locale import english_name, hreflang, native_name
from api.published import SitemapRows, published_counts
from api.registry import public_types, sitemap_types
from publication import changes
from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES
from runtime.origin import absolute_url

# The documents beside the types' endpoints in the root.
ENDPOINTS = {
    "locales": "locales",
    "sitemap": "sitemap",
    "redirects": "redirects",
    "schema": "schema",
    "docs": "swagger-ui",
    "redoc": "redoc",
}


class Root(NamedTuple):
    """What the API root shows (``RootSerializer``)."""

    endpoints: dict[str, str]
    version: str = "v1"
    default_locale: str = DEFAULT_LANGUAGE
    locales: tuple[str, ...] = LANGUAGE_CODES


class Locale(NamedTuple):
    """A content language as the locale list shows it (``LocaleSerializer``), with
    how many objects of each type are visible in it."""

    code: str
    published: dict[str, int]

    @property
    def name(self) -> str:
        return english_name(self.code)

    @property
    def native_name(self) -> str:
        return native_name(self.code)

    @property
    def hreflang(self) -> str:
        return hreflang(self.code)

    @property
    def default(self) -> bool:
        return self.code == DEFAULT_LANGUAGE


def all_type_tags() -> tuple[str, ...]:
    """The tags of every type: the locale counts and the sitemap change with any."""
    return tuple(sorted(kind.tag for kind in public_types()))


@schema.root_schema
class ApiRoot(PublicView):
    """What the API offers: its endpoints, languages and documentation."""

    localized = False

    def get(self, request, *args, **kwargs):
        endpoints = {
            name: absolute_url(request, reverse(route))
            for name, route in (
                *((kind.endpoint_key, kind.list_route) for kind in public_types()),
                *ENDPOINTS.items(),
            )
        }
        return self.respond(self.serialize(Root(endpoints)))


@schema.locales_schema
class LocaleList(PublicView):
    """The content languages, with how many objects are published in each."""

    localized = False

    @property
    def cache_tags(self):
        return all_type_tags()

    def get(self, request, *args, **kwargs):
        counts = published_counts(self.published)
        locales = [Locale(code, counts[code]) for code in LANGUAGE_CODES]
        return self.respond(self.serialize(locales, many=True))


@schema.sitemap_schema
class Sitemap(ListView):
    """Every object published in the requested language, with its type, slug, last
    change and alternates, for the frontends' sitemap.xml."""

    query_params = ("type",)

    @property
    def cache_tags(self):
        return all_type_tags()

    def rows(self):
        wanted = self.request.query_params.get("type")
        names = tuple(kind.name for kind in sitemap_types())
        if wanted is None:
            pass
        elif wanted in names:
            names = (wanted,)
        else:
            raise ApiError(
                "Unknown type. Use one of: {types}.".format(types=", ".join(names)),
                code="invalid_parameter",
                details={"parameter": "type", "valid": list(names)},
            )
        return SitemapRows(self.published, self.locale, names)


@schema.redirects_schema
class Redirects(ListView):
    """The old slugs of objects published in the requested language, each with its
    slug now, for the frontends' redirects (an old slug's detail answers
    ``moved``)."""

    @property
    def cache_tags(self):
        return all_type_tags()

    def rows(self):
        return changes.redirects(self.locale)


class StrictDocumentation:
    """drf-spectacular's schema and documentation views, GET/HEAD only and as strict
    as the public views: no query parameter. Their ``lang`` and ``version`` would
    echo client input into the schema, the pages and the schema's
    Content-Disposition header (where a newline was a 500)."""

    http_method_names = ["get", "head"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.lower() in self.http_method_names:
            check_query_params(request.query_params, [])

    def handle_exception(self, exc):
        # The pages render HTML; their errors are the API's JSON error shape.
        renderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
        self.request.accepted_renderer = renderer
        self.request.accepted_media_type = renderer.media_type
        return super().handle_exception(exc)


class SchemaView(StrictDocumentation, SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; JSON with ``Accept: application/json``)."""


class SwaggerView(StrictDocumentation, SpectacularSwaggerView):
    """Swagger UI on the schema."""


class RedocView(StrictDocumentation, SpectacularRedocView):
    """Redoc on the schema."""
