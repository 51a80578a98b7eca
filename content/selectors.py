"""Read the published content for one language and build the public API's objects.

Every function starts from ``published(code)`` (or the same condition on a relation),
reads the columns of language ``code`` by name and batches its queries by type, so
that the number of queries of an endpoint does not depend on how much content there
is (see ``clinic/api/representation.py`` for why rows, not model instances).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic.api.cache import shown, shown_type
from clinic.api.representation import (
    alternate_columns,
    alternates,
    excerpt,
    flag_columns,
    html,
    identity,
    iso,
    text,
)
from clinic.languages import LANGUAGE_CODES, column
from clinic.publication import published_field, visible_q
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


def cols(code: str, *fields: str, prefix: str = "") -> list[str]:
    return [prefix + column(field, code) for field in fields]


def published_rows(
    model, code: str, *fields: str, extra: Iterable[str] = ()
) -> QuerySet:
    """``values()`` of the visible objects of ``model``: identity columns, the
    translated ``fields`` in ``code`` and the plain ``extra`` columns."""
    return model.objects.published(code).values(
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


def method_rows(code: str) -> QuerySet:
    return published_rows(
        Method, code, "name", "summary", extra=["procedure_type"]
    ).order_by("position", "pk")


def method_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "method"),
        "name": text(row, column("name", code)),
        "summary": text(row, column("summary", code)),
        "procedure_type": row["procedure_type"],
    }


def method_detail(row: dict, code: str) -> dict:
    facts = (
        MethodFact.objects.filter(method=row["pk"])
        .exclude(
            Q(**{column("text", code): ""})
            | Q(**{column("text", code) + "__isnull": True})
        )
        .order_by("criterion__position", "criterion__pk")
        .values(
            "criterion__key",
            *cols(code, "name", prefix="criterion__"),
            column("text", code),
        )
    )
    cause_types = list(
        CauseType.objects.published(code)
        .filter(methods=row["pk"])
        .order_by("position", "pk")
        .values("pk", *cols(code, "slug", "name"))
    )
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
            for fact in facts
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


def comparison_rows(code: str) -> QuerySet:
    return published_rows(Comparison, code, "title", "intro", "conclusion").order_by(
        "pk"
    )


def comparison_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "comparison"),
        "title": text(row, column("title", code)),
        "excerpt": excerpt(text(row, column("intro", code))),
    }


def comparison_details(rows: list[dict], code: str) -> dict[int, dict]:
    """Full comparisons (columns × rows × cells) for ``rows``, in four queries."""
    pks = [row["pk"] for row in rows]
    if not pks:
        return {}
    columns_by = defaultdict(list)
    for col in (
        ComparisonColumn.objects.filter(comparison__in=pks)
        .filter(visible_q(code, "method__"))
        .order_by("position", "pk")
        .values("comparison_id", "method_id", *method_ref_columns(code, "method__"))
    ):
        columns_by[col["comparison_id"]].append(col)
    rows_by = defaultdict(list)
    for r in (
        ComparisonRow.objects.filter(comparison__in=pks)
        .order_by("position", "pk")
        .values(
            "comparison_id",
            "criterion_id",
            "criterion__key",
            *cols(code, "name", prefix="criterion__"),
        )
    ):
        rows_by[r["comparison_id"]].append(r)
    method_ids = {c["method_id"] for cs in columns_by.values() for c in cs}
    criterion_ids = {r["criterion_id"] for rs in rows_by.values() for r in rs}
    cells = {
        (f["criterion_id"], f["method_id"]): text(f, column("text", code))
        for f in MethodFact.objects.filter(
            method__in=method_ids, criterion__in=criterion_ids
        ).values("method_id", "criterion_id", column("text", code))
    }
    result = {}
    for row in rows:
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


def aftercare_rows(code: str) -> QuerySet:
    return published_rows(Aftercare, code, "title", "intro").order_by("pk")


def aftercare_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "aftercare"),
        "title": text(row, column("title", code)),
        "excerpt": excerpt(text(row, column("intro", code))),
    }


def aftercare_details(rows: list[dict], code: str) -> dict[int, dict]:
    """Full timelines (stages × tracks with day ranges) for ``rows``, in three
    queries. A track's method is named only where the method is visible."""
    pks = [row["pk"] for row in rows]
    if not pks:
        return {}
    stages_by = defaultdict(list)
    for stage in (
        AftercareStage.objects.filter(aftercare__in=pks)
        .order_by("position", "pk")
        .values("pk", "aftercare_id", "start_day", "end_day", column("label", code))
    ):
        stages_by[stage["aftercare_id"]].append(stage)
    tracks_by = defaultdict(list)
    for track in (
        AftercareTrack.objects.filter(aftercare__in=pks)
        .order_by("position", "pk")
        .values(
            "pk",
            "aftercare_id",
            "method_id",
            column("label", code),
            "method__publish_at",
            "method__" + published_field(code),
            *method_ref_columns(code, "method__"),
        )
    ):
        tracks_by[track["aftercare_id"]].append(track)
    cells = {
        (e["stage_id"], e["track_id"]): text(e, column("text", code))
        for e in AftercareEntry.objects.filter(stage__aftercare__in=pks).values(
            "stage_id", "track_id", column("text", code)
        )
    }
    now = timezone.now()
    result = {}
    for row in rows:
        tracks = tracks_by[row["pk"]]
        result[row["pk"]] = {
            **aftercare_summary(row, code),
            "intro": html(text(row, column("intro", code))),
            "tracks": [
                {
                    "label": text(t, column("label", code)),
                    # A track of a method not published here keeps its (translated)
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


def item_list_rows(code: str) -> QuerySet:
    return published_rows(ItemList, code, "title", "intro", extra=["kind"]).order_by(
        "pk"
    )


def item_list_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "itemlist"),
        "title": text(row, column("title", code)),
        "kind": row["kind"],
    }


def item_list_details(rows: list[dict], code: str) -> dict[int, dict]:
    pks = [row["pk"] for row in rows]
    if not pks:
        return {}
    items_by = defaultdict(list)
    for item in (
        ListItem.objects.filter(item_list__in=pks)
        .order_by("position", "pk")
        .values("item_list_id", *cols(code, "title", "text"))
    ):
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
        for row in rows
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


def cause_type_rows(code: str) -> QuerySet:
    return published_rows(
        CauseType, code, *CAUSE_TYPE_FIELDS, extra=["rule_out_first"]
    ).order_by("position", "pk")


def cause_type_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "causetype"),
        "name": text(row, column("name", code)),
        "tagline": text(row, column("tagline", code)),
        "excerpt": excerpt(text(row, column("description", code))),
        "rule_out_first": row["rule_out_first"],
    }


