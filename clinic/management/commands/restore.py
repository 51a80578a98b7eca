"""Restore a file made by ``manage.py backup`` over the database, as a whole.

    manage.py restore var/backups/clinic-20260101T000000Z.dump [--no-input]

PostgreSQL: ``pg_restore --clean --if-exists --single-transaction --no-owner
--no-privileges``: every table of the backup is dropped and re-created with its rows
in one transaction (an error leaves the database as it was); objects are owned by the
user of DATABASES. A table the database has and the backup does not (made by a
migration newer than the backup) would survive and clash with the restored migration
history, so the command refuses unless ``--drop-extra-tables``. SQLite: the backup
replaces the database file's content through the online backup API, in one step.

Afterwards the content version is bumped, so no app server serves a cached response
of the content before the restore (purge the CDN as well); run ``manage.py migrate``
if the backup is older than the code. Stop the app servers first or expect their
requests to wait for the restore's locks.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from clinic.management.commands.backup import (
    client,
    libpq_env,
    pg_list,
    sqlite_check,
    sqlite_copy,
    sqlite_path,
    vendor,
)
from publication import content_version
from publication.models import publishable_models
from publication.tasks import schedule_pending


def archive_tables(listing: str) -> set[str]:
    """The tables of a ``pg_restore --list`` listing (``… TABLE public name owner``)."""
    tables = set()
    for line in listing.splitlines():
        if line.startswith(";"):
            continue
        parts = line.split()
        # "TABLE DATA public name owner" is the rows of a table listed on its own.
        if len(parts) > 6 and parts[3] == "TABLE" and parts[4] != "DATA":
            tables.add(parts[5])
    return tables


def every_model_tag() -> frozenset[str]:
    return frozenset(
        content_version.model_tag(model)
        for label in ("content", "faq")
        for model in apps.get_app_config(label).get_models()
    )


class Command(BaseCommand):
    help = (
        "Replace the database with a file made by manage.py backup (pg_restore on "
        "PostgreSQL, the SQLite backup API on SQLite)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--drop-extra-tables",
            action="store_true",
            help="Drop the tables the backup does not have (PostgreSQL).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would be replaced.",
        )

    def handle(
        self,
        *args,
        file,
        database,
        interactive=True,
        drop_extra_tables=False,
        dry_run=False,
        **options,
    ):
        kind = vendor(database)
        connection = connections[database]
        name = connection.settings_dict["NAME"]
        if not file.is_file():
            raise CommandError(f"{file} does not exist")
        extra: list[str] = []
        if kind == "postgresql":
            in_backup = archive_tables(pg_list(file, database))
            with connection.cursor() as cursor:
                extra = sorted(
                    set(connection.introspection.table_names(cursor)) - in_backup
                )
            if extra and not drop_extra_tables:
                raise CommandError(
                    f"{name} has tables the backup does not: {', '.join(extra)}. "
                    "They would clash with the restored migration history; pass "
                    "--drop-extra-tables to drop them."
                )
        else:
            sqlite_check(file)
        summary = f"Every table of the {kind} database {name} is replaced by {file}"
        if dry_run:
            self.stdout.write(f"Would restore: {summary}.")
            return
        if interactive:
            answer = input(f"{summary}. Type 'yes' to continue: ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")

        if kind == "postgresql":
            with connection.cursor() as cursor:
                for table in extra:
                    cursor.execute(
                        f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} "
                        "CASCADE"
                    )
            connection.close()
            restored = subprocess.run(
                [
                    client("pg_restore", database),
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    "--no-privileges",
                    f"--dbname={name}",
                    str(file),
                ],
                env=libpq_env(database),
                capture_output=True,
                text=True,
            )
            if restored.returncode:
                raise CommandError(
                    "pg_restore failed; the database is unchanged:\n"
                    + restored.stderr.strip()
                )
        else:
            connection.close()
            sqlite_copy(file, sqlite_path(database))
        content_version.bump(every_model_tag())
        self.stdout.write(
            f"Restored {file} into {name}; cached API responses are out of date "
            "(content version bumped). Run manage.py migrate if the backup is older "
            "than the code."
        )
        # The backup's publication times to come need their tasks: the backup may
        # predate them, or the worker may have run them since it was made.
        try:
            scheduled = schedule_pending(publishable_models())
        except DatabaseError:
            self.stdout.write(
                "Publication times not enqueued (the backup has no task table): run "
                "manage.py migrate, then manage.py schedule_publications."
            )
        else:
            if scheduled:
                self.stdout.write(f"Publication times enqueued: {scheduled}")
