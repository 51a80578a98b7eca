"""Load the seed article as structured, translated, published demo content."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo content (the mouth-corner-asymmetry article with its cause "
        "types, methods, comparison, aftercare, lists, FAQ and clinic profile) in "
        "every language it is translated into. Idempotent: objects that exist are "
        "kept unless --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Rewrite existing demo objects from the seed files.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Load inside a transaction that is rolled back, and report.",
        )

    def handle(self, *args, update=False, dry_run=False, **options):
        try:
            with transaction.atomic():
                report = load_demo(update=update)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        for title, bucket in (
            ("created", report.created),
            ("updated", report.updated),
            ("kept", report.unchanged),
        ):
            if bucket:
                summary = ", ".join(f"{n} {name}" for name, n in sorted(bucket.items()))
                self.stdout.write(f"Demo content {title}: {summary}")
        for name, codes in report.published.items():
            self.stdout.write(f"  published {name} in {', '.join(codes)}")
        if not (report.created or report.updated):
            self.stdout.write("Demo content already present; nothing changed.")
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
