"""Loads the seed article (``clinic/demo_data/seed*.json``) as structured content.

``seed.json`` holds the structure and the English text; ``seed.<lang>.json`` mirror it
with one language each and are deep-merged into it. Objects are identified by their
English slug (criteria by key), so a second run finds what the first one made:
by default existing objects are left as they are (an editor's changes survive
``make run``), ``update=True`` rewrites them from the seed.

Every object is then published in each language in which it is complete, in an order
that publishes embedded objects before what embeds them. With the shipped files that
is en, ko and ja for everything, and zh-hans for the FAQ and the cause types only.
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import reversion
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext

from clinic.demo_images import DEMO_IMAGES
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
    Criterion,
    Image,
    ItemList,
    ListItem,
    Method,
    MethodFact,
)
from content.models.images import file_name
from content.renditions import store
from faq.models import FAQCategory, FAQItem
from images import Decoded, decode
from publication import roles
from publication.changes import update_addresses
from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES, column
from publication.models import (
    Publishable,
    deferred_completeness,
    published_field,
    sync_versions,
    translated_fields,
)

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"


def deep_merge(base: Any, extra: Any) -> Any:
    """Merge ``extra`` into ``base``: dicts by key, lists by index, values replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        return [
            deep_merge(b, extra[i]) if i < len(extra) else b for i, b in enumerate(base)
        ]
    return extra


def read_seed(directory: Path = DEMO_DIR) -> dict:
    data = json.loads((directory / "seed.json").read_text(encoding="utf-8"))
    for code in LANGUAGE_CODES:
        path = directory / f"seed.{code}.json"
        if code != DEFAULT_LANGUAGE and path.exists():
            data = deep_merge(data, json.loads(path.read_text(encoding="utf-8")))
    return data


def assign(obj: models.Model, data: dict, names: list[str]) -> None:
    """Copy ``names`` from ``data`` onto ``obj``.

    A translated field takes ``{"en": …, "ko": …}``; a plain string for a translated
    field (a URL) is the same in every language.
    """
    translated = set(translated_fields(type(obj)))
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if name in translated:
            if isinstance(value, dict):
                for code, text in value.items():
                    setattr(obj, column(name, code), text)
            else:
                for code in LANGUAGE_CODES:
                    setattr(obj, column(name, code), value)
        else:
            setattr(obj, name, value)


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    published: dict[str, list[str]] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], obj: models.Model) -> None:
        name = obj._meta.verbose_name_plural
        bucket[str(name)] = bucket.get(str(name), 0) + 1


