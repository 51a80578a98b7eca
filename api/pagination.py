"""Bounded page-number pagination with strict parameters, at a cost that does not
grow with the data.

DRF's paginator silently clamps an over-large ``page_size`` and ignores a malformed
one; a client asking for something we will not serve gets a 400 instead, so it learns
the bound rather than receiving a page it did not ask for.

A page is ``LIMIT size OFFSET …`` on the list's ordered rows, which an index in that
order answers without reading the rest. The count is what would grow with the data:
counting reads every matching row. So each list's count (per path, language and
filters, not per page) is kept in the shared cache under the content version: a
list's rows change only with the content. A search's words are the client's, so
each new search would still count every match once: it counts at most
``SEARCH_COUNT_LIMIT`` of them, and only those are paged, as GitHub's search serves
its first 1,000 results.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from rest_framework import pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.cache import read_version
from api.errors import ApiError, NotFoundError
from api.locale import LOCALE_PARAM
from publication.languages import DEFAULT_LANGUAGE
from runtime.origin import absolute_url

PAGE_PARAM = "page"
PAGE_SIZE_PARAM = "page_size"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Digits beyond this are not a page anyone has.
MAX_DIGITS = 9
# Matches of a search that are counted and paged; a count of this many means this
# many or more.
SEARCH_COUNT_LIMIT = 1000

COUNT_PREFIX = "api:count:"


def positive_int(request, name: str, default: int, *, maximum: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_DIGITS or int(raw) < 1:
        raise ApiError(
            f"‘{name}’ must be a whole number from 1"
            + (f" to {maximum}." if maximum else "."),
            code="invalid_parameter",
            details={"parameter": name, "maximum": maximum},
        )
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ApiError(
            f"‘{name}’ may be at most {maximum}.",
            code="invalid_parameter",
            details={"parameter": name, "maximum": maximum},
        )
    return value


def count_rows(rows, limit: int | None) -> int:
    """How many ``rows``, counting no further than ``limit``."""
    if isinstance(rows, list):
        return len(rows) if limit is None else min(len(rows), limit)
    if limit is None:
        return rows.count()
    # Unordered, so the database stops at the limit instead of sorting every match.
    return min(rows.order_by()[: limit + 1].count(), limit)


def count_key(request, limit: int | None) -> str:
    """The list's path and query without its page, in one spelling (pairs sorted,
    the default locale explicit): every page and spelling shares one count."""
    pairs = [
        pair
        for pair in parse_qsl(
            request.META.get("QUERY_STRING", ""), keep_blank_values=True
        )
        if pair[0] not in (PAGE_PARAM, PAGE_SIZE_PARAM)
    ]
    if not any(name == LOCALE_PARAM for name, _ in pairs):
        pairs.append((LOCALE_PARAM, DEFAULT_LANGUAGE))
    raw = f"{request.path}?{urlencode(sorted(pairs))}#{limit}"
    return COUNT_PREFIX + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def kept_count(request, rows, limit: int | None) -> int:
    """``count_rows``, kept in the shared cache under the content version: every
    public change bumps the version, so a kept count is never served after a change
    to what it counted. Tests turn it off with ``API_CACHE["COUNTS"] = False`` (their
    changes are rolled back, never committed, so the version does not move)."""
    if not settings.API_CACHE["COUNTS"]:
        return count_rows(rows, limit)
    cache = caches[settings.API_CACHE["ALIAS"]]
    key = count_key(request, limit)
    try:
        version = read_version(cache)
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 — the cache may be down: count without it
        return count_rows(rows, limit)
    if kept is not None and kept[0] == version:
        return kept[1]
    count = count_rows(rows, limit)
    # A count that cannot be kept stands; the next request counts again.
    with contextlib.suppress(Exception):
        cache.set(key, (version, count), timeout=settings.API_CACHE["TIMEOUT"])
    return count


class Pagination(pagination.PageNumberPagination):
    page_query_param = PAGE_PARAM
    page_size_query_param = PAGE_SIZE_PARAM
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    query_params = (PAGE_PARAM, PAGE_SIZE_PARAM)

    def paginate_queryset(self, queryset, request, view=None):
        """One page of ``queryset``; the view's ``count_limit`` (None: count all)
        bounds what is counted and paged."""
        self.request = request
        size = positive_int(
            request, PAGE_SIZE_PARAM, self.page_size, maximum=self.max_page_size
        )
        number = positive_int(request, PAGE_PARAM, 1, maximum=None)
        self.count = kept_count(request, queryset, getattr(view, "count_limit", None))
        self.pages = max(1, math.ceil(self.count / size))
        if number > self.pages:
            raise NotFoundError(
                f"There is no page {number}; the last page is {self.pages}."
            )
        self.number, self.page_size_used = number, size
        start = (number - 1) * size
        return list(queryset[start : min(start + size, self.count)])

    def page_link(self, number: int) -> str:
        url = absolute_url(self.request, self.request.get_full_path())
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_next_link(self):
        return self.page_link(self.number + 1) if self.number < self.pages else None

    def get_previous_link(self):
        return self.page_link(self.number - 1) if self.number > 1 else None

    def envelope(self, results: list) -> dict:
        return {
            "count": self.count,
            "page": self.number,
            "pages": self.pages,
            "page_size": self.page_size_used,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": results,
        }

    def get_paginated_response(self, data):
        return Response(self.envelope(data))
