"""Render every document of the delivery store from published versions.

    manage.py rebuild_documents [--origin https://api.example.com]

For deploys and after a migration that changes what the API writes: every public
URL that depends on no filter or search (the root, the locales, every list's pages
and the sitemap's in every locale, every detail the sitemap names, the clinic
profile) is asked for in this process and stored (publication/documents.py). A
document the pass did not reach (an object deleted since) is rendered again or
dropped. Serving never waits for this: a missing document renders on demand.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from api.registry import by_name, public_types
from publication import documents
from publication.languages import LANGUAGE_CODES

# Without a terminal, a progress line per this many documents.
PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = (
        "Render every document of the delivery store (every public URL without a "
        "filter or search, in every locale) from published versions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--origin",
            default=settings.PUBLIC_ORIGIN,
            help="The public origin the documents' links are written for "
            "(default: PUBLIC_ORIGIN).",
        )

    def handle(self, *args, origin: str, **options):
        conf = settings.API_CACHE
        if not conf["DOCUMENTS"]:
            raise CommandError(
                "The delivery store is off (API_DOCUMENT_STORE=false): nothing to "
                "rebuild."
            )
        if not origin:
            raise CommandError(
                "Set PUBLIC_ORIGIN or pass --origin (e.g. --origin "
                "https://api.example.com): documents hold absolute links."
            )
        origin = origin.rstrip("/")
        self.started = started = time.monotonic()
        marked = documents.invalidate(())
        self.rendered = 0
        self.failed: list[str] = []
        for url in ("/api/v1/", "/api/v1/locales/"):
            self.render(origin + url)
        for code in LANGUAGE_CODES:
            sitemap = self.pages(f"{origin}/api/v1/sitemap/?locale={code}")
            for kind in public_types():
                # A single object's route (the clinic profile) answers 404 in a
                # locale it is not published in: nothing to store there.
                self.pages(
                    f"{origin}{reverse(kind.list_route)}?locale={code}", missing_ok=True
                )
            for body in sitemap:
                for entry in body["results"]:
                    route = by_name(entry["type"]).detail_route
                    path = reverse(route, kwargs={"slug": entry["slug"]})
                    self.render(f"{origin}{path}?locale={code}")
        # What the pass did not reach and was stored before: an object deleted or
        # unpublished since, or another spelling of a URL.
        left = documents.refresh_stale()
        if self.stdout.isatty():
            self.stdout.write("")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Documents rendered: {self.rendered} in {elapsed:.1f} s "
            f"({marked} stored before; {len(left)} others rendered again or "
            f"dropped)."
        )
        if self.failed:
            raise CommandError(
                "These URLs did not answer 200: " + ", ".join(self.failed[:20])
            )

    def render(self, url: str, *, missing_ok: bool = False) -> bool:
        """Render and store ``url``; whether it answered 200."""
        rendered = documents.render(url)
        if rendered.status != 200:
            if not (missing_ok and rendered.status == 404):
                self.failed.append(f"{url} ({rendered.status})")
            return False
        self.rendered += 1
        if self.stdout.isatty():
            self.stdout.write(f"\rRendered {self.rendered}", ending="")
            self.stdout.flush()
        elif self.rendered % PROGRESS_EVERY == 0:
            # A log (a deploy's, the bench's) gets a line now and then instead.
            elapsed = time.monotonic() - self.started
            self.stdout.write(f"Rendered {self.rendered} in {elapsed:.0f} s")
        return True

    def pages(self, url: str, *, missing_ok: bool = False) -> list[dict]:
        """Render every page of the list at ``url``; their bodies (read back from
        the store: what the next pages and the details are found from)."""
        if not self.render(url, missing_ok=missing_ok):
            return []
        first = self.body(url)
        if not isinstance(first, dict) or "pages" not in first:
            return [first]  # a single object (the clinic profile)
        bodies = [first]
        for number in range(2, first["pages"] + 1):
            page = f"{url}&page={number}"
            if self.render(page):
                bodies.append(self.body(page))
        return bodies

    @staticmethod
    def body(url: str):
        return json.loads(bytes(documents.lookup(url).body))
