"""OpenAPI annotations shared by the public views (drf-spectacular)."""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from api.pagination import DEFAULT_PAGE_SIZE, MAX_DIGITS, MAX_PAGE_SIZE
from api.registry import public_types, sitemap_types
from api.serializers import (
    HREFLANGS,
    AlternatesSerializer,
    ErrorSerializer,
    InstantField,
    ShownSerializer,
    paginated,
)
from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES

LOCALE = OpenApiParameter(
    "locale",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=list(LANGUAGE_CODES),
    default=DEFAULT_LANGUAGE,
    description="Content language. Absent means the default language; anything "
    "else than these codes is a 400.",
)
PAGE = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1, "maximum": 10**MAX_DIGITS - 1},
    OpenApiParameter.QUERY,
    description="Page number, from 1. A page past the last is a 404.",
)
PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    OpenApiParameter.QUERY,
    description=f"Objects per page, 1 to {MAX_PAGE_SIZE} (default "
    f"{DEFAULT_PAGE_SIZE}); more is a 400.",
)
SLUG = OpenApiParameter(
    "slug",
    {"type": "string", "maxLength": 200},
    OpenApiParameter.PATH,
    description="The object's slug in the requested locale (Unicode allowed). "
    "Another language's slug answers 404 with the right slug in "
    "error.details.slug when the object is published in the requested locale.",
)


# Postprocessing (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"], after the enums'):
# drf-spectacular writes two things the way only some OpenAPI tools read them.

# The null branch of a nullable reference: OpenAPI 3.0 has no null type, and
# ``nullable`` counts only beside a ``type``.
NULL = {"type": "object", "nullable": True, "enum": [None]}


def strict_openapi(result: dict, **kwargs) -> dict:
    """The schema as every OpenAPI 3.0 validator reads it (Ajv, jsonschema,
    openapi-spec-validator, schemathesis), not only code generators."""
    schemas = result["components"]["schemas"]
    for schema in schemas.values():
        discriminator_values(schema, schemas)
    nullable_references(result)
    return result


def discriminator_values(schema: dict, schemas: dict) -> None:
    """A discriminator's ``mapping`` becomes each variant's own enum of the values
    mapped to it, so that exactly one branch of the ``oneOf`` matches in any
    validator and a typed client gets a union told apart by a literal.

    The mapping itself cannot stay: Ajv refuses it. Without it, OpenAPI reads the
    values as the variants' schema names (schemathesis checks that), so the
    discriminator stays only where that is true (``GraphNode``: ``@type`` is the
    component's name); elsewhere the enums alone tell the variants apart."""
    discriminator = schema.get("discriminator")
    if not discriminator or "mapping" not in discriminator:
        return
    values: dict[str, list[str]] = {}
    for value, ref in discriminator.pop("mapping").items():
        values.setdefault(ref.removeprefix("#/components/schemas/"), []).append(value)
    name = discriminator["propertyName"]
    for component, enum in values.items():
        variant = schemas[component]
        described = variant["properties"][name].get("description")
        variant["properties"][name] = {"type": "string", "enum": enum}
        if described:
            variant["properties"][name]["description"] = described
    if any(enum != [component] for component, enum in values.items()):
        del schema["discriminator"]


def nullable_references(node) -> None:
    """``allOf: [$ref]`` + ``nullable`` (which Ajv refuses, and which means "not
    null" in OpenAPI 3.0.3) becomes ``oneOf: [$ref, null]``."""
    if isinstance(node, list):
        for item in node:
            nullable_references(item)
    elif isinstance(node, dict):
        single = len(node.get("allOf", ())) == 1
        if node.get("nullable") and "type" not in node and single:
            del node["nullable"]
            node["oneOf"] = [node.pop("allOf")[0], dict(NULL)]
        for value in node.values():
            nullable_references(value)


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


COMMON_ERRORS = {
    400: error("Unknown or malformed query parameter, or an unknown locale."),
    429: error("Too many requests; see the Retry-After header."),
    500: error("Unexpected server error."),
    503: error("A dependency (the database) is unavailable; see Retry-After."),
}
CONTENT_LANGUAGE = "The response carries Content-Language with the locale's BCP 47 tag."


def operation_id(cls) -> str:
    """``FAQItemDetail`` → ``faq_item_detail``: one stable id per endpoint."""
    return re.sub(
        r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", cls.__name__
    ).lower()


# Conditional requests and the caching headers (api/cache.py): every public
# GET answers with validators and CDN headers, and a 304 to a matching validator.
CONDITIONAL_REQUEST = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="ETag(s) the client holds; a match answers 304 with no body.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="HTTP date; ignored when If-None-Match is sent. Not modified "
        "since then answers 304.",
    ),
]
NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the validator still matches. No body; the "
    "validators, Cache-Control and cache tags are sent again."
)


def response_headers(*, localized: bool) -> list[OpenApiParameter]:
    def header(name: str, description: str, *, required: bool = True):
        return OpenApiParameter(
            name,
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=required,
            description=description,
            response=[200, 304],
        )

    headers = [
        header("ETag", "Strong validator of the body's bytes."),
        header(
            "Last-Modified",
            "HTTP date of the content version that made the body.",
        ),
        header(
            "Cache-Control",
            "public, max-age, s-maxage, stale-while-revalidate and stale-if-error "
            "(settings API_CACHE_MAX_AGE, API_CACHE_S_MAXAGE, "
            "API_CACHE_STALE_WHILE_REVALIDATE, API_CACHE_STALE_IF_ERROR).",
        ),
        header(
            "Cache-Tag",
            "Comma-separated tags of the objects and types shown (e.g. "
            "article-12,article), for a CDN's purge by tag.",
            required=False,
        ),
        header(
            "Surrogate-Key",
            "The same tags, space-separated (Fastly's spelling).",
            required=False,
        ),
    ]
    if localized:
        headers.append(
            header("Content-Language", "The locale's BCP 47 tag, e.g. zh-Hans.")
        )
    return headers


