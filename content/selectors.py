"""Read the published content for one language and build the public API's objects.

Every function starts from ``published(code)`` (or the same condition on a relation),
reads the columns of language ``code`` by name and batches its queries by type, so
that the number of queries of an endpoint does not depend on how much content there
is (see ``api/representation.py`` for why rows, not model instances).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Exists, Q, QuerySet, Subquery
from django.utils import timezone

from api.cache import shown, shown_type
from api.representation import (
    alternate_columns,
    alternates,
    excerpt,
    flag_columns,
    html,
    identity,
    iso,
    text,
)
from content.models import (
    Aftercare,
    AftercareEntry,
    AftercareStage,
    AftercareTrack,
    Article,
    ArticleBlock,
    CauseType,
    ClinicChannel,
    ClinicProfile,
    Comparison,
    ComparisonColumn,
    ComparisonRow,
    ItemList,
    ListItem,
    Method,
    MethodFact,
)
from publication.languages import LANGUAGE_CODES, column
from publication.models import published_field, visible_q


def cols(code: str, *fields: str, prefix: str = "") -> list[str]:
    return [prefix + column(field, code) for field in fields]


def published_rows(
    model, code: str, *fields: str, extra: Iterable[str] = (), at=None
) -> QuerySet:
    """``values()`` of the objects of ``model`` visible at ``at`` (now): identity
    columns, the translated ``fields`` in ``code`` and the plain ``extra`` columns."""
    return model.objects.published(code, at=at).values(
        "pk", "updated_at", *alternate_columns(), *cols(code, *fields), *extra
    )


def slug_elsewhere(code: str, slug: str) -> Q:
    """Rows whose slug in some other language, where they are visible, is
    ``slug``."""
    match = Q()
    for other in LANGUAGE_CODES:
        if other != code:
            match |= Q(**{column("slug", other): slug, published_field(other): True})
    return match


def other_language_slug(model, code: str, slug: str) -> str | None:
    """The slug in ``code`` of the object visible in ``code`` whose slug in another
    language it is visible in is ``slug`` (for the 404 that names the right
    address)."""
    return (
        model.objects.published(code)
        .filter(slug_elsewhere(code, slug))
        .order_by("pk")
        .values_list(column("slug", code), flat=True)
        .first()
    )


def by_slug(rows: QuerySet, code: str, slug: str) -> dict | None:
    return rows.filter(**{column("slug", code): slug}).first()


# How a representation is read. A type's ``*_queries`` function returns the querysets
# of the full representation of the objects a ``values()`` queryset selects, and its
# ``*_details`` function builds the representations from their rows, keyed by the
# same names.

Results = dict[str, list[dict]]


def with_slug(rows: QuerySet, code: str, slug: str) -> QuerySet:
    return rows.filter(**{column("slug", code): slug})


def first(results: Results, name: str) -> dict | None:
    rows = results[name]
    return rows[0] if rows else None


def grouped(rows: list[dict], key: str) -> defaultdict[int, list[dict]]:
    """``rows`` by their ``key`` column, each group in the rows' order."""
    by = defaultdict(list)
    for row in rows:
        by[row[key]].append(row)
    return by


# Methods.


def method_ref(row: dict, code: str, prefix: str = "") -> dict:
    shown("method", row[prefix + "id"])
    return {
        "slug": text(row, prefix + column("slug", code)),
        "name": text(row, prefix + column("name", code)),
        "procedure_type": row[prefix + "procedure_type"],
    }


def method_ref_columns(code: str, prefix: str = "") -> list[str]:
    return [
        *cols(code, "slug", "name", prefix=prefix),
        prefix + "procedure_type",
        prefix + "id",
    ]


def method_rows(code: str, at=None) -> QuerySet:
    return published_rows(
        Method, code, "name", "summary", extra=["procedure_type"], at=at
    ).order_by("position", "pk")


def method_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "method"),
        "name": text(row, column("name", code)),
        "summary": text(row, column("summary", code)),
        "procedure_type": row["procedure_type"],
    }


def method_queries(code: str, methods: QuerySet, at) -> dict[str, QuerySet]:
    """One method (``methods`` selects at most one) with its facts and cause types."""
    pks = methods.values("pk")
    return {
        "method": methods,
        "method.facts": MethodFact.objects.filter(method__in=pks)
        .exclude(
            Q(**{column("text", code): ""})
            | Q(**{column("text", code) + "__isnull": True})
        )
        .order_by("criterion__position", "criterion__pk")
        .values(
            "criterion__key",
            *cols(code, "name", prefix="criterion__"),
            column("text", code),
        ),
        "method.cause_types": CauseType.objects.published(code, at=at)
        .filter(methods__in=pks)
        .order_by("position", "pk")
        .values("pk", *cols(code, "slug", "name")),
    }


