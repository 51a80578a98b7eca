"""The serializers that render every public response, and from which the OpenAPI
schema is generated (drf-spectacular): each shape is described once.

Content serializers read ``api.published.Localized`` objects, published versions
as one locale shows them, resolved by each app's ``published.py``; what is derived
from stored values (sanitized HTML, excerpts, ISO 8601 times, the alternates, the
cache tags of what a response shows) is a field or a base class here.
"""

import datetime as dt
import functools

from django.utils.text import Truncator
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.cache import shown
from api.errors import ERROR_CODES
from api.locale import hreflang
from publication.languages import LANGUAGE_CODES
from richtext import plain_text, sanitize

EXCERPT_LENGTH = 200
HTML = "Rich text, sanitized HTML (p, h2–h4, strong, em, u, s, lists, a, blockquote)."


@functools.lru_cache(maxsize=4096)
def iso(value: dt.datetime | dt.date) -> str:
    """ISO 8601; times in UTC with ``Z`` and whole seconds. Memoized: a page shows
    the same few timestamps on every render, and equal instants format alike."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).replace(microsecond=0)
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


class InstantField(serializers.DateTimeField):
    """A time in UTC, whole seconds, ``Z``: the same text whatever the settings."""

    def to_representation(self, value):
        return iso(value)


class DayField(serializers.DateField):
    def to_representation(self, value):
        return iso(value)


class HtmlField(serializers.CharField):
    """Rich text as served: sanitized again on output (stored text was sanitized
    on save; this also covers rows written around the model, e.g. raw SQL)."""

    def to_representation(self, value):
        return sanitize(value)


@functools.lru_cache(maxsize=4096)
def excerpt(value: str) -> str:
    """The plain text of rich text as served, cut at a word for cards."""
    return Truncator(plain_text(sanitize(value))).chars(EXCERPT_LENGTH)


class ExcerptField(serializers.CharField):
    """The plain text of a rich text field (``source``), cut at a word."""

    def to_representation(self, value):
        return excerpt(value)


class ShownSerializer(serializers.Serializer):
    # The shape of a published object. Rendering one records it among what the
    # response shows (api.cache.shown): its cache tags, by which the CDN purges
    # and the delivery store renders again what shows a changed object. (A comment,
    # not a docstring: the schema would show it as the components' description.)

    def to_representation(self, instance):
        if instance.shown_as:
            shown(instance.shown_as, instance.pk)
        return super().to_representation(instance)


# The BCP 47 tags of the content languages, in LANGUAGES order (``zh-Hans``).
HREFLANGS = tuple(hreflang(code) for code in LANGUAGE_CODES)


class AlternateSerializer(serializers.Serializer):
    locale = serializers.ChoiceField(LANGUAGE_CODES, help_text="Content language code.")
    hreflang = serializers.ChoiceField(
        HREFLANGS,
        help_text="BCP 47 tag for <link rel=alternate hreflang>, e.g. zh-Hans.",
    )
    slug = serializers.CharField(
        help_text="The object's slug in that language; empty for the clinic "
        "profile, which has none."
    )


class AlternatesSerializer(serializers.Serializer):
    languages = AlternateSerializer(
        many=True,
        help_text="Every language the object is published in (this one included).",
    )
    x_default = AlternateSerializer(
        allow_null=True,
        help_text="The version for users whose language has none: the default "
        "language when published there, else the first published language.",
    )


class PublishedSerializer(ShownSerializer):
    """What every addressable object carries."""

    locale = serializers.ChoiceField(
        LANGUAGE_CODES, help_text="The language of every text in this object."
    )
    slug = serializers.CharField(help_text="The slug in this language.")
    alternates = AlternatesSerializer()
    updated_at = InstantField(
        help_text="Last change of the object, its parts or what it embeds (UTC)."
    )


class RefSerializer(ShownSerializer):
    """A visible object referred to by slug and name."""

    slug = serializers.CharField()
    name = serializers.CharField()


# Errors: one shape, whose ``details`` depend on the ``code``.


@extend_schema_field(
    {"type": "object", "additionalProperties": False, "description": "Always {}."}
)
class NoDetailsField(serializers.DictField):
    pass


class PlainErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    # Its values are each variant's codes (ERROR_DETAILS), written into the schema
    # from the discriminator (api.schema.discriminator_values).
    code = serializers.CharField(help_text="Machine-readable.")
    message = serializers.CharField(help_text="Human-readable, in English.")
    details = NoDetailsField()


class NotInLocaleDetailsSerializer(serializers.Serializer):
    locale = serializers.ChoiceField(LANGUAGE_CODES, help_text="The locale asked for.")
    slug = serializers.CharField(help_text="The object's slug in it: redirect there.")


class NotInLocaleErrorSerializer(PlainErrorSerializer):
    details = NotInLocaleDetailsSerializer()


class InvalidLocaleDetailsSerializer(serializers.Serializer):
    parameter = serializers.CharField(help_text="locale")
    valid = serializers.ListField(child=serializers.ChoiceField(LANGUAGE_CODES))


class InvalidLocaleErrorSerializer(PlainErrorSerializer):
    details = InvalidLocaleDetailsSerializer()


class UnknownParameterDetailsSerializer(serializers.Serializer):
    unknown = serializers.ListField(
        child=serializers.CharField(), help_text="The first ten, cut to 40 characters."
    )
    allowed = serializers.ListField(
        child=serializers.CharField(), help_text="What the endpoint accepts."
    )


class UnknownParameterErrorSerializer(PlainErrorSerializer):
    details = UnknownParameterDetailsSerializer()


class FilterErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()


class InvalidParameterDetailsSerializer(serializers.Serializer):
    """One of: a parameter out of bounds (``parameter``, with ``maximum`` or
    ``valid``), parameters given more than once (``repeated``), or FAQ filter
    values refused (``fields``)."""

    parameter = serializers.CharField(required=False)
    maximum = serializers.IntegerField(
        required=False, allow_null=True, help_text="Null: no upper bound."
    )
    valid = serializers.ListField(child=serializers.CharField(), required=False)
    repeated = serializers.ListField(child=serializers.CharField(), required=False)
    fields = serializers.DictField(
        child=FilterErrorSerializer(many=True),
        required=False,
        help_text="The refusals of each filter.",
    )

    def to_representation(self, instance):
        # Only the keys this error has (DRF would add ``maximum: null``).
        data = super().to_representation(instance)
        return {name: value for name, value in data.items() if name in instance}


class InvalidParameterErrorSerializer(PlainErrorSerializer):
    details = InvalidParameterDetailsSerializer()


class ThrottledDetailsSerializer(serializers.Serializer):
    retry_after = serializers.IntegerField(help_text="Seconds; also in Retry-After.")


class ThrottledErrorSerializer(PlainErrorSerializer):
    details = ThrottledDetailsSerializer()


# Code → the shape of its error; a code not named here has empty details.
ERROR_DETAILS: dict[str, type[serializers.Serializer]] = {
    code: {
        "not_in_locale": NotInLocaleErrorSerializer,
        "invalid_locale": InvalidLocaleErrorSerializer,
        "unknown_parameter": UnknownParameterErrorSerializer,
        "invalid_parameter": InvalidParameterErrorSerializer,
        "throttled": ThrottledErrorSerializer,
    }.get(code, PlainErrorSerializer)
    for code in ERROR_CODES
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="ErrorDetail",
        serializers=ERROR_DETAILS,
        resource_type_field_name="code",
    )
)
class ErrorField(serializers.Field):
    """An error, its details shaped by its code."""

    def to_representation(self, value):
        return ERROR_DETAILS[value["code"]](value).data


class ErrorSerializer(serializers.Serializer):
    error = ErrorField()


def paginated(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The page envelope around ``item`` (a named schema component per item)."""
    name = item.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}ListSerializer",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Objects on all pages."),
            "page": serializers.IntegerField(),
            "pages": serializers.IntegerField(),
            "page_size": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
            "__module__": item.__module__,
        },
    )
