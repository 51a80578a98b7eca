"""Endpoints that span the apps: the API root, the locales and the sitemap feed."""

from __future__ import annotations

from django.db.models import Count, F, Value
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.settings import api_settings

from clinic.api import schema
from clinic.api.base import ListView, PublicView, check_query_params
from clinic.api.errors import ApiError
from clinic.api.locale import english_name, hreflang, native_name
from clinic.api.representation import alternates, iso
from clinic.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES, column
from clinic.origin import absolute_url
from clinic.publication import published_field, visible_q
from content.models import (
    Aftercare,
    Article,
    CauseType,
    ClinicProfile,
    Comparison,
    ItemList,
    Method,
)
from faq.models import FAQCategory, FAQItem
from faq.selectors import category_last_change, category_visibility

# The addressable types: the sitemap's ``type`` and the locales' counts, with the
# route of their detail endpoint.
PUBLISHABLE_TYPES = {
    "article": (Article, "article-detail"),
    "cause_type": (CauseType, "causetype-detail"),
    "method": (Method, "method-detail"),
    "comparison": (Comparison, "comparison-detail"),
    "aftercare": (Aftercare, "aftercare-detail"),
    "item_list": (ItemList, "itemlist-detail"),
    "faq_item": (FAQItem, "faqitem-detail"),
}
CATEGORY_TYPE = "faq_category"
SITEMAP_TYPES = schema.SITEMAP_TYPES
assert (*PUBLISHABLE_TYPES, CATEGORY_TYPE) == SITEMAP_TYPES

ENDPOINTS = {
    "articles": "article-list",
    "cause_types": "causetype-list",
    "methods": "method-list",
    "comparisons": "comparison-list",
    "aftercare": "aftercare-list",
    "item_lists": "itemlist-list",
    "faq_items": "faqitem-list",
    "faq_categories": "faqcategory-list",
    "clinic": "clinic-profile",
    "locales": "locales",
    "sitemap": "sitemap",
    "schema": "schema",
    "docs": "swagger-ui",
    "redoc": "redoc",
}


# The types whose publication changes the locale counts and the sitemap.
ALL_TYPE_TAGS = (
    "aftercare",
    "article",
    "causetype",
    "clinicprofile",
    "comparison",
    "faqcategory",
    "faqitem",
    "itemlist",
    "method",
)


@schema.root_schema
class ApiRoot(PublicView):
    """What the API offers: its endpoints, languages and documentation."""

    localized = False

    def get(self, request, *args, **kwargs):
        return self.respond(
            {
                "version": "v1",
                "default_locale": DEFAULT_LANGUAGE,
                "locales": list(LANGUAGE_CODES),
                "endpoints": {
                    name: absolute_url(request, reverse(route))
                    for name, route in ENDPOINTS.items()
                },
            }
        )


def published_counts() -> dict[str, dict[str, int]]:
    """How many objects of each type are visible in each language: one query per
    type."""
    now = timezone.now()
    counts = {code: {} for code in LANGUAGE_CODES}
    for name, model in (
        ("articles", Article),
        ("cause_types", CauseType),
        ("methods", Method),
        ("comparisons", Comparison),
        ("aftercare", Aftercare),
        ("item_lists", ItemList),
        ("faq_items", FAQItem),
        ("clinic_profile", ClinicProfile),
    ):
        row = model.objects.aggregate(
            **{
                code: Count(
                    "pk",
                    filter=visible_q(code, at=now),
                )
                for code in LANGUAGE_CODES
            }
        )
        for code in LANGUAGE_CODES:
            counts[code][name] = row[code]
    row = FAQItem.objects.aggregate(
        **{
            code: Count(
                "category",
                distinct=True,
                filter=visible_q(code, at=now),
            )
            for code in LANGUAGE_CODES
        }
    )
    for code in LANGUAGE_CODES:
        counts[code]["faq_categories"] = row[code]
    return counts


@schema.locales_schema
class LocaleList(PublicView):
    """The content languages, with how many objects are published in each."""

    cache_tags = ALL_TYPE_TAGS

    localized = False

    def get(self, request, *args, **kwargs):
        counts = published_counts()
        return self.respond(
            [
                {
                    "code": code,
                    "name": english_name(code),
                    "native_name": native_name(code),
                    "hreflang": hreflang(code),
                    "default": code == DEFAULT_LANGUAGE,
                    "published": counts[code],
                }
                for code in LANGUAGE_CODES
            ]
        )


def sitemap_rows(code: str, types: tuple[str, ...]):
    """Every visible object of ``types`` in ``code`` as one ordered queryset (a
    UNION ALL, so a page costs two queries whatever the types)."""
    now = timezone.now()
    slugs = {f"s_{column('slug', c)}": F(column("slug", c)) for c in LANGUAGE_CODES}
    parts = []
    for order, name in enumerate(SITEMAP_TYPES):
        if name not in types:
            continue
        if name == CATEGORY_TYPE:
            qs = FAQCategory.objects.alias(**category_visibility(now)).filter(
                **{published_field(code): True}
            )
            flags = {
                f"s_{field}": expression
                for field, expression in category_visibility(now).items()
            }
            updated = category_last_change(code, now)
        else:
            qs = PUBLISHABLE_TYPES[name][0].objects.published(code)
            flags = {
                f"s_{published_field(c)}": F(published_field(c)) for c in LANGUAGE_CODES
            }
            updated = F("updated_at")
        parts.append(
            qs.order_by().values(
                "pk", s_type=Value(order), s_updated_at=updated, **flags, **slugs
            )
        )
    first, *rest = parts
    if rest:
        first = first.union(*rest, all=True)
    return first.order_by("s_type", "pk")


def sitemap_entry(row: dict, code: str) -> dict:
    plain = {key[2:]: value for key, value in row.items() if key.startswith("s_")}
    plain["updated_at"] = row["s_updated_at"]
    return {
        "type": SITEMAP_TYPES[row["s_type"]],
        "slug": plain[column("slug", code)],
        "updated_at": iso(row["s_updated_at"]),
        "alternates": alternates(plain),
    }


@schema.sitemap_schema
class Sitemap(ListView):
    """Every object published in the requested language, with its type, slug, last
    change and alternates, for the frontends' sitemap.xml."""

    cache_tags = ALL_TYPE_TAGS

    query_params = ("type",)

    def rows(self):
        wanted = self.request.query_params.get("type")
        if wanted is None:
            types = SITEMAP_TYPES
        elif wanted in SITEMAP_TYPES:
            types = (wanted,)
        else:
            raise ApiError(
                "Unknown type. Use one of: {types}.".format(
                    types=", ".join(SITEMAP_TYPES)
                ),
                code="invalid_parameter",
                details={"parameter": "type", "valid": list(SITEMAP_TYPES)},
            )
        return sitemap_rows(self.locale, types)

    def represent(self, rows):
        return [sitemap_entry(row, self.locale) for row in rows]


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
