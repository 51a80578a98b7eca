"""Golden files: every public endpoint × every locale on the demo, byte for byte.

Each answer (status, the headers a client or CDN acts on, the exact body) is kept in
``tests/api/golden/<locale>/``; this test asks the app again and compares. It is the
net under changes that must not change a response (moves, refactorings, a new read
path): any difference fails with the URL. Regenerate on purpose, after a change that
is meant to change responses, with ``make golden`` and review the diff.

The demo is loaded into an emptied database (so ids, and with them the cache tags,
are the same on SQLite and PostgreSQL), and its times (the working copy's and the
published versions') are set to one fixed instant,
so nothing in a body depends on when the test runs. ``Last-Modified`` (the time the
representation was first served) is left out for the same reason.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from api.registry import by_name, public_types
from clinic.demo import load_demo
from content.models import Image
from content.renditions import make
from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"
FIXED = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)
HEADERS = (
    "Content-Type",
    "Content-Language",
    "Cache-Control",
    "Vary",
    "ETag",
    "Cache-Tag",
    "Surrogate-Key",
    "Allow",
    "X-Robots-Tag",
)
SINGLE = ["/api/v1/sitemap/"]
# The documents in no language (a locale parameter is a 400 there): in the default
# locale's folder.
UNLOCALIZED = ["/api/v1/", "/api/v1/locales/"]
# Answers other than a plain 200 that the contract fixes too.
EXTRA = [
    ("/api/v1/faq-items/", {"structured_data": "true"}),
    ("/api/v1/faq-items/", {"page_size": "2", "page": "2"}),
    ("/api/v1/articles/no-such-article/", {}),
    ("/api/v1/articles/", {"nope": "1"}),
    ("/api/v1/articles/", {"page": "99"}),
]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_at_a_fixed_time(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        load_demo()
        # The worker's renditions, so that the answers show them.
        for image in Image.objects.all():
            make(image)
        for model in apps.get_models():
            names = {field.name for field in model._meta.get_fields()}
            fixed = {
                name: FIXED
                for name in ("updated_at", "publish_at", "visible_from", "published_at")
                if name in names
            }
            if fixed:
                model._default_manager.update(**fixed)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def urls(client: Client, locale: str) -> list[str]:
    """Every URL of the contract in ``locale``: the singles, each list and every
    detail the sitemap names, and the extra answers."""
    # Every type's list (or single object) and the sitemap.
    paths = SINGLE + [reverse(kind.list_route) for kind in public_types()]
    found = [f"{path}?locale={locale}" for path in paths]
    sitemap = client.get("/api/v1/sitemap/", {"locale": locale}).json()
    for entry in sitemap["results"]:
        route = by_name(entry["type"]).detail_route
        found.append(
            reverse(route, kwargs={"slug": entry["slug"]}) + f"?locale={locale}"
        )
    if locale == DEFAULT_LANGUAGE:
        found += UNLOCALIZED
    for path, query in EXTRA:
        found.append(f"{path}?{urlencode({'locale': locale, **query})}")
    return sorted(set(found))


def answer(client: Client, url: str) -> bytes:
    response = client.get(url)
    head = [f"HTTP {response.status_code}"]
    head += [
        f"{name}: {response[name]}" for name in HEADERS if response.has_header(name)
    ]
    return "\n".join(head).encode() + b"\n\n" + response.content


def file_for(locale: str, url: str) -> Path:
    # The URL as a name: readable (Unicode slugs as they are), one folder a locale.
    name = unquote(url.removeprefix("/api/v1/")).replace("/", "__") or "root"
    return GOLDEN / locale / f"{name}.http"


@pytest.mark.parametrize("locale", LANGUAGE_CODES)
def test_every_public_answer_is_byte_for_byte_its_golden_file(
    demo_at_a_fixed_time, locale
):
    client = Client()
    expected = {path.name for path in (GOLDEN / locale).glob("*.http")}
    seen = set()
    different = []
    for url in urls(client, locale):
        path = file_for(locale, url)
        seen.add(path.name)
        got = answer(client, url)
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(got)
        elif not path.exists() or path.read_bytes() != got:
            different.append(url)
    if UPDATE:
        for stale in expected - seen:
            (GOLDEN / locale / stale).unlink()
        return
    assert different == [], "answers differ from their golden files (make golden)"
    assert seen == expected, "golden files without a URL, or URLs without a file"
    assert len(seen) > 20
