"""Bounded page-number pagination with strict parameters.

DRF's paginator silently clamps an over-large ``page_size`` and ignores a malformed
one; a client asking for something we will not serve gets a 400 instead, so it learns
the bound rather than receiving a page it did not ask for.
"""

from __future__ import annotations

from django.core.paginator import InvalidPage
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework import pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from clinic.api.errors import ApiError, NotFoundError
from clinic.origin import absolute_url

PAGE_PARAM = "page"
PAGE_SIZE_PARAM = "page_size"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Digits beyond this are not a page anyone has.
MAX_DIGITS = 9


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


class Pagination(pagination.PageNumberPagination):
    page_query_param = PAGE_PARAM
    page_size_query_param = PAGE_SIZE_PARAM
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    django_paginator_class = DjangoPaginator

    query_params = (PAGE_PARAM, PAGE_SIZE_PARAM)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = positive_int(
            request, PAGE_SIZE_PARAM, self.page_size, maximum=self.max_page_size
        )
        number = positive_int(request, PAGE_PARAM, 1, maximum=None)
        paginator = self.django_paginator_class(queryset, size)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFoundError(
                f"There is no page {number}; the last page is {paginator.num_pages}."
            ) from None
        self.page_size_used = size
        return list(self.page)

    def page_link(self, number: int) -> str:
        url = absolute_url(self.request, self.request.get_full_path())
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_next_link(self):
        if not self.page.has_next():
            return None
        return self.page_link(self.page.number + 1)

    def get_previous_link(self):
        if not self.page.has_previous():
            return None
        return self.page_link(self.page.number - 1)

    def envelope(self, results: list) -> dict:
        return {
            "count": self.page.paginator.count,
            "page": self.page.number,
            "pages": self.page.paginator.num_pages,
            "page_size": self.page_size_used,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": results,
        }

    def get_paginated_response(self, data):
        return Response(self.envelope(data))
