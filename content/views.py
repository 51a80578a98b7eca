"""Public read API of the content app (DESIGN §5). Every view starts from
``published(locale)``; see ``content/selectors.py``."""

from __future__ import annotations

from api.base import DetailView, ListView, PublicView
from api.errors import NotFoundError
from api.schema import detail_schema, list_schema, locale_only_schema
from content import selectors, serializers
from content.models import (
    Aftercare,
    Article,
    CauseType,
    Comparison,
    ItemList,
    Method,
)


class SlugDetailView(DetailView):
    model = None

    def canonical_slug(self, slug: str) -> str | None:
        return selectors.other_language_slug(self.model, self.locale, slug)


@list_schema(serializers.ArticleSummarySerializer, tag="articles")
class ArticleList(ListView):
    """Published articles, newest first (light shape)."""

    cache_tags = ("article",)

    def rows(self):
        return selectors.article_rows(self.locale)

    def represent(self, rows):
        return [selectors.article_summary(row, self.locale) for row in rows]


@detail_schema(serializers.ArticleDetailSerializer, tag="articles")
class ArticleDetail(SlugDetailView):
    """One article with its blocks fully resolved and its schema.org JSON-LD."""

    model = Article

    def lookup(self, slug):
        results = selectors.ARTICLE_PLAN.run(self.locale, slug=slug)
        return selectors.article_detail(results, self.locale)


@list_schema(serializers.CauseTypeSummarySerializer, tag="cause types")
class CauseTypeList(ListView):
    """Published cause types in editor order."""

    cache_tags = ("causetype",)

    def rows(self):
        return selectors.cause_type_rows(self.locale)

    def represent(self, rows):
        return [selectors.cause_type_summary(row, self.locale) for row in rows]


@detail_schema(serializers.CauseTypeDetailSerializer, tag="cause types")
class CauseTypeDetail(SlugDetailView):
    """One cause type with its red flags, whom to see first and its usual methods."""

    model = CauseType

    def lookup(self, slug):
        results = selectors.CAUSE_TYPE_PLAN.run(self.locale, slug=slug)
        found = selectors.cause_type_details(results, self.locale)
        return next(iter(found.values()), None)


@list_schema(serializers.MethodSummarySerializer, tag="methods")
class MethodList(ListView):
    """Published treatment methods in editor order."""

    cache_tags = ("method",)

    def rows(self):
        return selectors.method_rows(self.locale)

    def represent(self, rows):
        return [selectors.method_summary(row, self.locale) for row in rows]


@detail_schema(serializers.MethodDetailSerializer, tag="methods")
class MethodDetail(SlugDetailView):
    """One method with its facts per comparison criterion."""

    model = Method

    def lookup(self, slug):
        results = selectors.METHOD_PLAN.run(self.locale, slug=slug)
        return selectors.method_detail(results, self.locale)


@list_schema(serializers.ComparisonSummarySerializer, tag="comparisons")
class ComparisonList(ListView):
    """Published method comparisons."""

    cache_tags = ("comparison",)

    def rows(self):
        return selectors.comparison_rows(self.locale)

    def represent(self, rows):
        return [selectors.comparison_summary(row, self.locale) for row in rows]


@detail_schema(serializers.ComparisonDetailSerializer, tag="comparisons")
class ComparisonDetail(SlugDetailView):
    """One comparison: methods as columns, criteria as rows, a cell per pair."""

    model = Comparison

    def lookup(self, slug):
        results = selectors.COMPARISON_PLAN.run(self.locale, slug=slug)
        found = selectors.comparison_details(results, self.locale)
        return next(iter(found.values()), None)


@list_schema(serializers.AftercareSummarySerializer, tag="aftercare")
class AftercareList(ListView):
    """Published aftercare timelines."""

    cache_tags = ("aftercare",)

    def rows(self):
        return selectors.aftercare_rows(self.locale)

    def represent(self, rows):
        return [selectors.aftercare_summary(row, self.locale) for row in rows]


@detail_schema(serializers.AftercareDetailSerializer, tag="aftercare")
class AftercareDetail(SlugDetailView):
    """One aftercare timeline: stages (day ranges) as rows, tracks as columns."""

    model = Aftercare

    def lookup(self, slug):
        results = selectors.AFTERCARE_PLAN.run(self.locale, slug=slug)
        found = selectors.aftercare_details(results, self.locale)
        detail = next(iter(found.values()), None)
        return detail and selectors.aftercare_for_method(detail, None)


@list_schema(serializers.ItemListSummarySerializer, tag="item lists")
class ItemListList(ListView):
    """Published item lists (checklists, numbered and bulleted lists)."""

    cache_tags = ("itemlist",)

    def rows(self):
        return selectors.item_list_rows(self.locale)

    def represent(self, rows):
        return [selectors.item_list_summary(row, self.locale) for row in rows]


@detail_schema(serializers.ItemListDetailSerializer, tag="item lists")
class ItemListDetail(SlugDetailView):
    """One item list with its items."""

    model = ItemList

    def lookup(self, slug):
        results = selectors.ITEM_LIST_PLAN.run(self.locale, slug=slug)
        found = selectors.item_list_details(results, self.locale)
        return next(iter(found.values()), None)


@locale_only_schema(serializers.ClinicProfileSerializer, tag="clinic")
class ClinicProfileDetail(PublicView):
    """The clinic: facts, official channels, trust points and care system."""

    cache_tags = ("clinicprofile",)

    def get(self, request, *args, **kwargs):
        profile = selectors.clinic_profile(self.locale)
        if profile is None:
            raise NotFoundError(
                f"The clinic profile is not published in {self.locale}."
            )
        return self.respond(profile)
