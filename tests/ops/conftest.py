"""Scratch databases for the operations tests: a new PostgreSQL database on the
server of DATABASE_URL (dropped afterwards) or a new SQLite file, never the test
database, whose tables these tests migrate away, restore over or copy."""

from __future__ import annotations

import copy
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connections


def postgres_url(db: dict) -> str:
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    netloc = (auth + "@" if auth else "") + (db["HOST"] or "")
    if db["PORT"]:
        netloc += f":{db['PORT']}"
    return f"postgres://{netloc}/{quote(db['NAME'], safe='')}"


def server_connection(db: dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    )


def url_of(db: dict) -> str:
    """The DATABASE_URL of a DATABASES entry (for a manage.py subprocess)."""
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return postgres_url(db)


def scratch_databases(folder: Path, django_db_blocker):
    """(make, drop_all): ``make("name")`` makes a database on the suite's backend
    and returns its DATABASES entry (a copy of the default's with another NAME):
    empty, or a copy of ``template`` (another such entry that no connection uses)."""
    default = connections["default"].settings_dict
    made: list[dict] = []

    def make(label: str, template: dict | None = None) -> dict:
        db = copy.deepcopy(default)
        if default["ENGINE"] == "django.db.backends.sqlite3":
            db["NAME"] = str(folder / f"{label}.sqlite3")
            if template:
                with (
                    sqlite3.connect(template["NAME"]) as source,
                    sqlite3.connect(db["NAME"]) as target,
                ):
                    source.backup(target)
                source.close()
                target.close()
        else:
            db["NAME"] = f"clinic_scratch_{label}_{secrets.token_hex(4)}"
            copied = f' TEMPLATE "{template["NAME"]}"' if template else ""
            with django_db_blocker.unblock(), server_connection(default) as conn:
                conn.execute(f'CREATE DATABASE "{db["NAME"]}"{copied}')
        made.append(db)
        return db

    def drop_all() -> None:
        for db in made:
            if db["ENGINE"] != "django.db.backends.sqlite3":
                with django_db_blocker.unblock(), server_connection(default) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')

    return make, drop_all


@pytest.fixture
def scratch_database(tmp_path, django_db_blocker) -> Iterator[Callable[..., dict]]:
    """``scratch_database("name")``: an empty database, dropped after the test;
    ``scratch_database("name", template=db)``: a copy of ``db``."""
    make, drop_all = scratch_databases(tmp_path, django_db_blocker)
    yield make
    drop_all()
