"""The FAQ as the public API shows it, from published versions
(docs/publishing.md): ``Localized`` objects that ``faq/serializers.py`` renders."""

from __future__ import annotations

from django.db.models import QuerySet

from api.published import Localized
from content.models import Article, CauseType, Method
from content.published import part
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


def item(published: Published, pk: int, code: str, **related) -> Localized:
    """Item ``pk`` (its version read) with its category as published with it."""
    version = published.version(FAQItem, pk, code)
    (category,) = version.data["parts"]["category"]
    return Localized(
        published.row(FAQItem, pk, code),
        code,
        shown_as="faqitem",
        category=part(FAQCategory, category, code),
        **related,
    )


def items(published: Published, code: str, pks=None) -> list[Localized]:
    """The items ``pks`` (all visible ones: the list's order)."""
    pks = item_order(published, code) if pks is None else list(pks)
    published.prefetch(FAQItem, pks)
    return [item(published, pk, code) for pk in pks]


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


def related(published: Published, model, ids: list[int], code: str) -> list[Localized]:
    """The objects of ``model`` among ``ids`` visible in ``code``, in the model's
    order (articles newest first, the others in editor order)."""
    published.prefetch(model, ids)
    visible = [pk for pk in ids if published.version(model, pk, code)]
    if model is Article:
        rows = [published.row(model, pk, code) for pk in visible]
        rows.sort(key=lambda row: (-row["publish_at"].timestamp(), row["pk"]))
        visible = [row["pk"] for row in rows]
    else:
        positions = published.positions(model, visible)
        visible.sort(key=lambda pk: (positions[pk], pk))
    kind = model._meta.model_name
    return [
        Localized(published.row(model, pk, code), code, shown_as=kind) for pk in visible
    ]


def item_detail(published: Published, pk: int, code: str) -> Localized:
    """The item with the cause types, methods and articles it names, those
    visible in ``code``; their versions read one query per type."""
    data = published.version(FAQItem, pk, code).data["object"]
    return item(
        published,
        pk,
        code,
        **{
            field: related(published, model, data[field], code)
            for model, field in (
                (CauseType, "cause_types"),
                (Method, "methods"),
                (Article, "articles"),
            )
        },
    )


def article_faq(published: Published, code: str, article: int | None) -> dict:
    """What an article's FAQ block shows: the items visible in ``code`` that name
    the article, in list order; nothing read for an article without an FAQ block
    (``article`` None)."""
    if article is None:
        return {"items": []}
    return {
        "items": [
            item(published, pk, code)
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
    """The rows of the categories visible in ``code`` (pk order), from the items'
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


def category_detail(published: Published, code: str, slug: str) -> Localized | None:
    """The category visible in ``code`` at ``slug`` there."""
    for row in category_rows(published, code):
        if row[column("slug", code)] == slug:
            return Localized(row, code, shown_as="faqcategory")
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


def categories(published: Published, code: str) -> list[Localized]:
    """The categories visible in ``code``, in editor order."""
    rows = category_rows(published, code)
    positions = published.positions(FAQCategory, [row["pk"] for row in rows])
    rows.sort(key=lambda row: (positions[row["pk"]], row["pk"]))
    return [Localized(row, code, shown_as="faqcategory") for row in rows]
