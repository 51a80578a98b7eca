"""Back up the database to one file: ``pg_dump --format=custom`` on PostgreSQL, a
consistent copy through SQLite's online backup API on SQLite.

    manage.py backup [--output var/backups/clinic-20260101T000000Z.dump]

The file is written under a temporary name and renamed once it is complete and has
been read back (``pg_restore --list``; SQLite's ``integrity_check``), so a file under
the final name is always a whole backup. ``manage.py restore`` reads it.

PostgreSQL: the client tools must be at least the server's major version (pg_dump
refuses a newer server); they get the connection from DATABASES (the password in the
environment, never on the command line). SQLite: the backup API copies a live database
page by page under a read lock, so a write in progress is either wholly in the copy or
not at all; a plain file copy could catch half of it.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

# DATABASES OPTIONS that libpq reads from the environment.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise CommandError(f"Backups of {vendor} databases are not supported.")
    return vendor


def libpq_env(alias: str) -> dict[str, str]:
    """The environment that points pg_dump, pg_restore and psql at the database."""
    db = connections[alias].settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[name] = str(db[key])
    for option, name in LIBPQ_OPTIONS.items():
        if option in (db.get("OPTIONS") or {}):
            env[name] = str(db["OPTIONS"][option])
    return env


def client(tool: str, alias: str) -> str:
    """The path of a PostgreSQL client tool whose major version can read the
    server's (equal or newer)."""
    path = shutil.which(tool)
    if not path:
        raise CommandError(
            f"{tool} is missing (Debian: apt-get install postgresql-client)"
        )
    version = subprocess.run(
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    major = int(re.search(r"(\d+)(?:\.\d+)?", version).group(1))
    connection = connections[alias]
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if major < server:
        raise CommandError(
            f"{tool} {major} cannot read a PostgreSQL {server} server: install the "
            f"client tools of version {server} or newer."
        )
    return path


def sqlite_path(alias: str) -> Path:
    name = connections[alias].settings_dict["NAME"]
    if str(name) == ":memory:" or "mode=memory" in str(name):
        raise CommandError("An in-memory SQLite database cannot be backed up.")
    return Path(name)


def sqlite_check(path: Path) -> None:
    """Refuse a file that is not a whole SQLite database of this project."""
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = source.execute("PRAGMA integrity_check").fetchone()
            has_migrations = source.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'"
            ).fetchone()
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        raise CommandError(f"{path} is not a SQLite database: {error}") from error
    if result != "ok":
        raise CommandError(f"{path} fails SQLite's integrity check: {result}")
    if not has_migrations:
        raise CommandError(f"{path} holds no django_migrations table: not a backup")


def sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy one SQLite database onto another with the online backup API (the target
    is replaced as a whole, in one step for its readers)."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def pg_list(path: Path, alias: str) -> str:
    """``pg_restore --list``: the archive's table of contents, or an error if the file
    is not a whole custom-format archive."""
    listed = subprocess.run(
        [client("pg_restore", alias), "--list", str(path)],
        capture_output=True,
        text=True,
    )
    if listed.returncode:
        raise CommandError(f"{path} is not a pg_dump archive: {listed.stderr.strip()}")
    return listed.stdout


def human_size(path: Path) -> str:
    size = path.stat().st_size
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class Command(BaseCommand):
    help = (
        "Back up the database to one file (pg_dump custom format on PostgreSQL, the "
        "SQLite backup API on SQLite); restore it with manage.py restore."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The backup file (default: var/backups/<database>-<UTC time>.dump "
            "on PostgreSQL, .sqlite3 on SQLite). Never overwritten.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be written."
        )

    def handle(self, *args, output=None, database, dry_run=False, **options):
        kind = vendor(database)
        name = Path(str(connections[database].settings_dict["NAME"])).stem
        if output is None:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            suffix = ".dump" if kind == "postgresql" else ".sqlite3"
            output = Path(settings.BASE_DIR) / "var" / "backups" / f"{name}-{stamp}"
            output = output.with_suffix(suffix)
        if output.exists():
            raise CommandError(f"{output} exists: choose another --output")
        if dry_run:
            self.stdout.write(f"Would back up the {kind} database {name} to {output}")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        try:
            if kind == "postgresql":
                dumped = subprocess.run(
                    [
                        client("pg_dump", database),
                        "--format=custom",
                        f"--file={partial}",
                    ],
                    env=libpq_env(database),
                    capture_output=True,
                    text=True,
                )
                if dumped.returncode:
                    raise CommandError(f"pg_dump failed: {dumped.stderr.strip()}")
                pg_list(partial, database)
            else:
                sqlite_copy(sqlite_path(database), partial)
                sqlite_check(partial)
            partial.rename(output)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"Backed up {name} to {output} ({human_size(output)})")
