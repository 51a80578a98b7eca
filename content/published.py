"""The content types' representations from published versions (docs/publishing.md).

Each ``*_results`` function gives the ``Results`` (query name → rows) that the
type's ``*_queries`` read from the working copy, read instead from the published
versions visible in one locale, so ``content.selectors``' builders make the same
JSON from either source. An object's own rows come from its version; what it embeds
(a method in a comparison, a list in an article) from the embedded object's own
version, and only where that one is visible in the locale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from content import selectors
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
    Criterion,
    ItemList,
    ListItem,
    Method,
    MethodFact,
)
from publication.languages import column
from publication.models import published_field
from publication.published import Published, naming, values_row

Results = dict[str, list[dict]]


def parts(published: Published, model, pk: int, code: str, name: str) -> list[dict]:
    """The snapshot rows of the part ``name`` of the version of ``model`` ``pk``."""
    return published.version(model, pk, code).data["parts"].get(name, [])


def part_row(model, data: dict, code: str, prefix: str = "") -> dict:
    """A part's snapshot values as a ``values()`` row (with its ``pk``)."""
    row = {prefix + k: v for k, v in values_row(model, data, code).items()}
    row[prefix + "pk"] = data["id"]
    return row


def merged(*results: Results) -> Results:
    out: Results = {}
    for result in results:
        for name, rows in result.items():
            out.setdefault(name, []).extend(rows)
    return out


def in_order(published: Published, model, pks: Iterable[int]) -> list[int]:
    """``pks`` in the model's public order: editor order (the working copy's
    positions; a reorder is published at once) or, for articles, newest first."""
    pks = list(pks)
    if model is Article:
        return sorted(
            pks,
            key=lambda pk: (
                -published.any_version(model, pk).visible_from.timestamp(),
                pk,
            ),
        )
    if any(f.name == "position" for f in model._meta.fields):
        positions = published.positions(model, pks)
        return sorted(pks, key=lambda pk: (positions[pk], pk))
    return sorted(pks)


def ordered(published: Published, model, code: str) -> QuerySet:
    """The pks of the objects visible in ``code`` in the list's order (as
    ``in_order``), as a queryset the paginator counts and slices: a page reads
    only its own versions."""
    versions = published.queryset(model).filter(locale=code)
    if model is Article:
        return versions.order_by("-visible_from", "object_id").values_list(
            "object_id", flat=True
        )
    order = (
        ("position", "pk")
        if any(f.name == "position" for f in model._meta.fields)
        else ("pk",)
    )
    return (
        model._default_manager.filter(pk__in=versions.values("object_id"))
        .order_by(*order)
        .values_list("pk", flat=True)
    )


def page_summaries(published: Published, model, code: str, pks) -> list[dict]:
    """The list summaries of the objects ``pks`` (one page), one query."""
    pks = list(pks)
    published.prefetch(model, pks)
    build = SUMMARIES[model]
    return [build(published.row(model, pk, code), code) for pk in pks]


def visible_in_order(published: Published, model, code: str, **lookups) -> list[int]:
    """The objects visible in ``code`` (those whose version there matches
    ``lookups``) in the model's public order; their versions read in one query."""
    return in_order(published, model, published.load_visible(model, code, **lookups))


def method_ref_row(published: Published, pk: int, code: str, prefix: str) -> dict:
    """The columns ``selectors.method_ref`` reads, from the method's version."""
    row = published.row(Method, pk, code)
    return {
        prefix + column("slug", code): row[column("slug", code)],
        prefix + column("name", code): row[column("name", code)],
        prefix + "procedure_type": row["procedure_type"],
        prefix + "id": pk,
    }


# Methods.


def method_results(published: Published, pk: int, code: str) -> Results:
    criteria = {c["id"]: c for c in parts(published, Method, pk, code, "criteria")}
    facts = []
    for fact in parts(published, Method, pk, code, "facts"):
        row = part_row(MethodFact, fact, code)
        if not row[column("text", code)]:
            continue
        criterion = part_row(Criterion, criteria[fact["criterion_id"]], code)
        facts.append(
            {
                "criterion__key": criterion["key"],
                "criterion__" + column("name", code): criterion[column("name", code)],
                column("text", code): row[column("text", code)],
            }
        )
    # The cause types that call for the method, found by their versions' links.
    cause_types = [
        {
            "pk": other,
            column("slug", code): row[column("slug", code)],
            column("name", code): row[column("name", code)],
        }
        for other in visible_in_order(published, CauseType, code, **naming(Method, pk))
        for row in [published.row(CauseType, other, code)]
    ]
    return {
        "method": [published.row(Method, pk, code)],
        "method.facts": facts,
        "method.cause_types": cause_types,
    }


