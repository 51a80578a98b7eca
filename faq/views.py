"""Public read API of the FAQ (DESIGN §5), built from the published versions
visible now (``faq/published.py``), never from the working copy."""

from __future__ import annotations

from api.base import DetailView, ListView
from api.errors import ApiError
from api.pagination import SEARCH_COUNT_LIMIT
from api.schema import detail_schema, list_schema
from content.serializers import FAQPageSerializer
from content.structured_data import faq_page_document
from faq import published, serializers
from faq.filters import FAQItemFilter
from faq.models import FAQItem
from faq.schema import faq_list_schema

STRUCTURED_DATA_PARAM = "structured_data"
TRUE, FALSE = ("true", "1"), ("false", "0")


@faq_list_schema(serializers.FAQItemSummarySerializer)
class FAQItemList(ListView):
    """Published FAQ items in editor order, filtered and searched in the requested
    language; with ``structured_data=true`` the page also carries FAQPage JSON-LD."""

    cache_tags = ("faqitem",)

    query_params = (*FAQItemFilter.base_filters, STRUCTURED_DATA_PARAM)

    @property
    def count_limit(self) -> int | None:
        """A search counts and pages its first matches only (api/pagination.py);
        the other filters name content, whose lists are counted whole."""
        return SEARCH_COUNT_LIMIT if self.request.query_params.get("search") else None

    def rows(self):
        filters = FAQItemFilter(
            self.request.query_params,
            queryset=self.published.queryset(FAQItem).filter(locale=self.locale),
            published=self.published,
            locale=self.locale,
        )
        if not filters.is_valid():
            raise ApiError(
                "Invalid filter value.",
                code="invalid_parameter",
                details={"fields": filters.errors.get_json_data()},
            )
        return published.in_list_order(filters.qs)

    def objects(self, rows):
        return published.items(self.published, self.locale, rows)

    def get(self, request, *args, **kwargs):
        raw = request.query_params.get(STRUCTURED_DATA_PARAM, "false")
        if raw not in TRUE + FALSE:
            raise ApiError(
                f"‘{STRUCTURED_DATA_PARAM}’ must be true or false.",
                code="invalid_parameter",
                details={"parameter": STRUCTURED_DATA_PARAM},
            )
        page = self.paginator.paginate_queryset(self.rows(), request, view=self)
        body = self.paginator.envelope(self.represent(page))
        if raw in TRUE:
            # Made from the items as served, as an article's JSON-LD is.
            document = faq_page_document(body["results"], self.locale)
            body["structured_data"] = FAQPageSerializer().to_representation(document)
        return self.respond(body)


@detail_schema(serializers.FAQItemDetailSerializer, tag="faq")
class FAQItemDetail(DetailView):
    """One FAQ item with the cause types, methods and articles it relates to."""

    address_model = FAQItem

    def lookup(self, slug):
        pk = self.published.by_slug(FAQItem, self.locale, slug)
        if pk is None:
            return None
        return self.render_object(pk)

    def render_object(self, pk: int):
        return published.item_detail(self.published, pk, self.locale)

    def canonical_slug(self, slug):
        return self.published.slug_elsewhere(FAQItem, self.locale, slug)


@list_schema(serializers.FAQCategorySerializer, tag="faq")
class FAQCategoryList(ListView):
    """FAQ categories that have at least one item published in the requested
    language, with how many."""

    cache_tags = ("faqcategory", "faqitem")

    def rows(self):
        return published.categories(self.published, self.locale)


@detail_schema(serializers.FAQCategorySerializer, tag="faq")
class FAQCategoryDetail(DetailView):
    """One FAQ category; its items are ``/faq-items/?category=<slug>``."""

    cache_tags = ("faqitem",)

    def lookup(self, slug):
        return published.category_detail(self.published, self.locale, slug)

    def canonical_slug(self, slug):
        return published.category_other_language_slug(self.published, self.locale, slug)
