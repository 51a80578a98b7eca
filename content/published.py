"""The content types as the public API shows them, from published versions
(docs/publishing.md): each loader returns a ``Localized`` object, which the type's
serializer (``content/serializers.py``) renders.

An object's own values and parts come from its version; what it embeds (a method
in a comparison, a list in an article) from the embedded object's own version, and
only where that one is visible in the locale. Versions are read one query per type
(``Published.prefetch``), never one per object, so that a detail or a page reads as
many queries whatever it shows (tests/api/test_query_counts.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from api.published import Localized
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
    Image,
    ItemList,
    ListItem,
    Method,
    MethodFact,
    Rendition,
)
from content.models.images import focal_key
from publication.published import Published, naming, values_row


def parts(published: Published, model, pk: int, code: str, name: str) -> list[dict]:
    """The snapshot rows of the part ``name`` of the version of ``model`` ``pk``."""
    return published.version(model, pk, code).data["parts"].get(name, [])


def localized(published: Published, model, pk: int, code: str, **related) -> Localized:
    """Object ``pk`` as its version in ``code`` shows it (read already), with
    its hero image where its type has one."""
    row = published.row(model, pk, code)
    if "hero_image_id" in row and "hero_image" not in related:
        related["hero_image"] = image_ref(
            published, model, pk, code, row["hero_image_id"]
        )
    return Localized(row, code, shown_as=model._meta.model_name, **related)


# Images: what a version says of each image it shows (alt text, caption, focal
# point) is in its ``images`` part; the file's facts (size, placeholder,
# renditions) never change with a publication and are read from the library,
# once for every image the response shows: a reference is resolved when the
# serializer first reads one (``ImageRef``), and that reads all of them in two
# queries, whatever the number of objects or images.


class ImageFiles:
    """The library rows of the images a response shows, read together."""

    def __init__(self):
        self.wanted: set[int] = set()
        self.rows: dict[int, Image] = {}

    def get(self, pk: int) -> Image | None:
        if pk not in self.rows and pk in self.wanted:
            missing = self.wanted - self.rows.keys()
            found = {
                image.pk: image
                for image in Image.objects.filter(pk__in=missing).only(
                    "file", "width", "height", "format", "color", "placeholder"
                )
            }
            for image in found.values():
                image.made = []
            for rendition in Rendition.objects.filter(image__in=found).order_by(
                "ratio", "width", "format"
            ):
                found[rendition.image_id].made.append(rendition)
            self.rows.update(found)
            self.rows.update(dict.fromkeys(missing - found.keys()))
        return self.rows.get(pk)


class ImageRef:
    """An image as one version shows it, resolved on first use."""

    def __init__(self, files: ImageFiles, data: dict, code: str):
        self.files, self.data, self.code = files, data, code
        files.wanted.add(data["id"])

    def resolve(self) -> Localized | None:
        file = self.files.get(self.data["id"])
        if file is None:
            return None
        focal = focal_key((self.data["focal_x"], self.data["focal_y"]))
        row = values_row(Image, self.data, self.code)
        row["pk"] = self.data["id"]
        return Localized(
            row,
            self.code,
            shown_as="image",
            file=file,
            renditions=[r for r in file.made if not r.ratio],
            crops=[r for r in file.made if r.ratio and r.focal == focal],
        )


def image_ref(
    published: Published, model, pk: int, code: str, image_pk: int | None
) -> ImageRef | None:
    """Image ``image_pk`` as the version of ``model`` ``pk`` in ``code`` shows it;
    None for no image."""
    if image_pk is None:
        return None
    files = published.cached("image-files", ImageFiles)
    for data in parts(published, model, pk, code, "images"):
        if data["id"] == image_pk:
            return ImageRef(files, data, code)
    return None


def part(model, data: dict, code: str, **related) -> Localized:
    """A part (a block, a row, a label) as its snapshot values show it in ``code``."""
    row = values_row(model, data, code)
    row["pk"] = data["id"]
    return Localized(row, code, **related)


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


def page(published: Published, model, code: str, pks) -> list[Localized]:
    """The objects ``pks`` (one page of a list), their versions read in one query."""
    pks = list(pks)
    published.prefetch(model, pks)
    return [localized(published, model, pk, code) for pk in pks]


def visible_in_order(published: Published, model, code: str, **lookups) -> list[int]:
    """The objects visible in ``code`` (those whose version there matches
    ``lookups``) in the model's public order; their versions read in one query."""
    return in_order(published, model, published.load_visible(model, code, **lookups))


