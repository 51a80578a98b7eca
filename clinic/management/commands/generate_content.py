"""A large dataset for benchmarks and load tests, built from the demo content.

    manage.py generate_content --articles 200 --faq-items 10000

Loads the demo first if it is missing, then adds copies until there are at least
``--articles`` articles and ``--faq-items`` FAQ items:

- an article copy has the demo article's text with a number in its title and slugs,
  and its own blocks, which embed the demo's comparison, aftercare, lists and cause
  types (published), so its detail is as heavy as the demo article's; it links five of
  the generated FAQ items;
- an FAQ item copy cycles through the demo's items (all four languages), numbered in
  its question, slugs and search text.

Copies are published in exactly the languages their original is published in, so the
publication rules hold without running them row by row: rows are written with
``bulk_create`` in batches (seconds, not minutes), the content version is bumped once
at the end and the database's statistics are refreshed (ANALYZE). Running it again
adds only what is missing.
"""

from __future__ import annotations

import copy

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from clinic.demo import load_demo
from content.models import Article, ArticleBlock
from faq.models import FAQItem
from faq.search import search_text
from publication import content_version
from publication.languages import LANGUAGE_CODES, column

BATCH = 500


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
        content_version.bump(frozenset({"article", "faqitem"}))
        if made_items or made_articles:
            # Fresh planner statistics: until autovacuum gets round to it, the
            # planner believes the tables still hold the demo's few rows and picks
            # plans that scan all 10,000 FAQ items (docs/performance.md).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Added {made_articles} articles and {made_items} FAQ items; now "
            f"{Article.objects.count()} articles and {FAQItem.objects.count()} FAQ "
            "items."
        )

    def faq_items(self, target: int) -> int:
        originals = list(FAQItem.objects.order_by("pk")[:50])
        start = FAQItem.objects.count()
        if not originals or start >= target:
            return 0
        now = timezone.now()
        position = (
            FAQItem.objects.order_by("-position")
            .values_list("position", flat=True)
            .first()
            or 0
        )
        made = []
        for n in range(start, target):
            item = copy.copy(originals[n % len(originals)])
            item.pk = item.id = None
            item._state = copy.copy(item._state)
            item._state.adding = True
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
            made.append(item)
        FAQItem.objects.bulk_create(made, batch_size=BATCH)
        return len(made)

    def articles(self, target: int) -> int:
        original = Article.objects.order_by("pk").first()
        start = Article.objects.count()
        if original is None or start >= target:
            return 0
        blocks = list(original.blocks.order_by("position", "pk"))
        faq_ids = list(
            FAQItem.objects.order_by("-pk").values_list("pk", flat=True)[: 5 * target]
        )
        now = timezone.now()
        made = []
        for n in range(start, target):
            article = copy.copy(original)
            article.pk = article.id = None
            article._state = copy.copy(original._state)
            article._state.adding = True
            # Spread over the past so that lists have a stable, realistic order.
            article.publish_at = article.updated_at = now - timezone.timedelta(
                minutes=n
            )
            for code in LANGUAGE_CODES:
                title = getattr(article, column("title", code))
                if title:
                    setattr(article, column("title", code), f"{title} ({n})")
                    setattr(article, column("slug", code), f"article-{code}-{n}")
            made.append(article)
        Article.objects.bulk_create(made, batch_size=BATCH)
        new_blocks, links = [], []
        through = FAQItem.articles.through
        for i, article in enumerate(made):
            for block in blocks:
                clone = copy.copy(block)
                clone.pk = clone.id = None
                clone._state = copy.copy(block._state)
                clone._state.adding = True
                clone.article_id = article.pk
                new_blocks.append(clone)
            for faq_id in faq_ids[5 * i : 5 * i + 5]:
                links.append(through(article_id=article.pk, faqitem_id=faq_id))
        ArticleBlock.objects.bulk_create(new_blocks, batch_size=BATCH)
        through.objects.bulk_create(links, batch_size=BATCH)
        return len(made)
