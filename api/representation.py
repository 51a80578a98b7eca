"""Small helpers shared by every response builder.

Responses are built from ``QuerySet.values()`` rows that read the requested language's
columns by name (``title_ko``): no model instances, no modeltranslation descriptor (its
fallback to English is exactly what the public API must never do, DESIGN §3) and no
per-field serializer machinery on the hot path. The DRF serializers in each app's
``serializers.py`` document the same shapes for the OpenAPI schema; a test renders
every endpoint's output through them and requires it unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.utils.text import Truncator

from api.cache import shown
from api.locale import hreflang
from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES, column
from publication.models import published_field
from richtext import plain_text, sanitize

EXCERPT_LENGTH = 200


def text(row: dict, key: str) -> str:
    """A text column as served: a translation never written (NULL) is empty, like
    one written empty (DESIGN §3: "Empty optional fields are empty")."""
    return row[key] or ""


@functools.lru_cache(maxsize=4096)
def iso(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601; times in UTC with ``Z`` and whole seconds. Memoized: a page shows
    the same few timestamps on every request, and equal instants format alike."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).replace(microsecond=0)
        return value.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def html(value: str | None) -> str:
    """Rich text as served: sanitized again on output (stored text was sanitized on
    save; this also covers rows written around the model, e.g. raw SQL)."""
    return sanitize(value)


@functools.lru_cache(maxsize=4096)
def excerpt(value: str | None, length: int = EXCERPT_LENGTH) -> str:
    """Plain text of rich text, cut at a word for cards."""
    return Truncator(plain_text(value)).chars(length)


def slug_columns() -> list[str]:
    return [column("slug", code) for code in LANGUAGE_CODES]


def flag_columns() -> list[str]:
    return [published_field(code) for code in LANGUAGE_CODES]


def alternate_columns() -> list[str]:
    """What ``alternates()`` reads from a row of a publishable type."""
    return [*slug_columns(), *flag_columns()]


def alternates(row: dict, *, slug: bool = True) -> dict:
    """The languages the object is published in (LANGUAGES order), each with its
    slug, and the ``x_default`` version. The object is visible, so its publish time
    has come and the flags alone tell. A type without slugs (the clinic profile)
    gives empty ones: every object's alternates have one shape."""
    languages = []
    for code, flag, slug_column, tag in _ALTERNATE_COLUMNS():
        if row[flag]:
            languages.append(
                {
                    "locale": code,
                    "hreflang": tag,
                    "slug": row[slug_column] if slug else "",
                }
            )
    return {"languages": languages, "x_default": x_default(languages)}


@functools.cache
def _ALTERNATE_COLUMNS() -> tuple[tuple[str, str, str, str], ...]:  # noqa: N802
    """(code, published flag, slug column, hreflang) of each language, in order."""
    return tuple(
        (code, published_field(code), column("slug", code), hreflang(code))
        for code in LANGUAGE_CODES
    )


def x_default(languages: list[dict]) -> dict | None:
    """The version for users whose language has none: the default language when
    published there, otherwise the first published language."""
    for entry in languages:
        if entry["locale"] == DEFAULT_LANGUAGE:
            return entry
    return languages[0] if languages else None


def identity(row: dict, code: str, kind: str) -> dict:
    """The fields every addressable object starts with. ``kind`` is the object's
    cache tag prefix (its model name): the response is tagged ``kind-pk``."""
    shown(kind, row["pk"])
    return {
        "locale": code,
        "slug": text(row, column("slug", code)),
        "alternates": alternates(row),
        "updated_at": iso(row["updated_at"]),
    }