def methods(published: Published, pks: Iterable[int], code: str) -> list[Localized]:
    """The methods among ``pks`` visible in ``code``, in ``pks``' order."""
    pks = list(pks)
    published.prefetch(Method, pks)
    return [
        localized(published, Method, pk, code)
        for pk in pks
        if published.version(Method, pk, code)
    ]


def criteria(published: Published, model, pk: int, code: str) -> dict[int, Localized]:
    """The criteria (row labels) published with object ``pk``, by id."""
    return {
        c["id"]: part(Criterion, c, code)
        for c in parts(published, model, pk, code, "criteria")
    }


# Methods.


def method(published: Published, pk: int, code: str) -> Localized:
    labels = criteria(published, Method, pk, code)
    facts = [
        part(MethodFact, fact, code, criterion=labels[fact["criterion_id"]])
        for fact in parts(published, Method, pk, code, "facts")
    ]
    # The cause types that call for the method, found by their versions' links.
    cause_types = [
        localized(published, CauseType, other, code)
        for other in visible_in_order(published, CauseType, code, **naming(Method, pk))
    ]
    return localized(
        published,
        Method,
        pk,
        code,
        facts=[fact for fact in facts if fact.text],
        cause_types=cause_types,
    )


# Comparisons.


def comparison(published: Published, pk: int, code: str) -> Localized:
    """Methods as columns (those visible), criteria as rows, a cell per pair."""
    columns = methods(
        published,
        [col["method_id"] for col in parts(published, Comparison, pk, code, "columns")],
        code,
    )
    labels = criteria(published, Comparison, pk, code)
    cells = {
        (cell["criterion_id"], cell["method_id"]): part(MethodFact, cell, code).text
        for cell in parts(published, Comparison, pk, code, "cells")
    }
    rows = [
        Localized(
            {},
            code,
            criterion=labels[r["criterion_id"]],
            cells=[cells.get((r["criterion_id"], m.pk), "") for m in columns],
        )
        for r in parts(published, Comparison, pk, code, "rows")
    ]
    return localized(published, Comparison, pk, code, columns=columns, rows=rows)


# Aftercare.


def aftercare(
    published: Published, pk: int, code: str, for_method: int | None = None
) -> Localized:
    """The timeline: stages (day ranges) as rows, tracks as columns. With
    ``for_method``, only that method's track and the shared care. A track of a
    method not visible in ``code`` keeps its label but names no method; it is
    still not shared care."""
    track_rows = parts(published, Aftercare, pk, code, "tracks")
    published.prefetch(Method, [t["method_id"] for t in track_rows])
    tracks = [
        part(
            AftercareTrack,
            t,
            code,
            shared=t["method_id"] is None,
            method=localized(published, Method, t["method_id"], code)
            if published.version(Method, t["method_id"], code)
            else None,
        )
        for t in track_rows
        if for_method is None or t["method_id"] in (None, for_method)
    ]
    entries = {
        (e["stage_id"], e["track_id"]): part(AftercareEntry, e, code).text
        for e in parts(published, Aftercare, pk, code, "entries")
    }
    stages = [
        part(
            AftercareStage,
            s,
            code,
            cells=[entries.get((s["id"], t.pk), "") for t in tracks],
        )
        for s in parts(published, Aftercare, pk, code, "stages")
    ]
    return localized(published, Aftercare, pk, code, tracks=tracks, stages=stages)


# Item lists.


def item_list(published: Published, pk: int, code: str) -> Localized:
    items = [
        part(ListItem, item, code)
        for item in parts(published, ItemList, pk, code, "items")
    ]
    return localized(published, ItemList, pk, code, items=items)


# Cause types.


def cause_type(published: Published, pk: int, code: str) -> Localized:
    """With the methods that it calls for, those visible, in their order."""
    data = published.version(CauseType, pk, code).data["object"]
    published.prefetch(Method, data["methods"])
    visible = [m for m in data["methods"] if published.version(Method, m, code)]
    return localized(
        published,
        CauseType,
        pk,
        code,
        methods=methods(published, in_order(published, Method, visible), code),
    )


# Articles.

# Kind → what a block of that kind shows, for a kind whose content lives in another
# app (the FAQ registers "faq": content never imports faq): called with the
# versions, the locale and the article's pk (None when the article has no block of
# that kind, so the call reads nothing), it returns the block's attributes.
BLOCK_RESOLVERS: dict[str, Callable[[Published, str, int | None], dict]] = {}