def method_detail(results: Results, code: str) -> dict | None:
    row = first(results, "method")
    if row is None:
        return None
    cause_types = results["method.cause_types"]
    for cause_type in cause_types:
        shown("causetype", cause_type["pk"])
    return {
        **method_summary(row, code),
        "facts": [
            {
                "criterion": {
                    "key": fact["criterion__key"],
                    "name": text(fact, "criterion__" + column("name", code)),
                },
                "text": text(fact, column("text", code)),
            }
            for fact in results["method.facts"]
        ],
        "cause_types": [
            {
                "slug": text(c, column("slug", code)),
                "name": text(c, column("name", code)),
            }
            for c in cause_types
        ],
    }


# Comparisons.


def comparison_rows(code: str, at=None) -> QuerySet:
    return published_rows(
        Comparison, code, "title", "intro", "conclusion", at=at
    ).order_by("pk")


def comparison_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "comparison"),
        "title": text(row, column("title", code)),
        "excerpt": excerpt(text(row, column("intro", code))),
    }


def comparison_queries(code: str, comparisons: QuerySet, at) -> dict[str, QuerySet]:
    """Full comparisons (columns × rows × cells) in four queries."""
    pks = comparisons.values("pk")
    columns = ComparisonColumn.objects.filter(comparison__in=pks)
    rows = ComparisonRow.objects.filter(comparison__in=pks)
    return {
        "comparison": comparisons,
        "comparison.columns": columns.filter(visible_q(code, "method__", at=at))
        .order_by("position", "pk")
        .values("comparison_id", "method_id", *method_ref_columns(code, "method__")),
        "comparison.rows": rows.order_by("position", "pk").values(
            "comparison_id",
            "criterion_id",
            "criterion__key",
            *cols(code, "name", prefix="criterion__"),
        ),
        # Looked up by (criterion, method): no order, so none of the joins and the
        # sort the model's default ordering would add.
        "comparison.cells": MethodFact.objects.filter(
            method__in=columns.values("method_id"),
            criterion__in=rows.values("criterion_id"),
        )
        .order_by()
        .values("method_id", "criterion_id", column("text", code)),
    }


def comparison_details(results: Results, code: str) -> dict[int, dict]:
    columns_by = grouped(results["comparison.columns"], "comparison_id")
    rows_by = grouped(results["comparison.rows"], "comparison_id")
    text_column = column("text", code)
    cells = {
        (f["criterion_id"], f["method_id"]): text(f, text_column)
        for f in results["comparison.cells"]
    }
    result = {}
    for row in results["comparison"]:
        columns = columns_by[row["pk"]]
        result[row["pk"]] = {
            **comparison_summary(row, code),
            "intro": html(text(row, column("intro", code))),
            "conclusion": html(text(row, column("conclusion", code))),
            "columns": [method_ref(c, code, "method__") for c in columns],
            "rows": [
                {
                    "criterion": {
                        "key": r["criterion__key"],
                        "name": text(r, "criterion__" + column("name", code)),
                    },
                    "cells": [
                        cells.get((r["criterion_id"], c["method_id"]), "")
                        for c in columns
                    ],
                }
                for r in rows_by[row["pk"]]
            ],
        }
    return result


# Aftercare.


def aftercare_rows(code: str, at=None) -> QuerySet:
    return published_rows(Aftercare, code, "title", "intro", at=at).order_by("pk")


def aftercare_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "aftercare"),
        "title": text(row, column("title", code)),
        "excerpt": excerpt(text(row, column("intro", code))),
    }


def aftercare_queries(code: str, aftercares: QuerySet, at) -> dict[str, QuerySet]:
    """Full timelines (stages × tracks with day ranges) in four queries. A track's
    method is named only where the method is visible."""
    pks = aftercares.values("pk")
    return {
        "aftercare": aftercares,
        "aftercare.stages": AftercareStage.objects.filter(aftercare__in=pks)
        .order_by("position", "pk")
        .values("pk", "aftercare_id", "start_day", "end_day", column("label", code)),
        "aftercare.tracks": AftercareTrack.objects.filter(aftercare__in=pks)
        .order_by("position", "pk")
        .values(
            "pk",
            "aftercare_id",
            "method_id",
            column("label", code),
            "method__publish_at",
            "method__" + published_field(code),
            *method_ref_columns(code, "method__"),
        ),
        "aftercare.entries": AftercareEntry.objects.filter(stage__aftercare__in=pks)
        .order_by()
        .values("stage_id", "track_id", column("text", code)),
    }


