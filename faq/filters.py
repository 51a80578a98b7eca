"""The FAQ list's filters and search (django-filter), in the requested language,
over the items' published versions."""

from __future__ import annotations

import django_filters

from api.pagination import SEARCH_COUNT_LIMIT
from faq.published import narrowed

MAX_SEARCH_LENGTH = 200
MAX_SLUG_LENGTH = 200


class FAQItemFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        method="by_relation",
        max_length=MAX_SLUG_LENGTH,
        help_text="Slug of an FAQ category in the requested locale.",
    )
    cause_type = django_filters.CharFilter(
        method="by_relation",
        max_length=MAX_SLUG_LENGTH,
        help_text="Slug of a cause type in the requested locale.",
    )
    method = django_filters.CharFilter(
        method="by_relation",
        max_length=MAX_SLUG_LENGTH,
        help_text="Slug of a method in the requested locale.",
    )
    article = django_filters.CharFilter(
        method="by_relation",
        max_length=MAX_SLUG_LENGTH,
        help_text="Slug of an article in the requested locale.",
    )
    search = django_filters.CharFilter(
        method="by_relation",
        max_length=MAX_SEARCH_LENGTH,
        help_text=(
            "Words that must all occur in the question or the answer, in the "
            "requested locale only (case-insensitive). The first "
            f"{SEARCH_COUNT_LIMIT:,} matches are counted and paged: a count of "
            f"{SEARCH_COUNT_LIMIT} means {SEARCH_COUNT_LIMIT:,} or more."
        ),
    )

    def __init__(self, *args, published, locale: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.published = published
        self.locale = locale

    def by_relation(self, queryset, name, value):
        """``queryset`` holds the published versions of the items visible in the
        locale: the filters read what was published, never the working copy."""
        return narrowed(self.published, queryset, self.locale, name, value)