class DemoLoader:
    def __init__(self, data: dict, *, update: bool = False):
        self.data = data
        self.update = update
        self.report = Report()
        self.criteria: dict[str, Criterion] = {}
        self.methods: dict[str, Method] = {}
        self.lists: dict[str, ItemList] = {}
        self.cause_types: dict[str, CauseType] = {}
        self.categories: dict[str, FAQCategory] = {}
        self.comparison: Comparison | None = None
        self.aftercare: Aftercare | None = None
        self.article: Article | None = None
        self.profile: ClinicProfile | None = None
        self.faq_items: list[FAQItem] = []
        self.images: dict[str, Image] = {}
        # Objects this run wrote: only these are published afterwards, so that a
        # language an editor unpublished stays unpublished on the next make run.
        self.written: set[tuple[type, int]] = set()

    # Finding or making one object.

    def upsert(self, model, lookup: dict, data: dict, names: list[str], **extra):
        """Return (obj, write): write is False when obj exists and is kept as is."""
        obj = model.objects.filter(**lookup).first()
        if obj is not None and not self.update:
            self.report.count(self.report.unchanged, obj)
            return obj, False
        created = obj is None
        if created:
            obj = model(**lookup)
        assign(obj, data, names)
        for key, value in extra.items():
            setattr(obj, key, value)
        obj.save()
        self.report.count(self.report.created if created else self.report.updated, obj)
        self.written.add((model, obj.pk))
        return obj, True

    def save_counted(self, obj: models.Model) -> None:
        created = obj.pk is None
        obj.save()
        self.report.count(self.report.created if created else self.report.updated, obj)

    def by_slug(self, data: dict) -> dict:
        return {column("slug", DEFAULT_LANGUAGE): data["slug"][DEFAULT_LANGUAGE]}

    def sync_children(self, queryset, rows: list[tuple[dict, list[str], dict]], model):
        """Make the ordered children of a parent match ``rows`` by position."""
        existing = {child.position: child for child in queryset}
        for position, (data, names, extra) in enumerate(rows, start=1):
            child = existing.pop(position, None)
            created = child is None
            if created:
                child = model(position=position, **extra)
            else:
                for key, value in extra.items():
                    setattr(child, key, value)
            assign(child, data, names)
            child.save()
            self.report.count(
                self.report.created if created else self.report.updated, child
            )
        for child in existing.values():
            child.delete()

    # The content, in dependency order.

    def load(self) -> Report:
        with transaction.atomic(), deferred_completeness():
            self.load_criteria()
            self.load_methods()
            self.load_lists()
            self.load_comparison()
            self.load_aftercare()
            self.load_cause_types()
            self.load_images()
            self.load_article()
            self.load_faq()
            self.load_clinic()
        with transaction.atomic():
            self.publish_complete()
            sync_versions()
            # The addresses the public sees, which the commit's change would
            # record too: here also where the commit is never seen (a test's
            # rolled-back transaction).
            update_addresses()
            # The per-language roles' demo groups ("Korean editors", …).
            roles.ensure_demo_groups()
            if self.report.created or self.report.updated:
                first_version()
        return self.report

    def load_criteria(self):
        for position, row in enumerate(self.data["criteria"], start=1):
            obj, _ = self.upsert(
                Criterion, {"key": row["key"]}, row, ["name"], position=position
            )
            self.criteria[row["key"]] = obj

    def load_methods(self):
        for position, row in enumerate(self.data["methods"], start=1):
            method, write = self.upsert(
                Method,
                self.by_slug(row),
                row,
                ["name", "slug", "summary", "procedure_type"],
                position=position,
            )
            self.methods[row["key"]] = method
            if not write:
                continue
            for key, text in row["facts"].items():
                fact = MethodFact.objects.filter(
                    method=method, criterion=self.criteria[key]
                ).first() or MethodFact(method=method, criterion=self.criteria[key])
                assign(fact, {"text": text}, ["text"])
                self.save_counted(fact)

    def load_lists(self):
        for row in self.data["item_lists"]:
            item_list, write = self.upsert(
                ItemList,
                self.by_slug(row),
                row,
                ["title", "slug", "intro", "kind"],
            )
            self.lists[row["key"]] = item_list
            if write:
                self.sync_children(
                    item_list.items.all(),
                    [
                        (item, ["title", "text"], {"item_list": item_list})
                        for item in row["items"]
                    ],
                    ListItem,
                )

    def load_comparison(self):
        row = self.data["comparison"]
        comparison, write = self.upsert(
            Comparison,
            self.by_slug(row),
            row,
            ["title", "slug", "intro", "conclusion"],
        )
        self.comparison = comparison
        if not write:
            return
        self.sync_children(
            comparison.columns.all(),
            [
                ({}, [], {"comparison": comparison, "method": self.methods[k]})
                for k in row["methods"]
            ],
            ComparisonColumn,
        )
        self.sync_children(
            comparison.rows.all(),
            [
                ({}, [], {"comparison": comparison, "criterion": self.criteria[k]})
                for k in row["criteria"]
            ],
            ComparisonRow,
        )

    def load_aftercare(self):
        row = self.data["aftercare"]
        aftercare, write = self.upsert(
            Aftercare, self.by_slug(row), row, ["title", "slug", "intro"]
        )
        self.aftercare = aftercare
        if not write:
            return
        self.sync_children(
            aftercare.stages.all(),
            [
                (
                    stage,
                    ["label"],
                    {
                        "aftercare": aftercare,
                        "start_day": stage["start_day"],
                        "end_day": stage["end_day"],
                    },
                )
                for stage in row["stages"]
            ],
            AftercareStage,
        )
        self.sync_children(
            aftercare.tracks.all(),
            [
                (
                    track,
                    ["label"],
                    {
                        "aftercare": aftercare,
                        "method": self.methods[track["method"]]
                        if track["method"]
                        else None,
                    },
                )
                for track in row["tracks"]
            ],
            AftercareTrack,
        )
        stages = dict(
            zip([s["key"] for s in row["stages"]], aftercare.stages.all(), strict=True)
        )
        tracks = dict(
            zip([t["key"] for t in row["tracks"]], aftercare.tracks.all(), strict=True)
        )
        for stage_key, by_track in row["entries"].items():
            for track_key, text in by_track.items():
                stage, track = stages[stage_key], tracks[track_key]
                entry = AftercareEntry.objects.filter(stage=stage, track=track).first()
                entry = entry or AftercareEntry(stage=stage, track=track)
                assign(entry, {"text": text}, ["text"])
                self.save_counted(entry)

    def load_cause_types(self):
        names = ["name", "slug", "tagline", "description", "first_step", "red_flags",
                 "refer_to", "rule_out_first"]  # fmt: skip
        for position, row in enumerate(self.data["cause_types"], start=1):
            cause, write = self.upsert(
                CauseType, self.by_slug(row), row, names, position=position
            )
            self.cause_types[row["key"]] = cause
            if write:
                cause.methods.set([self.methods[k] for k in row["methods"]])

    def load_images(self):
        """The pictures drawn by ``clinic.demo_images``, through the upload's
        own checks (``images.decode``). Each is found again by its file name,
        which its key gives."""
        for key, row in DEMO_IMAGES.items():
            name = file_name(demo_key(key), ".png")
            image = Image.objects.filter(file=name).first()
            if image is not None and not self.update:
                self.report.count(self.report.unchanged, image)
                self.images[key] = image
                continue
            created = image is None
            if created:
                # A file left from an earlier database is drawn again: the
                # name is the demo's.
                if default_storage.exists(name):
                    default_storage.delete(name)
                image = Image()
                store(image, drawn(key), key=demo_key(key))
            assign(image, row, ["alt_text", "caption", "credit"])
            image.focal_x, image.focal_y = row["focal"]
            image.save()
            self.report.count(
                self.report.created if created else self.report.updated, image
            )
            self.images[key] = image

    def load_article(self):
        row = self.data["article"]
        article, write = self.upsert(
            Article,
            self.by_slug(row),
            row,
            [
                "title",
                "slug",
                "summary",
                "seo_title",
                "meta_description",
                "topic",
                "reviewed_by",
            ],
            last_reviewed=datetime.date.fromisoformat(row["last_reviewed"]),
            hero_image=self.images["smile"],
        )
        self.article = article
        if not write:
            return
        blocks = []
        for block in row["blocks"]:
            extra = {
                "article": article,
                "kind": block["kind"],
                "item_list": self.lists.get(block.get("item_list")),
                "comparison": self.comparison if block.get("comparison") else None,
                "aftercare": self.aftercare if block.get("aftercare") else None,
                "aftercare_method": self.methods.get(block.get("aftercare_method")),
            }
            blocks.append((block, ["heading", "body", "cta_label", "cta_url"], extra))
            if block.get("item_list") == "muscles":
                # The drawn diagram of those muscles, right under their list.
                image = {"article": article, "kind": ArticleBlock.Kind.IMAGE}
                blocks.append(({}, [], {**image, "image": self.images["muscles"]}))
        self.sync_children(article.blocks.all(), blocks, ArticleBlock)

    def load_faq(self):
        for position, row in enumerate(self.data["faq_categories"], start=1):
            category, _ = self.upsert(
                FAQCategory,
                self.by_slug(row),
                row,
                ["name", "slug"],
                position=position,
            )
            self.categories[row["key"]] = category
        for position, row in enumerate(self.data["faq_items"], start=1):
            item, write = self.upsert(
                FAQItem,
                self.by_slug(row),
                row,
                ["question", "slug", "answer"],
                position=position,
                category=self.categories[row["category"]],
            )
            self.faq_items.append(item)
            if write:
                item.cause_types.set([self.cause_types[k] for k in row["cause_types"]])
                item.methods.set([self.methods[k] for k in row["methods"]])
                item.articles.set([self.article] if row["articles"] else [])

    def load_clinic(self):
        row = self.data["clinic"]
        profile, write = self.upsert(
            ClinicProfile,
            {"pk": 1},
            row,
            ["name", "slogan", "description", "years_of_practice", "review_count"],
            # The seed article gives no rating; absent, --update clears a stored one.
            rating=Decimal(row["rating"]) if "rating" in row else None,
            trust_points=self.lists[row["trust_points"]],
            care_system=self.lists[row["care_system"]],
        )
        self.profile = profile
        if write:
            self.sync_children(
                profile.channels.all(),
                [
                    (
                        ch,
                        ["label", "description", "url"],
                        {"profile": profile, "kind": ch["kind"]},
                    )
                    for ch in row["channels"]
                ],
                ClinicChannel,
            )

    def publish_complete(self) -> None:
        """Publish every demo object in each language where it is complete, embedded
        objects first."""
        order: list[Publishable] = [
            *self.lists.values(),
            *self.methods.values(),
            self.comparison,
            self.aftercare,
            *self.cause_types.values(),
            self.article,
            *self.faq_items,
            self.profile,
        ]
        for obj in order:
            if (type(obj), obj.pk) not in self.written:
                continue
            obj = type(obj).objects.get(pk=obj.pk)
            problems = obj.completeness_problems()
            wanted = [code for code in LANGUAGE_CODES if not problems[code]]
            if set(wanted) <= set(obj.published_languages):
                continue
            for code in wanted:
                setattr(obj, published_field(code), True)
            obj.save()
            self.report.published[obj.describe()] = obj.published_languages


@functools.cache
def drawn(key: str) -> Decoded:
    """Demo image ``key`` drawn and through the upload's checks, once per
    process: the same pixels every time, and a quarter of a second to make."""
    content = DEMO_IMAGES[key]["draw"]()
    return decode(content, name=f"{key}.png", max_bytes=len(content), max_pixels=10**7)


def demo_key(key: str) -> str:
    """The file name key of demo image ``key``: the same on every run."""
    return f"demo{key}".ljust(32, "0")[:32]


def first_version() -> None:
    """One version in the admin's history of every demo object as loaded, so that
    the original text can always be restored (publication/history.py)."""
    with reversion.create_revision():
        reversion.set_comment(gettext("The demo content, as loaded."))
        for model in reversion.get_registered_models():
            if model._meta.app_label in ("content", "faq"):
                for obj in model._default_manager.all():
                    reversion.add_to_revision(obj)


def load_demo(*, update: bool = False, directory: Path = DEMO_DIR) -> Report:
    return DemoLoader(read_seed(directory), update=update).load()
