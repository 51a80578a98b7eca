"""Backup and restore: the demo, dumped with ``manage.py backup`` and restored with
``manage.py restore`` into a scratch database, comes back row for row, every column
of every table (every language column included), on the suite's backend."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.ops.conftest import scratch_databases, url_of

LANGUAGE_COLUMNS = ("title_en", "title_ko", "title_ja", "title_zh_hans")


def manage(db: dict, *args: str, succeed: bool = True) -> str:
    """Run manage.py on ``db`` as an operator would (its own process); its output,
    or its error output when it is expected to fail."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(DATABASE_URL=url_of(db), DJANGO_SETTINGS_MODULE="clinic.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert (result.returncode == 0) == succeed, result.stdout + result.stderr
    return result.stdout if succeed else result.stderr


def dump_rows(db: dict) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table: its columns and all its rows, sorted."""
    if db["ENGINE"] == "django.db.backends.sqlite3":
        conn = sqlite3.connect(db["NAME"])
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
    else:
        import psycopg

        conn = psycopg.connect(
            dbname=db["NAME"],
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
        )
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
    try:
        found = {}
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [column[0] for column in cursor.description]
            rows = sorted(cursor.fetchall(), key=repr)
            found[table] = (columns, rows)
        return found
    finally:
        conn.close()


def execute(db: dict, sql: str) -> None:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        with sqlite3.connect(db["NAME"]) as conn:
            conn.execute(sql)
        conn.close()
    else:
        import psycopg

        with psycopg.connect(
            dbname=db["NAME"],
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
        ) as conn:
            conn.execute(sql)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory, django_db_blocker) -> Iterator[dict]:
    """The demo, migrated and loaded by manage.py once for the module (some 13 s on
    PostgreSQL); each test gets a copy of it (demo_database)."""
    make, drop_all = scratch_databases(
        tmp_path_factory.mktemp("backup"), django_db_blocker
    )
    db = make("backup_template")
    manage(db, "migrate", "--noinput", "-v", "0")
    manage(db, "load_demo")
    yield db
    drop_all()


@pytest.fixture
def demo_database(demo_template, scratch_database) -> dict:
    return scratch_database("backup_source", template=demo_template)


def test_a_restored_backup_has_every_row_and_every_language_column(
    demo_database, scratch_database, tmp_path
):
    backup = tmp_path / "demo.backup"
    out = manage(demo_database, "backup", "--output", str(backup))
    assert f"to {backup}" in out
    assert backup.stat().st_size > 0
    original = dump_rows(demo_database)

    target = scratch_database("backup_target")
    manage(target, "restore", str(backup), "--no-input")
    assert restored(dump_rows(target), original)

    # What is compared is the demo in every language, not empty tables.
    columns, rows = original["content_article"]
    assert set(LANGUAGE_COLUMNS) <= set(columns)
    for column in LANGUAGE_COLUMNS[:3]:
        assert rows[0][columns.index(column)], column
    columns, rows = original["faq_faqitem"]
    assert rows
    assert all(row[columns.index("question_zh_hans")] for row in rows)

    # Restoring again replaces what changed since (and keeps nothing of it).
    execute(target, "UPDATE content_article SET title_ko = 'changed'")
    execute(target, "DELETE FROM django_session")
    manage(target, "restore", str(backup), "--no-input")
    assert restored(dump_rows(target), original)


TASKS = "django_tasks_database_dbtaskresult"


def restored(rows: dict, original: dict) -> bool:
    """``rows`` are ``original``'s, but for the background tasks the restore
    enqueued after it (the content version bump has the worker render and
    announce what the restore changed): the backup's tasks are all there, and
    what is more is the worker's."""
    rows, original = dict(rows), dict(original)
    columns, tasks = rows.pop(TASKS)
    _columns, before = original.pop(TASKS)
    path = columns.index("task_path")
    # A row as a key (PostgreSQL reads the JSON column as a dict).
    tasks = {repr(task): task for task in tasks}
    before = {repr(task) for task in before}
    more = [task for key, task in tasks.items() if key not in before]
    assert before <= set(tasks)
    assert {task[path] for task in more} <= {"publication.tasks.render_stale_documents"}
    return rows == original


def test_restore_refuses_a_file_that_is_not_a_backup(
    demo_template, scratch_database, tmp_path
):
    target = scratch_database("backup_refused", template=demo_template)
    before = dump_rows(target)
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"not a backup\n" * 100)
    error = manage(target, "restore", str(bogus), "--no-input", succeed=False)
    assert "is not a" in error
    assert dump_rows(target) == before


def test_backup_never_overwrites_a_file(demo_database, tmp_path):
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    error = manage(demo_database, "backup", "--output", str(existing), succeed=False)
    assert f"{existing} exists" in error
    assert existing.read_text() == "keep me"


def test_restore_drops_tables_the_backup_lacks_only_when_told(
    demo_database, scratch_database, tmp_path
):
    if demo_database["ENGINE"] == "django.db.backends.sqlite3":
        pytest.skip("SQLite: the backup replaces the whole file, extra tables too")
    backup = tmp_path / "demo.backup"
    manage(demo_database, "backup", "--output", str(backup))
    target = scratch_database("backup_extra")
    manage(target, "restore", str(backup), "--no-input")
    # A table from a migration newer than the backup.
    execute(target, "CREATE TABLE content_newer (id integer PRIMARY KEY)")

    error = manage(target, "restore", str(backup), "--no-input", succeed=False)
    assert "tables the backup does not: content_newer" in error
    assert "content_newer" in dump_rows(target)

    manage(target, "restore", str(backup), "--no-input", "--drop-extra-tables")
    assert restored(dump_rows(target), dump_rows(demo_database))
