"""Export the public API's stored documents as static files for nginx or a CDN.

    manage.py export_static DIR [--origin https://api.example.com] [--from-store]
                                [--storage ALIAS]

First renders every document of the delivery store, as ``rebuild_documents``
does, so the export is complete and fresh; then writes each stored URL of the
origin (the root, the locales, every list page and sitemap page per locale,
every detail, the clinic profile) as a file with a manifest and the nginx maps of
its headers, into a new folder that ``DIR/current`` points to once it is whole
(publication/export.py, docs/static-export.md). Filtered and searched lists are
not stored, so they stay with the app. Reload nginx afterwards (``nginx -s
reload``): it serves the new export from then on.

``--from-store`` skips the full render: the store is exported as it is, its stale
documents rendered first (right after ``rebuild_documents``, or where the worker
keeps the store fresh). ``--storage`` copies the export to a STORAGES alias as
well (an S3 bucket through django-storages): the files that changed since the
last copy, and the removed ones deleted.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import InvalidStorageError, storages
from django.core.management.base import CommandError

from clinic.management.commands import rebuild_documents
from publication import export


class Command(rebuild_documents.Command):
    help = (
        "Render every stored document, then write them all as static files with a "
        "manifest and nginx maps into DIR (served from DIR/current)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")
        super().add_arguments(parser)
        parser.add_argument(
            "--from-store",
            action="store_true",
            help="Export the store as it is (its stale documents rendered first) "
            "instead of rendering every public URL first.",
        )
        parser.add_argument(
            "--storage",
            metavar="ALIAS",
            help="Also copy the export to this STORAGES alias (e.g. an S3 bucket).",
        )

    def handle(
        self,
        *args,
        directory: Path,
        origin: str,
        from_store: bool,
        storage: str | None,
        **options,
    ):
        try:
            directory = export.check_target(directory)
            target = storages[storage] if storage else None
        except export.ExportError as error:
            raise CommandError(str(error)) from None
        except InvalidStorageError:
            raise CommandError(
                f"No storage {storage!r} in STORAGES: " + ", ".join(settings.STORAGES)
            ) from None
        if not from_store:
            super().handle(*args, origin=origin, **options)
        elif not origin:
            raise CommandError("Set PUBLIC_ORIGIN or pass --origin.")
        started = time.monotonic()
        try:
            result = export.export(directory, origin)
        except export.ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Exported {result.count} documents in {time.monotonic() - started:.1f} s "
            f"to {result.directory} ({result.removed} of the previous export left "
            "out). They cover the "
            "stored URLs of " + origin.rstrip("/") + ": the root, the locales, every "
            "list page and sitemap page per locale, every detail and the clinic "
            "profile; filtered and searched lists stay with the app."
        )
        if result.skipped:
            self.stdout.write(
                f"{len(result.skipped)} stored URLs in another spelling are left to "
                "the app: " + ", ".join(result.skipped[:20])
            )
        self.stdout.write(f"Serve {directory / 'current'} and reload nginx.")
        if target is not None:
            written, deleted = export.upload(result.directory, target)
            self.stdout.write(
                f"Storage {storage!r}: {written} files written, {deleted} deleted."
            )
