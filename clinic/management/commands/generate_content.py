"""A large dataset for benchmarks and load tests, built from the demo content.

    manage.py generate_content --articles 200 --faq-items 10000

Loads the demo first if it is missing, then adds copies until there are at least
``--articles`` articles and ``--faq-items`` FAQ items:

- an article copy has the demo article's text with a number in its title and slugs,
  and its own blocks, which embed the demo's comparison, aftercare, lists and cause
  types (published), so its detail is as heavy as the demo article's. Its FAQ block
  shows what the original's shows (the original's FAQ items: each of them is then
  shown by every article, as a clinic's common questions are) and five of the
  generated FAQ items;
- an FAQ item copy cycles through the demo's items (all four languages), numbered in
  its question, slugs and search text.

Copies are published in exactly the languages their original is published in, so the
publication rules hold without running them row by row: rows are written with
``bulk_create`` in batches (seconds, not minutes). Their published versions are
built the same way, from the copies in memory (``publication.snapshots.values``: what
``store_version`` would store, without its queries per object), and the FAQ items
that were there before and gain links to the new articles have those links added to
their published versions (the rest of those stays as it was published). The content
version is bumped once at the end and the database's statistics are refreshed
(ANALYZE). Running it again adds only what is missing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction
from django.utils import timezone

from clinic.demo import load_demo
from content.models import Article, ArticleBlock, Image
from faq.models import FAQItem
from faq.search import search_text
from publication import content_version, snapshots
from publication.languages import LANGUAGE_CODES, column
from publication.models import PublishedVersion, changed_field, value_in

BATCH = 500
# How many of the generated FAQ items each article copy links.
ITEMS_PER_ARTICLE = 5


class Command(BaseCommand):
    help = "Add generated articles and FAQ items (copies of the demo) for load tests."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=200)
        parser.add_argument("--faq-items", type=int, default=10_000)

    def handle(self, *args, articles, faq_items, **options):
        if not Article.objects.exists():
            load_demo()
        with transaction.atomic():
            made_items = self.faq_items(faq_items)
            made_articles = self.articles(articles)
            relinked = publish_copies(made_items, made_articles)
        # The new objects are in their types' lists; the items linked before are
        # shown with new articles in their own details.
        tags = {"article", "faqitem", *content_version.tags_of(relinked)}
        content_version.bump(frozenset(tags))
        if made_items or made_articles:
            # Fresh planner statistics: until autovacuum gets round to it, the
            # planner believes the tables still hold the demo's few rows and picks
            # plans that scan all 10,000 FAQ items (docs/performance.md).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Added {len(made_articles)} articles and {len(made_items)} FAQ items; "
            f"now {Article.objects.count()} articles and {FAQItem.objects.count()} "
            "FAQ items."
        )

    def faq_items(self, target: int) -> list[tuple[FAQItem, FAQItem]]:
        """Write the FAQ item copies; each with its original."""
        originals = list(FAQItem.objects.order_by("pk")[:50])
        start = FAQItem.objects.count()
        if not originals or start >= target:
            return []
        now = timezone.now()
        position = (
            FAQItem.objects.order_by("-position")
            .values_list("position", flat=True)
            .first()
            or 0
        )
        made = []
        for n in range(start, target):
            original = originals[n % len(originals)]
            item = fresh_copy(original)
            position += 1
            item.position = position
            item.publish_at = item.updated_at = now
            for code in LANGUAGE_CODES:
                question = getattr(item, column("question", code))
                if question:
                    setattr(item, column("question", code), f"{question} (#{n})")
                    setattr(item, column("slug", code), f"faq-{code}-{n}")
                    setattr(
                        item,
                        column("search_text", code),
                        search_text(
                            getattr(item, column("question", code)),
                            getattr(item, column("answer", code)),
                        ),
                    )
            made.append((item, original))
        FAQItem.objects.bulk_create([item for item, _ in made], batch_size=BATCH)
        return made

    def articles(self, target: int) -> list[tuple[Article, list[ArticleBlock]]]:
        """Write the article copies, their blocks and their FAQ links; each copy
        with its blocks."""
        original = Article.objects.order_by("pk").first()
        start = Article.objects.count()
        if original is None or start >= target:
            return []
        blocks = list(original.blocks.order_by("position", "pk"))
        common = list(original.faq_items.order_by("pk").values_list("pk", flat=True))
        faq_ids = list(
            FAQItem.objects.exclude(pk__in=common)
            .order_by("-pk")
            .values_list("pk", flat=True)[: ITEMS_PER_ARTICLE * target]
        )
        now = timezone.now()
        made = []
        for n in range(start, target):
            article = fresh_copy(original)
            # Spread over the past so that lists have a stable, realistic order.
            article.publish_at = article.updated_at = now - timezone.timedelta(
                minutes=n
            )
            for code in LANGUAGE_CODES:
                title = getattr(article, column("title", code))
                if title:
                    setattr(article, column("title", code), f"{title} ({n})")
                    setattr(article, column("slug", code), f"article-{code}-{n}")
            made.append((article, []))
        Article.objects.bulk_create([article for article, _ in made], batch_size=BATCH)
        links = []
        through = FAQItem.articles.through
        for i, (article, clones) in enumerate(made):
            for block in blocks:
                clone = fresh_copy(block)
                clone.article_id = article.pk
                clones.append(clone)
            first = ITEMS_PER_ARTICLE * i
            for faq_id in [*common, *faq_ids[first : first + ITEMS_PER_ARTICLE]]:
                links.append(through(article_id=article.pk, faqitem_id=faq_id))
        # In the original's order, so the clones' pks keep it (a snapshot's parts
        # are in position, then pk order).
        ArticleBlock.objects.bulk_create(
            [clone for _, clones in made for clone in clones], batch_size=BATCH
        )
        through.objects.bulk_create(links, batch_size=BATCH)
        return made


def fresh_copy(obj: models.Model) -> models.Model:
    """An unsaved copy of ``obj`` with its values, not yet in the database; the
    copy of a publishable has nothing changed since published (its version is
    made from it)."""
    clone = copy.copy(obj)
    clone.pk = clone.id = None
    clone._state = copy.copy(obj._state)
    clone._state.adding = True
    for code in LANGUAGE_CODES:
        if hasattr(clone, changed_field(code)):
            setattr(clone, changed_field(code), False)
    return clone


def publish_copies(
    items: list[tuple[FAQItem, FAQItem]],
    articles: list[tuple[Article, list[ArticleBlock]]],
) -> list[FAQItem]:
    """Write the published versions of the copies just written, in every language
    they are published in, as ``store_version`` would have stored them; add the new
    articles to the versions of the FAQ items written before that they link. Returns
    those items."""
    now = timezone.now()
    versions = []
    item_links = links_of(FAQItem, [item.pk for item, _ in items])
    # An item copy shows its original's category: the original's parts.
    originals = {original.pk: original for _, original in items}
    parts = {
        pk: snapshots.snapshots(original, original.published_languages)
        for pk, original in originals.items()
    }
    for item, original in items:
        for code in item.published_languages:
            versions.append(
                version(
                    item,
                    code,
                    links=item_links[item.pk],
                    parts=parts[original.pk][code]["parts"],
                    now=now,
                )
            )
    block_links = links_of(
        ArticleBlock, [clone.pk for _, clones in articles for clone in clones]
    )
    article_links = links_of(Article, [article.pk for article, _ in articles])
    # The images the copies show (their original's), read once for all of them.
    shown_by = {
        article.pk: {article.hero_image_id, *(clone.image_id for clone in clones)}
        - {None}
        for article, clones in articles
    }
    images = Image.objects.in_bulk(set().union(*shown_by.values()))
    for article, clones in articles:
        shown = [images[pk] for pk in sorted(shown_by[article.pk])]
        for code in article.published_languages:
            blocks = [
                snapshots.values(clone, code, linked=block_links[clone.pk])
                for clone in clones
            ]
            versions.append(
                version(
                    article,
                    code,
                    links=article_links[article.pk],
                    parts={
                        "blocks": blocks,
                        "images": [
                            snapshots.values(image, code, linked={}) for image in shown
                        ],
                    },
                    now=now,
                )
            )
    PublishedVersion.objects.bulk_create(versions, batch_size=BATCH)
    made = {item.pk for item, _ in items}
    return add_article_links(
        {
            pk
            for pk in FAQItem.articles.through.objects.filter(
                article__in=[article.pk for article, _ in articles]
            ).values_list("faqitem_id", flat=True)
            if pk not in made
        },
        now=now,
    )


def version(
    obj: models.Model,
    code: str,
    *,
    links: dict[str, list[int]],
    parts: dict[str, list[dict[str, Any]]],
    now,
) -> PublishedVersion:
    """The version ``obj.store_version(code)`` would store for a copy just written,
    built without a query: ``links`` are its many-to-many links (``links_of``) and
    ``parts`` the snapshots of its parts in ``code``."""
    own = snapshots.values(obj, code, linked=links)
    # As in ``snapshots.snapshots``: a publishable's place in the lists is not
    # part of its snapshot.
    own.pop("position", None)
    return PublishedVersion(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        locale=code,
        slug=value_in(obj, "slug", code) or "",
        data={"object": own, "parts": parts},
        visible_from=obj.publish_at,
        published_at=now,
        updated_at=obj.updated_at,
        refs=snapshots.refs(own, type(obj)),
        search_text=snapshots.search_text(obj, code),
    )


def links_of(
    model: type[models.Model], pks: Iterable[int]
) -> dict[int, dict[str, list[int]]]:
    """``snapshots.links`` of each of the objects ``pks`` of ``model``: one query
    per relation and batch of objects, not one per object."""
    pks = list(pks)
    fields = [
        field
        for field in model._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    result = {pk: {field.name: [] for field in fields} for pk in pks}
    for field in fields:
        for start in range(0, len(pks), BATCH):
            rows = (
                model._default_manager.filter(pk__in=pks[start : start + BATCH])
                .values_list("pk", field.name)
                .order_by()
            )
            for pk, other in rows:
                if other is not None:  # an object with no link: one row of None
                    result[pk][field.name].append(other)
    for links in result.values():
        for others in links.values():
            others.sort()
    return result


def add_article_links(pks: set[int], *, now) -> list[FAQItem]:
    """Publish the article links of the FAQ items ``pks`` (written before this run,
    now linked by new articles): their versions name every article they link, as
    a new version would; nothing else of them changes. Returns the items."""
    if not pks:
        return []
    links = links_of(FAQItem, pks)
    field = FAQItem.articles.field.name
    versions = list(
        PublishedVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(FAQItem), object_id__in=pks
        )
    )
    for published in versions:
        published.data["object"][field] = links[published.object_id][field]
        published.refs = snapshots.refs(published.data["object"], FAQItem)
        published.updated_at = now
    PublishedVersion.objects.bulk_update(
        versions, ["data", "refs", "updated_at"], batch_size=BATCH
    )
    # What their documents show changed: as ``publication.models.touch``.
    items = list(FAQItem.objects.filter(pk__in=pks).only("pk"))
    FAQItem.objects.filter(pk__in=pks).update(updated_at=now)
    return items