def cause_type_details(rows: list[dict], code: str) -> dict[int, dict]:
    """Cause types with their red flags, referral and visible methods (one query
    for the methods of all of them)."""
    pks = [row["pk"] for row in rows]
    if not pks:
        return {}
    through = CauseType.methods.through
    methods_by = defaultdict(list)
    for link in (
        through.objects.filter(causetype__in=pks)
        .filter(visible_q(code, "method__"))
        .order_by("method__position", "method__pk")
        .values("causetype_id", *method_ref_columns(code, "method__"))
    ):
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
        for row in rows
    }


# Articles.

ARTICLE_LIST_FIELDS = ("title", "summary")
ARTICLE_FIELDS = (*ARTICLE_LIST_FIELDS, "seo_title", "meta_description", "topic")


def article_rows(code: str, *, detail: bool = False) -> QuerySet:
    fields = ARTICLE_FIELDS if detail else ARTICLE_LIST_FIELDS
    return published_rows(
        Article,
        code,
        *fields,
        extra=["publish_at", "last_reviewed", "reviewed_by"],
    ).order_by("-publish_at", "pk")


def article_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "article"),
        "title": text(row, column("title", code)),
        "summary": text(row, column("summary", code)),
        "published_at": iso(row["publish_at"]),
        "last_reviewed": iso(row["last_reviewed"]),
    }


# Blocks whose content lives in another app register how to resolve it here (the FAQ
# app adds "faq"): content never imports faq. A resolver gets the article's row and
# the language and returns the block's extra fields.
BlockResolver = Callable[[dict, str], dict]
BLOCK_RESOLVERS: dict[str, BlockResolver] = {}


def register_block_resolver(kind: str, resolver: BlockResolver) -> None:
    BLOCK_RESOLVERS[kind] = resolver


def article_detail(row: dict, code: str) -> dict:
    from content.structured_data import article_structured_data

    blocks = list(
        ArticleBlock.objects.filter(article=row["pk"])
        .order_by("position", "pk")
        .values(
            "kind",
            "item_list_id",
            "comparison_id",
            "aftercare_id",
            "aftercare_method_id",
            *cols(code, "heading", "body", "cta_label", "cta_url"),
        )
    )
    kinds = {b["kind"] for b in blocks}

    def embedded(rows_of, details_of, key):
        ids = {b[key] for b in blocks if b[key]}
        if not ids:
            return {}
        return details_of(list(rows_of(code).filter(pk__in=ids)), code)

    lists = embedded(item_list_rows, item_list_details, "item_list_id")
    comparisons = embedded(comparison_rows, comparison_details, "comparison_id")
    aftercares = embedded(aftercare_rows, aftercare_details, "aftercare_id")
    if ArticleBlock.Kind.CAUSE_TYPES in kinds:
        # The block lists every visible cause type: a new one changes it.
        shown_type("causetype")
    cause_types = (
        list(cause_type_details(list(cause_type_rows(code)), code).values())
        if ArticleBlock.Kind.CAUSE_TYPES in kinds
        else []
    )
    resolved = {
        kind: resolver(row, code)
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
        "reviewed_by": row["reviewed_by"],
        "blocks": out,
    }
    detail["structured_data"] = article_structured_data(detail, code)
    return detail


# The clinic.


def clinic_profile(code: str) -> dict | None:
    row = (
        ClinicProfile.objects.published(code)
        .values(
            "pk",
            "updated_at",
            *flag_columns(),
            *cols(code, "name", "slogan", "description"),
            "years_of_practice",
            "review_count",
            "rating",
            "trust_points_id",
            "care_system_id",
        )
        .first()
    )
    if row is None:
        return None
    shown("clinicprofile", row["pk"])
    channels = ClinicChannel.objects.filter(profile=row["pk"]).order_by(
        "position", "pk"
    )
    list_ids = {row["trust_points_id"], row["care_system_id"]} - {None}
    lists = (
        item_list_details(list(item_list_rows(code).filter(pk__in=list_ids)), code)
        if list_ids
        else {}
    )
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
            for ch in channels.values(
                "kind", *cols(code, "label", "description", "url")
            )
        ],
        "trust_points": lists.get(row["trust_points_id"]),
        "care_system": lists.get(row["care_system_id"]),
    }
