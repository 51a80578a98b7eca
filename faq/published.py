"""The FAQ's representations from published versions (docs/publishing.md): the
rows ``faq.selectors`` builds from, read from ``publication.published.Published``
instead of the working copy, so both sources give the same JSON."""

from __future__ import annotations

from django.db.models import QuerySet

from api.cache import shown
from content.models import Article, CauseType, Method
from faq import selectors
from faq.models import FAQCategory, FAQItem
from faq.search import search_words
from publication.languages import LANGUAGE_CODES, column
from publication.models import published_field
from publication.published import Published, naming, values_row


def item_order(published: Published, code: str, **lookups) -> list[int]:
    """The items visible in ``code`` (those whose version there matches
    ``lookups``) in the list's order: editor order (the working copy's positions:
    a reorder is published at once), then pk. Their versions and positions are
    read in one query."""
    visible = published.load_visible(FAQItem, code, **lookups)
    positions = published.positions(FAQItem, visible)
    return sorted(visible, key=lambda pk: (positions[pk], pk))


def item_row(published: Published, pk: int, code: str) -> dict:
    """The row of ``faq.selectors.item_rows`` for item ``pk``."""
    row = published.row(FAQItem, pk, code)
    version = published.version(FAQItem, pk, code)
    # The category's name and slug as published with the item.
    for category in version.data["parts"]["category"]:
        values = values_row(FAQCategory, category, code)
        row.update({f"category__{name}": value for name, value in values.items()})
    return row


def item_summaries(published: Published, code: str, pks=None) -> list[dict]:
    """Summaries of the items ``pks`` (all visible ones: the list's order)."""
    pks = item_order(published, code) if pks is None else list(pks)
    published.prefetch(FAQItem, pks)
    return [selectors.item_summary(item_row(published, pk, code), code) for pk in pks]


def narrowed(
    published: Published, versions: QuerySet, code: str, name: str, value: str
) -> QuerySet:
    """The FAQ item versions ``versions`` (visible in ``code``) narrowed by one of
    the public list's filters. A filter names an object by its published slug in
    ``code``; one not visible there matches nothing, so a draft's slug reveals
    nothing."""
    if name == "category":
        return versions.filter(data__parts__category__0__slug=value)
    if name == "search":
        # Every word must occur, in this locale's published question or answer.
        for word in search_words(value):
            versions = versions.filter(search_text__contains=word)
        return versions
    model = {"cause_type": CauseType, "method": Method, "article": Article}[name]
    pk = published.object_at(model, code, value)
    if pk is None:
        return versions.none()
    return versions.filter(**naming(model, pk))


def in_list_order(versions: QuerySet) -> QuerySet:
    """The pks of the items of ``versions`` in the list's order, as a queryset to
    count and page."""
    return (
        FAQItem.objects.filter(pk__in=versions.values("object_id"))
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )


def filtered_items(published: Published, code: str, **filters: str | None) -> QuerySet:
    """The pks of the items visible in ``code`` that match every filter given
    (``category``, ``cause_type``, ``method``, ``article``, ``search``), in list
    order."""
    versions = published.queryset(FAQItem).filter(locale=code)
    for name, value in filters.items():
        if value:
            versions = narrowed(published, versions, code, name, value)
    return in_list_order(versions)


def _refs(published: Published, model, ids: list[int], code: str) -> list[dict]:
    """References to the visible objects of ``model`` among ``ids``, in the
    model's order, as ``faq.selectors._refs`` gives them."""
    name = "title" if model is Article else "name"
    published.prefetch(model, ids)
    rows = [published.row(model, pk, code) for pk in ids]
    if model is Article:
        rows.sort(key=lambda row: (-row["publish_at"].timestamp(), row["pk"]))
    else:
        positions = published.positions(model, [row["pk"] for row in rows])
        rows.sort(key=lambda row: (positions[row["pk"]], row["pk"]))
    kind = model._meta.model_name
    refs = []
    for row in rows:
        shown(kind, row["pk"])
        refs.append(
            {
                "slug": row[column("slug", code)] or "",
                name: row[column(name, code)] or "",
            }
        )
    return refs