def aftercare_details(results: Results, code: str) -> dict[int, dict]:
    stages_by = grouped(results["aftercare.stages"], "aftercare_id")
    tracks_by = grouped(results["aftercare.tracks"], "aftercare_id")
    text_column = column("text", code)
    cells = {
        (e["stage_id"], e["track_id"]): text(e, text_column)
        for e in results["aftercare.entries"]
    }
    now = timezone.now()
    result = {}
    for row in results["aftercare"]:
        tracks = tracks_by[row["pk"]]
        result[row["pk"]] = {
            **aftercare_summary(row, code),
            "intro": html(text(row, column("intro", code))),
            "tracks": [
                {
                    "label": text(t, column("label", code)),
                    # A track of a method not visible here keeps its (translated)
                    # label but names no method; it is still not shared care.
                    "shared": t["method_id"] is None,
                    "method": method_ref(t, code, "method__")
                    if t["method_id"]
                    and t["method__" + published_field(code)]
                    and t["method__publish_at"] <= now
                    else None,
                    # Kept for the article's per-method view; removed before output.
                    "_method_id": t["method_id"],
                }
                for t in tracks
            ],
            "stages": [
                {
                    "label": text(s, column("label", code)),
                    "start_day": s["start_day"],
                    "end_day": s["end_day"],
                    "cells": [cells.get((s["pk"], t["pk"]), "") for t in tracks],
                }
                for s in stages_by[row["pk"]]
            ],
        }
    return result


def aftercare_for_method(aftercare: dict, method_id: int | None) -> dict:
    """The timeline restricted to one method's track and the shared care (all
    tracks when ``method_id`` is None), without the internal track ids."""
    keep = [
        i
        for i, t in enumerate(aftercare["tracks"])
        if method_id is None or t["_method_id"] in (None, method_id)
    ]
    return {
        **aftercare,
        "tracks": [
            {k: v for k, v in aftercare["tracks"][i].items() if k != "_method_id"}
            for i in keep
        ],
        "stages": [
            {**stage, "cells": [stage["cells"][i] for i in keep]}
            for stage in aftercare["stages"]
        ],
    }


# Item lists.


def item_list_rows(code: str, at=None) -> QuerySet:
    return published_rows(
        ItemList, code, "title", "intro", extra=["kind"], at=at
    ).order_by("pk")


def item_list_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "itemlist"),
        "title": text(row, column("title", code)),
        "kind": row["kind"],
    }


def item_list_queries(code: str, item_lists: QuerySet) -> dict[str, QuerySet]:
    return {
        "itemlist": item_lists,
        "itemlist.items": ListItem.objects.filter(item_list__in=item_lists.values("pk"))
        .order_by("position", "pk")
        .values("item_list_id", *cols(code, "title", "text")),
    }


def item_list_details(results: Results, code: str) -> dict[int, dict]:
    items_by = defaultdict(list)
    for item in results["itemlist.items"]:
        items_by[item["item_list_id"]].append(
            {
                "title": text(item, column("title", code)),
                "text": text(item, column("text", code)),
            }
        )
    return {
        row["pk"]: {
            **item_list_summary(row, code),
            "intro": text(row, column("intro", code)),
            "items": items_by[row["pk"]],
        }
        for row in results["itemlist"]
    }


# Cause types.

CAUSE_TYPE_FIELDS = (
    "name",
    "tagline",
    "description",
    "first_step",
    "red_flags",
    "refer_to",
)


def cause_type_rows(code: str, at=None) -> QuerySet:
    return published_rows(
        CauseType, code, *CAUSE_TYPE_FIELDS, extra=["rule_out_first"], at=at
    ).order_by("position", "pk")


def cause_type_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "causetype"),
        "name": text(row, column("name", code)),
        "tagline": text(row, column("tagline", code)),
        "excerpt": excerpt(text(row, column("description", code))),
        "rule_out_first": row["rule_out_first"],
    }


