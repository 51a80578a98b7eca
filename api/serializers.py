"""Shapes shared by every endpoint, declared for the OpenAPI schema (drf-spectacular).

The views build their JSON from rows (``representation.py``); these serializers are
the documented contract. ``tests/api`` renders every response through them and
requires it unchanged, so the two cannot drift apart.
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.errors import ERROR_CODES
from api.locale import hreflang
from publication.languages import LANGUAGE_CODES

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


class PublishedSerializer(serializers.Serializer):
    """What every addressable object carries."""

    locale = serializers.ChoiceField(
        LANGUAGE_CODES, help_text="The language of every text in this object."
    )
    slug = serializers.CharField(help_text="The slug in this language.")
    alternates = AlternatesSerializer()
    updated_at = serializers.DateTimeField(
        help_text="Last change of the object, its parts or what it embeds (UTC)."
    )


class RefSerializer(serializers.Serializer):
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
