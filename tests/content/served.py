"""What readers are served: every public API response, read through Django's test
client, so that a test can show an edit of the working copy changes none of them
until it is published (docs/publishing.md, decision 1)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator

from django.test import Client
from django.urls import reverse

from api.pagination import MAX_PAGE_SIZE
from api.registry import public_types
from publication.languages import LANGUAGE_CODES
from publication.models import Publishable

Served = dict[str, tuple[int, object]]


def served(client: Client, codes: Iterable[str] = LANGUAGE_CODES) -> Served:
    """Every public response in ``codes``, by URL: the locales, the sitemap, each
    type's list (one page of the largest size) and the detail of every object a
    list shows; each as its status and JSON body (the ETag is the body's hash,
    and Last-Modified, with the response cache off in tests, the request's time).

    Read from the registry of public types, so a type added there is covered."""
    responses: Served = {}

    def get(path: str, **params) -> object:
        response = client.get(path, params)
        body = json.loads(response.content)
        key = f"{path}?{'&'.join(f'{k}={v}' for k, v in sorted(params.items()))}"
        responses[key] = (response.status_code, body)
        return body

    get(reverse("locales"))
    for code in codes:
        get(reverse("sitemap"), locale=code, page_size=MAX_PAGE_SIZE)
        for kind in public_types():
            if kind.detail_route is None:
                # A single object (the clinic profile): its endpoint is the object.
                get(reverse(kind.list_route), locale=code)
                continue
            listed = get(reverse(kind.list_route), locale=code, page_size=MAX_PAGE_SIZE)
            for entry in listed.get("results", []):
                get(reverse(kind.detail_route, args=[entry["slug"]]), locale=code)
    return responses


def changed_urls(before: Served, after: Served) -> list[str]:
    """The URLs whose response differs, for a readable assertion message."""
    urls = before.keys() | after.keys()
    return sorted(url for url in urls if before.get(url) != after.get(url))


def shows(client: Client, text: str, code: str) -> bool:
    """Does any public response in ``code`` show ``text``?"""
    return text in json.dumps(served(client, [code]), ensure_ascii=False)


def detail(client: Client, obj: Publishable, code: str) -> dict:
    """The public detail of ``obj`` in ``code``, at the address its published
    version there has (the working copy's slug may have changed since)."""
    [kind] = [kind for kind in public_types() if kind.model is type(obj)]
    if kind.detail_route is None:
        path = reverse(kind.list_route)
    else:
        version = obj.published_version(code)
        assert version is not None, f"{obj} is not published in {code}"
        path = reverse(kind.detail_route, args=[version.slug])
    response = client.get(path, {"locale": code})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def version_rows(*objects: Publishable) -> list[dict]:
    """The published versions of ``objects``, every column but the id."""
    rows = []
    for obj in objects:
        rows += obj.versions.order_by("locale").values(
            "locale",
            "slug",
            "data",
            "visible_from",
            "published_at",
            "updated_at",
            "refs",
            "search_text",
        )
    return rows


@contextlib.contextmanager
def unchanged_for_readers(client: Client, *objects: Publishable) -> Iterator[None]:
    """The block changes the working copy only: every public response, and the
    published versions of ``objects``, are as they were before it."""
    kept = version_rows(*objects)
    assert kept, "nothing published to keep"
    before = served(client)
    yield
    assert version_rows(*objects) == kept
    assert changed_urls(before, served(client)) == []