def named(**decorator_kwargs):
    """``extend_schema`` with the operation id taken from the view's class name, the
    conditional request headers, the caching response headers and the 304."""
    parameters = list(decorator_kwargs.pop("parameters", []))
    localized = any(p.name == LOCALE.name for p in parameters)
    decorator_kwargs["parameters"] = [
        *parameters,
        *CONDITIONAL_REQUEST,
        *response_headers(localized=localized),
    ]
    responses = dict(decorator_kwargs.pop("responses"))
    decorator_kwargs["responses"] = {200: responses.pop(200), 304: NOT_MODIFIED}
    decorator_kwargs["responses"].update(responses)

    def decorate(cls):
        schema = extend_schema(operation_id=operation_id(cls), **decorator_kwargs)
        return extend_schema_view(get=schema)(cls)

    return decorate


def rendered_by(serializer, decorate):
    """``decorate`` (a schema), and ``serializer`` as the view's
    ``serializer_class``: the serializer the schema documents is the one that
    renders the view's objects."""

    def decorator(cls):
        cls.serializer_class = serializer
        return decorate(cls)

    return decorator


def list_schema(item, *, tag: str, parameters=(), envelope=None):
    """A page of ``item``s, which ``item`` renders."""
    return rendered_by(
        item,
        named(
            tags=[tag],
            parameters=[LOCALE, PAGE, PAGE_SIZE, *parameters],
            responses={
                200: OpenApiResponse(
                    envelope or paginated(item), description=CONTENT_LANGUAGE
                ),
                404: error("No such page."),
                **COMMON_ERRORS,
            },
        ),
    )


def detail_schema(item, *, tag: str):
    return rendered_by(
        item,
        named(
            tags=[tag],
            parameters=[LOCALE, SLUG],
            responses={
                200: OpenApiResponse(item, description=CONTENT_LANGUAGE),
                404: error(
                    "Not published in this locale, or not at this slug; "
                    "code not_in_locale gives the right slug."
                ),
                **COMMON_ERRORS,
            },
        ),
    )


def locale_only_schema(item, *, tag: str):
    return rendered_by(
        item,
        named(
            **{
                "tags": [tag],
                "parameters": [LOCALE],
                "responses": {
                    200: OpenApiResponse(item, description=CONTENT_LANGUAGE),
                    404: error("Not published in this locale."),
                    **COMMON_ERRORS,
                },
            }
        ),
    )


class LocaleCountsSerializer(serializers.Serializer):
    # A count per public type (api/registry.py).
    def get_fields(self):
        return {kind.key: serializers.IntegerField() for kind in public_types()}


class LocaleSerializer(serializers.Serializer):
    code = serializers.ChoiceField(LANGUAGE_CODES, help_text="The ?locale= value.")
    name = serializers.CharField(help_text="English name.")
    native_name = serializers.CharField(help_text="Name in the language itself.")
    hreflang = serializers.ChoiceField(HREFLANGS, help_text="BCP 47 tag, e.g. zh-Hans.")
    default = serializers.BooleanField(help_text="The language of an absent locale.")
    published = LocaleCountsSerializer(
        help_text="How many objects of each type are published in it now."
    )


locales_schema = rendered_by(
    LocaleSerializer,
    named(
        **{
            "tags": ["meta"],
            "responses": {200: LocaleSerializer(many=True), **COMMON_ERRORS},
        }
    ),
)


class RootSerializer(serializers.Serializer):
    version = serializers.CharField()
    default_locale = serializers.ChoiceField(LANGUAGE_CODES)
    locales = serializers.ListField(child=serializers.ChoiceField(LANGUAGE_CODES))
    endpoints = serializers.DictField(child=serializers.URLField())


root_schema = rendered_by(
    RootSerializer,
    named(**{"tags": ["meta"], "responses": {200: RootSerializer, **COMMON_ERRORS}}),
)


# The sitemap's object types, in the order the feed lists them (the name the
# schema's SitemapTypeEnum is given in settings refers to it).
SITEMAP_TYPES = tuple(kind.name for kind in sitemap_types())


class SitemapEntrySerializer(ShownSerializer):
    type = serializers.ChoiceField(SITEMAP_TYPES)
    slug = serializers.CharField()
    updated_at = InstantField()
    alternates = AlternatesSerializer()


sitemap_schema = list_schema(
    SitemapEntrySerializer,
    tag="meta",
    parameters=[
        OpenApiParameter(
            "type",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            enum=list(SITEMAP_TYPES),
            description="Only objects of this type.",
        )
    ],
)


class RedirectSerializer(serializers.Serializer):
    """An old slug of an object and its slug now, in the requested language."""

    type = serializers.ChoiceField(SITEMAP_TYPES)
    from_slug = serializers.CharField()
    to_slug = serializers.CharField()


redirects_schema = list_schema(RedirectSerializer, tag="meta")
