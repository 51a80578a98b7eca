"""Query counts stay the same from the demo to the benchmark's large dataset.

Every public endpoint is measured on the demo content, then again after
``generate_content`` has added 200 articles and 10,000 FAQ items (the dataset of
`make bench`): the number of queries must not move. The detail endpoints ask for the
demo's objects, which the generated articles and FAQ items embed and link to, so
their related rows grew too.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import Aftercare, Article, CauseType, Comparison, ItemList, Method
from faq.models import FAQCategory, FAQItem
from publication.languages import column

pytestmark = pytest.mark.django_db


def slug(model, code):
    objects = model.objects
    if hasattr(objects, "published"):
        objects = objects.published(code)
    obj = objects.order_by("pk").first()
    return getattr(obj, column("slug", code))


def endpoints(code: str) -> list[str]:
    query = f"?locale={code}"
    paths = [
        "/api/v1/",
        "/api/v1/locales/",
        f"/api/v1/sitemap/{query}",
        f"/api/v1/sitemap/{query}&type=faq_item&page_size=2&page=2",
        f"/api/v1/clinic/{query}",
        f"/api/v1/faq-items/{query}&page=2&page_size=2",
        f"/api/v1/faq-items/{query}&structured_data=true",
        f"/api/v1/faq-categories/{query}",
        f"/api/v1/faq-items/{slug(FAQItem, code)}/{query}",
        f"/api/v1/faq-categories/{slug(FAQCategory, code)}/{query}",
    ]
    for prefix, model in (
        ("articles", Article),
        ("cause-types", CauseType),
        ("methods", Method),
        ("comparisons", Comparison),
        ("aftercare", Aftercare),
        ("item-lists", ItemList),
    ):
        paths.append(f"/api/v1/{prefix}/{query}&page_size=100")
        paths.append(f"/api/v1/{prefix}/{slug(model, code)}/{query}")
    article = slug(Article, code)
    paths.append(f"/api/v1/faq-items/{query}&article={article}")
    return paths


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(queries)


def test_every_endpoint_keeps_its_query_count_on_the_large_dataset(
    demo, client, settings
):
    # A count, not a time: on PostgreSQL the public deadline would answer 503 for
    # a render slower than 1 s (a sitemap page of the large dataset is, on a busy
    # machine); `make bench` measures the times (docs/performance.md).
    settings.DATABASE_API_TIMEOUT = 60
    paths = {code: endpoints(code) for code in ("en", "ko")}
    on_demo = {
        path: count_queries(client, path) for code in paths for path in paths[code]
    }

    call_command("generate_content", articles=200, faq_items=10_000, verbosity=0)
    # Served, not only stored: the API reads published versions.
    assert api_count(client, "/api/v1/articles/") >= 200
    assert api_count(client, "/api/v1/faq-items/") >= 10_000

    on_large = {
        path: count_queries(client, path) for code in paths for path in paths[code]
    }
    assert on_large == on_demo


def test_the_generated_content_is_served(demo, client):
    """What ``generate_content`` adds reaches the API: it writes the published
    versions of its copies."""
    before = api_count(client, "/api/v1/faq-items/")
    call_command(
        "generate_content",
        articles=Article.objects.count(),
        faq_items=FAQItem.objects.count() + 3,
        verbosity=0,
    )
    assert api_count(client, "/api/v1/faq-items/") == before + 3


def api_count(client, path: str) -> int:
    response = client.get(path, {"locale": "en"})
    assert response.status_code == 200, response.content[:300]
    return response.json()["count"]