def cause_type_queries(code: str, cause_types: QuerySet, at) -> dict[str, QuerySet]:
    """Cause types with their red flags, referral and visible methods (one query
    for the methods of all of them)."""
    return {
        "causetype": cause_types,
        "causetype.methods": CauseType.methods.through.objects.filter(
            causetype__in=cause_types.values("pk")
        )
        .filter(visible_q(code, "method__", at=at))
        # The cause type last: a method listed by two cause types comes in one
        # order, so the same content always reads the same.
        .order_by("method__position", "method__pk", "causetype_id")
        .values("causetype_id", *method_ref_columns(code, "method__")),
    }


def cause_type_details(results: Results, code: str) -> dict[int, dict]:
    methods_by = defaultdict(list)
    for link in results["causetype.methods"]:
        methods_by[link["causetype_id"]].append(method_ref(link, code, "method__"))
    return {
        row["pk"]: {
            **cause_type_summary(row, code),
            "description": html(text(row, column("description", code))),
            "first_step": text(row, column("first_step", code)),
            "red_flags": text(row, column("red_flags", code)),
            "refer_to": text(row, column("refer_to", code)),
            "methods": methods_by[row["pk"]],
        }
        for row in results["causetype"]
    }


# Articles.

ARTICLE_LIST_FIELDS = ("title", "summary")
ARTICLE_FIELDS = (
    *ARTICLE_LIST_FIELDS,
    "seo_title",
    "meta_description",
    "topic",
    "reviewed_by",
)


def article_rows(code: str, *, detail: bool = False, at=None) -> QuerySet:
    fields = ARTICLE_FIELDS if detail else ARTICLE_LIST_FIELDS
    return published_rows(
        Article,
        code,
        *fields,
        extra=["publish_at", "last_reviewed"],
        at=at,
    ).order_by("-publish_at", "pk")


def article_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "article"),
        "title": text(row, column("title", code)),
        "summary": text(row, column("summary", code)),
        "published_at": iso(row["publish_at"]),
        "last_reviewed": iso(row["last_reviewed"]),
    }


@dataclass(frozen=True)
class BlockResolver:
    """How a block kind whose content lives in another app is read (the FAQ app
    registers "faq"): content never imports faq. ``queries(code, blocks, article,
    at)`` gets the article's blocks of that kind (a queryset) and the article's pk
    (a scalar subquery) and returns querysets for the article's plan; ``build(results,
    code)`` returns the block's extra fields from their rows."""

    queries: Callable[[str, QuerySet, QuerySet, object], dict[str, QuerySet]]
    build: Callable[[Results, str], dict]


BLOCK_RESOLVERS: dict[str, BlockResolver] = {}


def register_block_resolver(kind: str, resolver: BlockResolver) -> None:
    BLOCK_RESOLVERS[kind] = resolver


def article_queries(code: str, slug: str, at) -> dict[str, QuerySet]:
    """Everything the article with ``slug`` shows, each query keyed by the article
    (a subquery), so that none waits for another's rows."""
    articles = with_slug(article_rows(code, detail=True, at=at), code, slug)
    # A scalar subquery: PostgreSQL finds the article once per SELECT and then
    # walks the article_id indexes (an IN here made it a semi-join each time).
    article = Subquery(articles.order_by().values("pk")[:1])
    blocks = ArticleBlock.objects.filter(article=article)

    def embedded(rows: QuerySet, key: str) -> QuerySet:
        return rows.filter(pk__in=blocks.exclude(**{key: None}).values(key))

    shows_cause_types = Exists(blocks.filter(kind=ArticleBlock.Kind.CAUSE_TYPES))
    queries = {
        "article": articles,
        "article.blocks": blocks.order_by("position", "pk").values(
            "kind",
            "item_list_id",
            "comparison_id",
            "aftercare_id",
            "aftercare_method_id",
            *cols(code, "heading", "body", "cta_label", "cta_url"),
        ),
        **item_list_queries(code, embedded(item_list_rows(code, at), "item_list_id")),
        **comparison_queries(
            code, embedded(comparison_rows(code, at), "comparison_id"), at
        ),
        **aftercare_queries(
            code, embedded(aftercare_rows(code, at), "aftercare_id"), at
        ),
        **cause_type_queries(
            code, cause_type_rows(code, at).filter(shows_cause_types), at
        ),
    }
    for kind, resolver in BLOCK_RESOLVERS.items():
        queries.update(resolver.queries(code, blocks.filter(kind=kind), article, at))
    return queries


