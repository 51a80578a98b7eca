"""Compile the project's .po catalogs to .mo without GNU gettext.

``compilemessages`` needs the ``msgfmt`` binary, which a fresh machine may lack;
polib writes the same .mo files from Python. Only catalogs under LOCALE_PATHS (the
project's own) are compiled; third-party packages ship theirs compiled.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo with polib (no gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be compiled."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        compiled = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if (
                    mo_path.exists()
                    and mo_path.stat().st_mtime >= po_path.stat().st_mtime
                ):
                    continue
                if dry_run:
                    self.stdout.write(f"would compile {po_path}")
                    continue
                try:
                    catalog = polib.pofile(str(po_path))
                except (OSError, ValueError) as error:
                    raise CommandError(f"{po_path}: {error}") from error
                catalog.save_as_mofile(str(mo_path))
                compiled += 1
                if verbosity:
                    self.stdout.write(
                        f"compiled {po_path} "
                        f"({catalog.percent_translated()}% translated)"
                    )
        if verbosity and not compiled and not dry_run:
            self.stdout.write("Translations are up to date.")