# Comparisons.


def comparison_results(published: Published, pk: int, code: str) -> Results:
    criteria = {
        c["id"]: part_row(Criterion, c, code)
        for c in parts(published, Comparison, pk, code, "criteria")
    }
    published.prefetch(
        Method,
        [col["method_id"] for col in parts(published, Comparison, pk, code, "columns")],
    )
    columns = [
        {
            "comparison_id": pk,
            "method_id": col["method_id"],
            **method_ref_row(published, col["method_id"], code, "method__"),
        }
        for col in parts(published, Comparison, pk, code, "columns")
        if published.version(Method, col["method_id"], code)
    ]
    rows = [
        {
            "comparison_id": pk,
            "criterion_id": r["criterion_id"],
            "criterion__key": criteria[r["criterion_id"]]["key"],
            "criterion__" + column("name", code): criteria[r["criterion_id"]][
                column("name", code)
            ],
        }
        for r in parts(published, Comparison, pk, code, "rows")
    ]
    cells = [
        {
            "method_id": cell["method_id"],
            "criterion_id": cell["criterion_id"],
            column("text", code): part_row(MethodFact, cell, code)[
                column("text", code)
            ],
        }
        for cell in parts(published, Comparison, pk, code, "cells")
    ]
    return {
        "comparison": [published.row(Comparison, pk, code)],
        "comparison.columns": columns,
        "comparison.rows": rows,
        "comparison.cells": cells,
    }


# Aftercare.


def aftercare_results(published: Published, pk: int, code: str) -> Results:
    stages = [
        {"aftercare_id": pk, **part_row(AftercareStage, s, code)}
        for s in parts(published, Aftercare, pk, code, "stages")
    ]
    tracks = []
    published.prefetch(
        Method,
        [t["method_id"] for t in parts(published, Aftercare, pk, code, "tracks")],
    )
    for t in parts(published, Aftercare, pk, code, "tracks"):
        row = {"aftercare_id": pk, **part_row(AftercareTrack, t, code)}
        method = published.version(Method, t["method_id"], code)
        row["method__" + published_field(code)] = method is not None
        row["method__publish_at"] = method.visible_from if method else None
        if method is not None:
            row.update(method_ref_row(published, t["method_id"], code, "method__"))
        tracks.append(row)
    entries = [
        part_row(AftercareEntry, e, code)
        for e in parts(published, Aftercare, pk, code, "entries")
    ]
    return {
        "aftercare": [published.row(Aftercare, pk, code)],
        "aftercare.stages": stages,
        "aftercare.tracks": tracks,
        "aftercare.entries": entries,
    }


# Item lists.


def item_list_results(published: Published, pk: int, code: str) -> Results:
    return {
        "itemlist": [published.row(ItemList, pk, code)],
        "itemlist.items": [
            part_row(ListItem, item, code)
            for item in parts(published, ItemList, pk, code, "items")
        ],
    }


# Cause types.


def cause_type_results(published: Published, pk: int, code: str) -> Results:
    data = published.version(CauseType, pk, code).data["object"]
    published.prefetch(Method, data["methods"])
    visible = [m for m in data["methods"] if published.version(Method, m, code)]
    methods = [
        {"causetype_id": pk, **method_ref_row(published, m, code, "method__")}
        for m in in_order(published, Method, visible)
    ]
    return {
        "causetype": [published.row(CauseType, pk, code)],
        "causetype.methods": methods,
    }


# Articles.


@dataclass(frozen=True)
class PublishedBlockResolver:
    """A block kind whose content lives in another app (the FAQ registers "faq"):
    ``results(published, code, article_pk)`` gives the rows its
    ``selectors.BlockResolver.build`` reads."""

    results: Callable[[Published, str, int], Results]


BLOCK_RESOLVERS: dict[str, PublishedBlockResolver] = {}


def register_block_resolver(kind: str, resolver: PublishedBlockResolver) -> None:
    BLOCK_RESOLVERS[kind] = resolver


EMBEDDED = (
    ("item_list_id", ItemList, item_list_results),
    ("comparison_id", Comparison, comparison_results),
    ("aftercare_id", Aftercare, aftercare_results),
)


def methods_shown(
    published: Published,
    code: str,
    comparisons: list[int],
    aftercares: list[int],
    cause_types: list[int],
) -> list[int]:
    """The methods the visible comparisons (columns), aftercare timelines
    (tracks) and cause types of an article show: read at once, not per object."""
    return [
        *(
            col["method_id"]
            for other in comparisons
            for col in parts(published, Comparison, other, code, "columns")
        ),
        *(
            track["method_id"]
            for other in aftercares
            for track in parts(published, Aftercare, other, code, "tracks")
        ),
        *(
            method
            for other in cause_types
            for method in published.version(CauseType, other, code).data["object"][
                "methods"
            ]
        ),
    ]


