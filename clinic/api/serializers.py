"""Shapes shared by every endpoint, declared for the OpenAPI schema (drf-spectacular).

The views build their JSON from rows (``representation.py``); these serializers are
the documented contract. ``tests/api`` renders every response through them and
requires it unchanged, so the two cannot drift apart.
"""

from rest_framework import serializers

from clinic.languages import LANGUAGE_CODES


class AlternateSerializer(serializers.Serializer):
    locale = serializers.ChoiceField(LANGUAGE_CODES, help_text="Content language code.")
    hreflang = serializers.CharField(
        help_text="BCP 47 tag for <link rel=alternate hreflang>, e.g. zh-Hans."
    )
    slug = serializers.CharField(help_text="The object's slug in that language.")


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


class LanguageSerializer(serializers.Serializer):
    locale = serializers.ChoiceField(LANGUAGE_CODES)
    hreflang = serializers.CharField()


class LanguagesSerializer(serializers.Serializer):
    languages = LanguageSerializer(many=True)
    x_default = LanguageSerializer(allow_null=True)


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


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(
        help_text="Machine-readable: invalid_locale, unknown_parameter, "
        "invalid_parameter, not_found, not_in_locale, method_not_allowed, throttled, "
        "server_error, service_unavailable, …"
    )
    message = serializers.CharField(help_text="Human-readable, in English.")
    details = serializers.DictField(
        help_text="Structured context: for invalid_locale the valid codes, for "
        "not_in_locale the slug to redirect to, for unknown_parameter the allowed "
        "names."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


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
