"""Read the published FAQ for one language (see ``content/selectors.py``)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, QuerySet

from api.cache import shown
from api.representation import (
    alternate_columns,
    excerpt,
    html,
    identity,
    text,
)
from content.models import Article, CauseType, Method
from content.selectors import BlockResolver, cols
from faq.models import FAQItem
from faq.search import search_words
from publication.languages import column


def item_rows(code: str, at=None) -> QuerySet:
    return (
        FAQItem.objects.published(code, at=at)
        .order_by("position", "pk")
        .values(
            "pk",
            "updated_at",
            *alternate_columns(),
            *cols(code, "question", "answer"),
            *cols(code, "slug", "name", prefix="category__"),
        )
    )


def item_summary(row: dict, code: str) -> dict:
    answer = html(text(row, column("answer", code)))
    return {
        **identity(row, code, "faqitem"),
        "question": text(row, column("question", code)),
        "answer": answer,
        "excerpt": excerpt(answer),
        "category": {
            "slug": text(row, "category__" + column("slug", code)),
            "name": text(row, "category__" + column("name", code)),
        },
    }


def _refs(model, item_ids: list[int], code: str) -> dict[int, list]:
    """Visible ``model`` objects related to each FAQ item, as references."""
    name = "title" if model is Article else "name"
    refs = defaultdict(list)
    rows = (
        model.objects.published(code)
        .filter(faq_items__in=item_ids)
        .order_by(*model._meta.ordering)
        .values("faq_items", "pk", *cols(code, "slug", name))
    )
    kind = model._meta.model_name
    for row in rows:
        shown(kind, row["pk"])
        refs[row["faq_items"]].append(
            {
                "slug": text(row, column("slug", code)),
                name: text(row, column(name, code)),
            }
        )
    return refs


def item_detail(row: dict, code: str) -> dict:
    ids = [row["pk"]]
    return {
        **item_summary(row, code),
        "cause_types": _refs(CauseType, ids, code)[row["pk"]],
        "methods": _refs(Method, ids, code)[row["pk"]],
        "articles": _refs(Article, ids, code)[row["pk"]],
    }


def filter_items(
    rows: QuerySet,
    code: str,
    *,
    category: str | None = None,
    cause_type: str | None = None,
    method: str | None = None,
    article: str | None = None,
    search: str | None = None,
) -> QuerySet:
    """The FAQ filters of the public list. A filter names an object by its slug in
    ``code``; an object not visible in ``code`` matches nothing, so a draft's slug
    reveals nothing about what it is linked to."""
    slug = column("slug", code)
    if category:
        rows = rows.filter(**{"category__" + slug: category})
    for value, model, relation in (
        (cause_type, CauseType, "cause_types"),
        (method, Method, "methods"),
        (article, Article, "articles"),
    ):
        if value:
            visible = model.objects.published(code).filter(**{slug: value})
            rows = rows.filter(**{f"{relation}__in": visible.values("pk")})
    if search:
        # Every word must occur, in this language's question or answer only.
        for word in search_words(search):
            rows = rows.filter(**{column("search_text", code) + "__contains": word})
    return rows


def article_faq_queries(code: str, blocks: QuerySet, article, at) -> dict:
    """The visible FAQ items of the article, read only when it has an FAQ block."""
    return {
        "article.faq": item_rows(code, at)
        .filter(articles=article)
        .filter(Exists(blocks))
    }


def article_faq(results: dict, code: str) -> dict:
    """The FAQ block of an article: its visible FAQ items in editor order."""
    return {"items": [item_summary(row, code) for row in results["article.faq"]]}


ARTICLE_FAQ = BlockResolver(queries=article_faq_queries, build=article_faq)


# Categories: a label, shown in a language when it has a visible item there
# (read from the items' versions: faq/published.py).


def category_summary(row: dict, code: str) -> dict:
    return {
        **identity(row, code, "faqcategory"),
        "name": text(row, column("name", code)),
        "item_count": row["item_count"],
    }