def article_results(published: Published, pk: int, code: str) -> Results:
    """The article's rows and those of everything its blocks show. Versions are
    read one query per type: the embedded lists, comparisons and timelines, the
    visible cause types, then the methods all of them show, so that the builders
    below query nothing more (the FAQ block reads its items in one more)."""
    blocks = [
        part_row(ArticleBlock, b, code)
        for b in parts(published, Article, pk, code, "blocks")
    ]
    results = {"article": [published.row(Article, pk, code)], "article.blocks": blocks}
    kinds = {b["kind"] for b in blocks}
    shown = {}
    for key, model, _build in EMBEDDED:
        ids = dict.fromkeys(b[key] for b in blocks if b[key] is not None)
        published.prefetch(model, ids)
        shown[model] = [other for other in ids if published.version(model, other, code)]
    cause_types = (
        visible_in_order(published, CauseType, code)
        if ArticleBlock.Kind.CAUSE_TYPES in kinds
        else []
    )
    published.prefetch(
        Method,
        methods_shown(
            published, code, shown[Comparison], shown[Aftercare], cause_types
        ),
    )
    embedded = [
        build(published, other, code)
        for _key, model, build in EMBEDDED
        for other in shown[model]
    ]
    embedded += [cause_type_results(published, other, code) for other in cause_types]
    empty = {
        name: []
        for name in (
            "itemlist",
            "itemlist.items",
            "comparison",
            "comparison.columns",
            "comparison.rows",
            "comparison.cells",
            "aftercare",
            "aftercare.stages",
            "aftercare.tracks",
            "aftercare.entries",
            "causetype",
            "causetype.methods",
        )
    }
    for kind, resolver in BLOCK_RESOLVERS.items():
        embedded.append(
            resolver.results(published, code, pk if kind in kinds else None)
        )
    return merged(empty, results, *embedded)


def article_detail(published: Published, pk: int, code: str) -> dict | None:
    return selectors.article_detail(article_results(published, pk, code), code)


# The clinic.


def clinic_results(published: Published, code: str) -> Results:
    pks = sorted(published.load_visible(ClinicProfile, code))
    if not pks:
        return {
            "clinic": [],
            "clinic.channels": [],
            "itemlist": [],
            "itemlist.items": [],
        }
    pk = pks[0]
    row = published.row(ClinicProfile, pk, code)
    channels = [
        part_row(ClinicChannel, ch, code)
        for ch in parts(published, ClinicProfile, pk, code, "channels")
    ]
    shown = dict.fromkeys((row["trust_points_id"], row["care_system_id"]))
    published.prefetch(ItemList, shown)
    lists = [
        item_list_results(published, other, code)
        for other in shown
        if other is not None and published.version(ItemList, other, code)
    ]
    return merged(
        {
            "clinic": [row],
            "clinic.channels": channels,
            "itemlist": [],
            "itemlist.items": [],
        },
        *lists,
    )


# Every type's detail and list, for the equality tests and the delivery store.

DETAILS = {
    Method: (method_results, selectors.method_detail),
    Comparison: (
        comparison_results,
        lambda results, code: next(
            iter(selectors.comparison_details(results, code).values()), None
        ),
    ),
    Aftercare: (
        aftercare_results,
        lambda results, code: selectors.aftercare_for_method(
            next(iter(selectors.aftercare_details(results, code).values())), None
        ),
    ),
    ItemList: (
        item_list_results,
        lambda results, code: next(
            iter(selectors.item_list_details(results, code).values()), None
        ),
    ),
    CauseType: (
        cause_type_results,
        lambda results, code: next(
            iter(selectors.cause_type_details(results, code).values()), None
        ),
    ),
    Article: (article_results, selectors.article_detail),
}

SUMMARIES = {
    Method: selectors.method_summary,
    Comparison: selectors.comparison_summary,
    Aftercare: selectors.aftercare_summary,
    ItemList: selectors.item_list_summary,
    CauseType: selectors.cause_type_summary,
    Article: selectors.article_summary,
}


def detail(published: Published, model, pk: int, code: str) -> dict | None:
    results, build = DETAILS[model]
    return build(results(published, pk, code), code)


def summaries(published: Published, model, code: str) -> list[dict]:
    build = SUMMARIES[model]
    return [
        build(published.row(model, pk, code), code)
        for pk in visible_in_order(published, model, code)
    ]


def clinic_profile(published: Published, code: str) -> dict | None:
    return selectors.clinic_profile_detail(clinic_results(published, code), code)
