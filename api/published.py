"""The documents that span the types (the locales' counts, the sitemap) from
published versions (docs/publishing.md), through the registry of public types."""

from __future__ import annotations

from api.registry import public_types, sitemap_types
from api.representation import alternates, iso
from publication.languages import LANGUAGE_CODES, column


def published_counts(published) -> dict[str, dict[str, int]]:
    """How many objects of each type are visible in each locale."""
    return {
        code: {
            kind.key: kind.published_count(published, code) for kind in public_types()
        }
        for code in LANGUAGE_CODES
    }


def sitemap_entries(published, code: str, names: tuple[str, ...]) -> list[dict]:
    """The sitemap of ``code`` for the types ``names``: type order, then pk."""
    kinds = [kind for kind in sitemap_types() if kind.name in names]
    # The addresses of every type's versions in one query; a type with rows of its
    # own (the FAQ categories) reads them itself.
    published.load_addresses(*(kind.model for kind in kinds if not kind.version_rows))
    entries = []
    for kind in kinds:
        for row in kind.published_rows(published, code):
            entries.append(
                {
                    "type": kind.name,
                    "slug": row[column("slug", code)],
                    "updated_at": iso(row["updated_at"]),
                    "alternates": alternates(row),
                }
            )
    return entries
