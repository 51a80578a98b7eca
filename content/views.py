"""Public read API of the content app (DESIGN §5). Every response is built from
the published versions visible now (``content/published.py``), never from the
working copy editors save."""

from __future__ import annotations

from api.base import DetailView, ListView, PublicView
from api.errors import NotFoundError
from api.schema import detail_schema, list_schema, locale_only_schema
from content import published, serializers
from content.models import (
    Aftercare,
    Article,
    CauseType,
    Comparison,
    ItemList,
    Method,
)


class TypeListView(ListView):
    """The visible objects of ``model`` in the list's order, a page at a time."""

    model = None

    def rows(self):
        return published.ordered(self.published, self.model, self.locale)

    def objects(self, rows):
        return published.page(self.published, self.model, self.locale, rows)


class TypeDetailView(DetailView):
    """One visible object of ``model`` by its published slug."""

    model = None

    @property
    def address_model(self):
        return self.model

    def lookup(self, slug):
        pk = self.published.by_slug(self.model, self.locale, slug)
        if pk is None:
            return None
        return self.render_object(pk)

    def render_object(self, pk: int):
        return published.detail(self.published, self.model, pk, self.locale)

    def canonical_slug(self, slug: str) -> str | None:
        return self.published.slug_elsewhere(self.model, self.locale, slug)


@list_schema(serializers.ArticleSummarySerializer, tag="articles")
class ArticleList(TypeListView):
    """Published articles, newest first (light shape)."""

    cache_tags = ("article",)
    model = Article


@detail_schema(serializers.ArticleDetailSerializer, tag="articles")
class ArticleDetail(TypeDetailView):
    """One article with its blocks fully resolved and its schema.org JSON-LD."""

    model = Article


@list_schema(serializers.CauseTypeSummarySerializer, tag="cause types")
class CauseTypeList(TypeListView):
    """Published cause types in editor order."""

    cache_tags = ("causetype",)
    model = CauseType


@detail_schema(serializers.CauseTypeDetailSerializer, tag="cause types")
class CauseTypeDetail(TypeDetailView):
    """One cause type with its red flags, whom to see first and its usual methods."""

    model = CauseType


@list_schema(serializers.MethodSummarySerializer, tag="methods")
class MethodList(TypeListView):
    """Published treatment methods in editor order."""

    cache_tags = ("method",)
    model = Method


@detail_schema(serializers.MethodDetailSerializer, tag="methods")
class MethodDetail(TypeDetailView):
    """One method with its facts per comparison criterion."""

    model = Method


@list_schema(serializers.ComparisonSummarySerializer, tag="comparisons")
class ComparisonList(TypeListView):
    """Published method comparisons."""

    cache_tags = ("comparison",)
    model = Comparison


@detail_schema(serializers.ComparisonDetailSerializer, tag="comparisons")
class ComparisonDetail(TypeDetailView):
    """One comparison: methods as columns, criteria as rows, a cell per pair."""

    model = Comparison


@list_schema(serializers.AftercareSummarySerializer, tag="aftercare")
class AftercareList(TypeListView):
    """Published aftercare timelines."""

    cache_tags = ("aftercare",)
    model = Aftercare


@detail_schema(serializers.AftercareDetailSerializer, tag="aftercare")
class AftercareDetail(TypeDetailView):
    """One aftercare timeline: stages (day ranges) as rows, tracks as columns."""

    model = Aftercare


@list_schema(serializers.ItemListSummarySerializer, tag="item lists")
class ItemListList(TypeListView):
    """Published item lists (checklists, numbered and bulleted lists)."""

    cache_tags = ("itemlist",)
    model = ItemList


@detail_schema(serializers.ItemListDetailSerializer, tag="item lists")
class ItemListDetail(TypeDetailView):
    """One item list with its items."""

    model = ItemList


@locale_only_schema(serializers.ClinicProfileSerializer, tag="clinic")
class ClinicProfileDetail(PublicView):
    """The clinic: facts, official channels, trust points and care system."""

    cache_tags = ("clinicprofile",)

    def get(self, request, *args, **kwargs):
        profile = published.clinic_profile(self.published, self.locale)
        if profile is None:
            raise NotFoundError(
                f"The clinic profile is not published in {self.locale}."
            )
        return self.respond(self.serialize(profile))