def article_detail(results: Results, code: str) -> dict | None:
    from content.structured_data import article_structured_data

    row = first(results, "article")
    if row is None:
        return None
    blocks = results["article.blocks"]
    kinds = {b["kind"] for b in blocks}
    lists = item_list_details(results, code)
    comparisons = comparison_details(results, code)
    aftercares = aftercare_details(results, code)
    cause_types = []
    if ArticleBlock.Kind.CAUSE_TYPES in kinds:
        # The block lists every visible cause type: a new one changes it.
        shown_type("causetype")
        cause_types = list(cause_type_details(results, code).values())
    resolved = {
        kind: resolver.build(results, code)
        for kind, resolver in BLOCK_RESOLVERS.items()
        if kind in kinds
    }

    out = []
    for b in blocks:
        block = {
            "kind": b["kind"],
            "heading": text(b, column("heading", code)),
            "body": html(text(b, column("body", code))),
        }
        kind = b["kind"]
        if kind == ArticleBlock.Kind.LIST:
            if b["item_list_id"] not in lists:
                continue  # not visible in this language: never show it
            block["item_list"] = lists[b["item_list_id"]]
        elif kind == ArticleBlock.Kind.COMPARISON:
            if b["comparison_id"] not in comparisons:
                continue
            block["comparison"] = comparisons[b["comparison_id"]]
        elif kind == ArticleBlock.Kind.AFTERCARE:
            if b["aftercare_id"] not in aftercares:
                continue
            block["aftercare"] = aftercare_for_method(
                aftercares[b["aftercare_id"]], b["aftercare_method_id"]
            )
        elif kind == ArticleBlock.Kind.CAUSE_TYPES:
            block["cause_types"] = cause_types
        elif kind == ArticleBlock.Kind.CTA:
            block["label"] = text(b, column("cta_label", code))
            block["url"] = text(b, column("cta_url", code))
        elif kind in resolved:
            block.update(resolved[kind])
        out.append(block)

    detail = {
        **article_summary(row, code),
        "seo_title": text(row, column("seo_title", code)),
        "meta_description": text(row, column("meta_description", code)),
        "topic": text(row, column("topic", code)),
        "reviewed_by": text(row, column("reviewed_by", code)),
        "blocks": out,
    }
    detail["structured_data"] = article_structured_data(detail, code)
    return detail


# The clinic.


def clinic_queries(code: str, slug: str, at) -> dict[str, QuerySet]:
    """The published profile, its channels and the visible lists it shows, each
    keyed by the profile (a subquery). ``slug`` is unused: there is one clinic."""
    profiles = ClinicProfile.objects.published(code, at=at).order_by("pk")

    def of_profile(name: str) -> Subquery:
        return Subquery(profiles.values(name)[:1])

    lists = item_list_rows(code, at).filter(
        Q(pk=of_profile("trust_points_id")) | Q(pk=of_profile("care_system_id"))
    )
    return {
        "clinic": profiles.values(
            "pk",
            "updated_at",
            *flag_columns(),
            *cols(code, "name", "slogan", "description"),
            "years_of_practice",
            "review_count",
            "rating",
            "trust_points_id",
            "care_system_id",
        )[:1],
        "clinic.channels": ClinicChannel.objects.filter(profile=of_profile("pk"))
        .order_by("position", "pk")
        .values("kind", *cols(code, "label", "description", "url")),
        **item_list_queries(code, lists),
    }


def clinic_profile_detail(results: Results, code: str) -> dict | None:
    row = first(results, "clinic")
    if row is None:
        return None
    shown("clinicprofile", row["pk"])
    lists = item_list_details(results, code)
    return {
        "locale": code,
        "alternates": alternates(row, slug=False),
        "updated_at": iso(row["updated_at"]),
        "name": text(row, column("name", code)),
        "slogan": text(row, column("slogan", code)),
        "description": html(text(row, column("description", code))),
        "years_of_practice": row["years_of_practice"],
        "review_count": row["review_count"],
        "rating": float(row["rating"]) if row["rating"] is not None else None,
        "channels": [
            {
                "kind": ch["kind"],
                "label": text(ch, column("label", code)),
                "description": text(ch, column("description", code)),
                "url": text(ch, column("url", code)),
            }
            for ch in results["clinic.channels"]
        ],
        "trust_points": lists.get(row["trust_points_id"]),
        "care_system": lists.get(row["care_system_id"]),
    }