def register_block_resolver(
    kind: str, resolve: Callable[[Published, str, int | None], dict]
) -> None:
    BLOCK_RESOLVERS[kind] = resolve


EMBEDDED = (
    ("item_list_id", ItemList),
    ("comparison_id", Comparison),
    ("aftercare_id", Aftercare),
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


def article(published: Published, pk: int, code: str) -> Localized:
    """The article with its blocks resolved; a block whose embedded object is not
    visible in ``code`` is left out. Versions are read one query per type: the
    embedded lists, comparisons and timelines, the visible cause types, then the
    methods all of them show (the FAQ block reads its items in one more)."""
    blocks = parts(published, Article, pk, code, "blocks")
    kinds = {b["kind"] for b in blocks}
    visible = {}
    for key, model in EMBEDDED:
        ids = dict.fromkeys(b[key] for b in blocks if b[key] is not None)
        published.prefetch(model, ids)
        visible[model] = [
            other for other in ids if published.version(model, other, code)
        ]
    cause_type_pks = (
        visible_in_order(published, CauseType, code)
        if ArticleBlock.Kind.CAUSE_TYPES in kinds
        else []
    )
    published.prefetch(
        Method,
        methods_shown(
            published, code, visible[Comparison], visible[Aftercare], cause_type_pks
        ),
    )
    cause_types = [cause_type(published, other, code) for other in cause_type_pks]
    resolved = {
        kind: resolve(published, code, pk if kind in kinds else None)
        for kind, resolve in BLOCK_RESOLVERS.items()
    }
    shown_blocks = []
    for b in blocks:
        kind = b["kind"]
        related = resolved.get(kind, {})
        if kind == ArticleBlock.Kind.LIST:
            if b["item_list_id"] not in visible[ItemList]:
                continue  # not visible in this language: never show it
            related = {"item_list": item_list(published, b["item_list_id"], code)}
        elif kind == ArticleBlock.Kind.COMPARISON:
            if b["comparison_id"] not in visible[Comparison]:
                continue
            related = {"comparison": comparison(published, b["comparison_id"], code)}
        elif kind == ArticleBlock.Kind.AFTERCARE:
            if b["aftercare_id"] not in visible[Aftercare]:
                continue
            related = {
                "aftercare": aftercare(
                    published, b["aftercare_id"], code, b["aftercare_method_id"]
                )
            }
        elif kind == ArticleBlock.Kind.CAUSE_TYPES:
            related = {"cause_types": cause_types}
        elif kind == ArticleBlock.Kind.IMAGE:
            related = {"image": image_ref(published, Article, pk, code, b["image_id"])}
        shown_blocks.append(part(ArticleBlock, b, code, **related))
    return localized(published, Article, pk, code, blocks=shown_blocks)


# The clinic.


def clinic_profile(published: Published, code: str) -> Localized | None:
    """The clinic profile visible in ``code`` (there is one), with its channels
    and the visible lists it shows."""
    pks = sorted(published.load_visible(ClinicProfile, code))
    if not pks:
        return None
    pk = pks[0]
    row = published.row(ClinicProfile, pk, code)
    lists = dict.fromkeys((row["trust_points_id"], row["care_system_id"]))
    published.prefetch(ItemList, lists)
    for other in lists:
        lists[other] = (
            item_list(published, other, code)
            if published.version(ItemList, other, code)
            else None
        )
    return localized(
        published,
        ClinicProfile,
        pk,
        code,
        channels=[
            part(ClinicChannel, ch, code)
            for ch in parts(published, ClinicProfile, pk, code, "channels")
        ],
        trust_points=lists[row["trust_points_id"]],
        care_system=lists[row["care_system_id"]],
        logo=image_ref(published, ClinicProfile, pk, code, row["logo_id"]),
        photos=[
            image_ref(published, ClinicProfile, pk, code, photo)
            for photo in published.version(ClinicProfile, pk, code).data["object"][
                "photos"
            ]
        ],
    )


# Every type's detail.

DETAILS: dict[type, Callable[[Published, int, str], Localized]] = {
    Method: method,
    Comparison: comparison,
    Aftercare: aftercare,
    ItemList: item_list,
    CauseType: cause_type,
    Article: article,
}


def detail(published: Published, model, pk: int, code: str) -> Localized:
    return DETAILS[model](published, pk, code)
