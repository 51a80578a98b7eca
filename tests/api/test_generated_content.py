"""The benchmark's dataset (``manage.py generate_content``) is served by the API:
its copies are published in their originals' languages, and the API serves
published versions (docs/publishing.md), so each copy needs its own."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_generated_articles_and_faq_items_are_served(api, demo):
    articles = api("/api/v1/articles/").body["count"]
    faq_items = api("/api/v1/faq-items/").body["count"]

    call_command(
        "generate_content", articles=articles + 1, faq_items=faq_items + 1, verbosity=0
    )

    assert api("/api/v1/articles/").body["count"] == articles + 1
    assert api("/api/v1/faq-items/").body["count"] == faq_items + 1
