"""The FAQ categories, the locales' counts and the sitemap built from published
versions are what the API serves today, for the demo in every locale."""

from __future__ import annotations

import json

import pytest

from api import published as api_published
from api.registry import sitemap_types
from faq import published as faq_published
from publication.languages import LANGUAGE_CODES
from publication.published import Published

pytestmark = pytest.mark.django_db


def api(client, path: str, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_faq_categories_from_versions(demo, client, code):
    served = api(client, "/api/v1/faq-categories/", locale=code)["results"]
    assert served
    assert faq_published.category_summaries(Published(), code) == served


def test_locale_counts_from_versions(demo, client):
    served = {
        entry["code"]: entry["published"] for entry in api(client, "/api/v1/locales/")
    }
    assert api_published.published_counts(Published()) == served


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_sitemap_from_versions(demo, client, code):
    served = api(client, "/api/v1/sitemap/", locale=code, page_size=100)
    assert served["count"] <= 100
    names = tuple(kind.name for kind in sitemap_types())
    assert api_published.sitemap_entries(Published(), code, names) == served["results"]