def item_detail(published: Published, pk: int, code: str) -> dict:
    data = published.version(FAQItem, pk, code).data["object"]
    for model, field in ((CauseType, "cause_types"), (Method, "methods")):
        published.prefetch(model, data[field])
    published.prefetch(Article, data["articles"])
    visible = {
        model: [i for i in data[field] if published.version(model, i, code)]
        for model, field in (
            (CauseType, "cause_types"),
            (Method, "methods"),
            (Article, "articles"),
        )
    }
    return {
        **selectors.item_summary(item_row(published, pk, code), code),
        "cause_types": _refs(published, CauseType, visible[CauseType], code),
        "methods": _refs(published, Method, visible[Method], code),
        "articles": _refs(published, Article, visible[Article], code),
    }


def article_faq_results(published: Published, code: str, article: int | None) -> dict:
    """The rows of an article's FAQ block (``selectors.article_faq``): the items
    visible in ``code`` that name the article, in list order; none for an article
    without an FAQ block (``article`` None)."""
    if article is None:
        return {"article.faq": []}
    return {
        "article.faq": [
            item_row(published, pk, code)
            for pk in item_order(published, code, **naming(Article, article))
        ]
    }


# Categories: a label, shown in a locale where one of its items is visible, under
# the name and slug its items were published with there.

# An item's category as published with it: the one part of its snapshot the
# categories read (never the question and answer).
CATEGORY = "data__parts__category__0"


def categories_by_locale(published: Published) -> dict[int, dict[str, list[dict]]]:
    """Per category, per locale, the visible versions of its items there (their
    item, times and ``CATEGORY``): one query, read once for every locale."""
    versions = published.queryset(FAQItem).values(
        "object_id", "locale", "updated_at", "published_at", CATEGORY
    )
    by_category: dict[int, dict[str, list[dict]]] = {}
    for version in versions:
        if version[CATEGORY] is not None:
            by_category.setdefault(version[CATEGORY]["id"], {}).setdefault(
                version["locale"], []
            ).append(version)
    return by_category


def newest(versions: list[dict]) -> dict:
    """The category as the latest published of ``versions`` shows it."""
    return max(versions, key=lambda v: (v["published_at"], v["object_id"]))[CATEGORY]


def category_rows(published: Published, code: str) -> list[dict]:
    """The rows ``selectors.category_summary`` reads (pk order), from the items'
    versions: per category, the locales it has visible items in, its slug there,
    its name, how many items and their last change."""
    by_category = published.cached(
        "faq.categories", lambda: categories_by_locale(published)
    )
    rows = []
    for pk in sorted(by_category):
        locales = by_category[pk]
        if code not in locales:
            continue
        items = locales[code]
        values = values_row(FAQCategory, newest(items), code)
        row = {
            "pk": pk,
            "updated_at": max(v["updated_at"] for v in items),
            "item_count": len(items),
            column("name", code): values[column("name", code)],
        }
        for other in LANGUAGE_CODES:
            there = locales.get(other)
            row[published_field(other)] = there is not None
            row[column("slug", other)] = (newest(there)["slug"] or "") if there else ""
        rows.append(row)
    return rows


def category_detail(published: Published, code: str, slug: str) -> dict | None:
    """The category visible in ``code`` at ``slug`` there."""
    for row in category_rows(published, code):
        if row[column("slug", code)] == slug:
            return selectors.category_summary(row, code)
    return None


def category_other_language_slug(
    published: Published, code: str, slug: str
) -> str | None:
    """The slug in ``code`` of the category visible in ``code`` whose slug is
    ``slug`` in another locale where it is visible."""
    rows = {row["pk"]: row for row in category_rows(published, code)}
    for other in LANGUAGE_CODES:
        if other == code:
            continue
        for row in category_rows(published, other):
            if row[column("slug", other)] == slug and row["pk"] in rows:
                return rows[row["pk"]][column("slug", code)] or None
    return None


def category_summaries(published: Published, code: str) -> list[dict]:
    rows = category_rows(published, code)
    positions = published.positions(FAQCategory, [row["pk"] for row in rows])
    rows.sort(key=lambda row: (positions[row["pk"]], row["pk"]))
    return [selectors.category_summary(row, code) for row in rows]
