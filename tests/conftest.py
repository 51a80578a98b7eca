"""Shared helpers: static files without a manifest, the demo content, refusal
assertions, fresh copies from the database and the publications a block sends."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import sys
import typing
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.test import override_settings

from clinic.demo import Report, load_demo
from publication.content_version import content_published

# The slow tier: what needs real browsers, server processes, outages, the fuzzer,
# Node.js or whole migration runs. `make test` leaves it out; `.ci/run`
# runs it once, on PostgreSQL and Redis (`make test-slow`). One list, by path.
SLOW = (
    "tests/browser/",
    "tests/servers/",
    "tests/fuzz/",
    "tests/contract/",
    "tests/resilience/test_database_outage.py",
    "tests/resilience/test_cache_outage.py",
    "tests/ops/test_migrations.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _cache_per_worker(worker_id, tmp_path_factory):
    """Each test process gets a cache of its own: the tests clear the cache, which
    empties all of it, and count requests there (the rate limit). The embedded
    default's file cache goes to a temporary folder of the process (not var/cache/,
    which a running `make run` reads). With REDIS_URL and parallel workers
    (pytest-xdist), each worker gets a Redis database of its own, counting down from
    REDIS_URL's."""
    cache = django_settings.CACHES["default"]
    if cache["BACKEND"].endswith("FileBasedCache"):
        own = {**cache, "LOCATION": str(tmp_path_factory.mktemp("cache"))}
        with override_settings(CACHES={**django_settings.CACHES, "default": own}):
            yield
        return
    if worker_id == "master" or "redis" not in cache["BACKEND"].lower():
        yield
        return
    location = urlsplit(cache["LOCATION"])
    database = int(location.path.strip("/") or 0) - int(worker_id.removeprefix("gw"))
    if database < 0:
        raise RuntimeError(f"no Redis database left for worker {worker_id}")
    own = {**cache, "LOCATION": location._replace(path=f"/{database}").geturl()}
    with override_settings(CACHES={**django_settings.CACHES, "default": own}):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploaded images of the run: a folder of its own (per xdist worker), from
    the session's start, so that module fixtures' images never land in the
    checkout's media/ either. Renditions: two widths and one crop, so that a
    test makes few."""
    root = tmp_path_factory.mktemp("media")
    with override_settings(
        MEDIA_ROOT=root,
        IMAGE_WIDTHS=[160, 320],
        IMAGE_CROP_RATIOS=["16:9"],
    ):
        yield root


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    # Production storage needs collectstatic's manifest, and WhiteNoise warns about
    # a STATIC_ROOT collectstatic has not filled; the pages under test only need
    # URLs.
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _response_cache(request, settings):
    """Each test starts with an empty cache. The shared response cache is off unless
    a test is marked ``response_cache``: a test's database work is rolled back, never
    committed, so the content version (bumped on commit) would not move between a
    change and the next request. The cache's own tests commit for real."""
    from django.core.cache import caches

    enabled = request.node.get_closest_marker("response_cache") is not None
    # Counts kept per content version (api/pagination.py) and the delivery store
    # (written under a content version) likewise.
    settings.API_CACHE = {
        **settings.API_CACHE,
        "ENABLED": enabled,
        "COUNTS": enabled,
        "DOCUMENTS": enabled,
    }
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def demo(db) -> Report:
    """The full demo: en, ko, ja published everywhere; zh-hans for the FAQ items
    and the cause types only. Loaded by the demo loader once per test process;
    later tests get the same rows written back (``DemoSnapshot``)."""
    return DemoSnapshot.load()


@dataclasses.dataclass
class DemoSnapshot:
    """The rows the demo loader wrote, to write them again in later tests' own
    transactions: a tenth of the loader's time, which ~200 tests paid each. The
    loader itself still runs where the content tables are not empty, and its own
    tests call it directly. Raw rows, because the loader's result is the stored
    rows: model instances would run modeltranslation's descriptors again."""

    report: Report
    tables: list[tuple[str, list[str], list[tuple]]]
    models: list[type[models.Model]]

    taken: typing.ClassVar[DemoSnapshot | None] = None

    @staticmethod
    def content_models() -> list[type[models.Model]]:
        # Not the changes waiting to be announced: the loader's commit is not
        # the test's, and a test announces only its own (publication/changes.py).
        return [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in ("content", "faq", "publication", "reversion")
            and model._meta.label != "publication.Change"
        ]

    @classmethod
    def load(cls) -> Report:
        content = cls.content_models()
        empty = not any(model._base_manager.exists() for model in content)
        if cls.taken is None or not empty:
            report = load_demo()
            if empty and cls.taken is None:
                cls.taken = cls.take(report, content)
            return report
        cls.taken.write()
        return copy.deepcopy(cls.taken.report)

    @classmethod
    def take(cls, report: Report, content) -> DemoSnapshot:
        quote = connection.ops.quote_name
        tables = []
        with connection.cursor() as cursor:
            for model in content:
                columns = [field.column for field in model._meta.concrete_fields]
                cursor.execute(
                    "SELECT {} FROM {}".format(
                        ", ".join(map(quote, columns)), quote(model._meta.db_table)
                    )
                )
                rows = cursor.fetchall()
                # Content types by name: a transactional test's flush makes them
                # again under other ids (published versions point at them).
                kinds = [
                    i
                    for i, field in enumerate(model._meta.concrete_fields)
                    if field.related_model is ContentType
                ]
                if kinds:
                    labels = {
                        pk: (app_label, name)
                        for pk, app_label, name in ContentType.objects.values_list(
                            "pk", "app_label", "model"
                        )
                    }
                    rows = [
                        tuple(labels[v] if i in kinds else v for i, v in enumerate(row))
                        for row in rows
                    ]
                tables.append((model._meta.db_table, columns, rows))
        return cls(copy.deepcopy(report), tables, content)

    def write(self) -> None:
        quote = connection.ops.quote_name
        # Foreign keys are checked at commit (Django declares them deferred), so the
        # order of the tables does not matter inside one transaction.
        ids = {
            (app_label, name): pk
            for pk, app_label, name in ContentType.objects.values_list(
                "pk", "app_label", "model"
            )
        }
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns, rows in self.tables:
                rows = [
                    tuple(ids[v] if isinstance(v, tuple) else v for v in row)
                    for row in rows
                ]
                if rows:
                    cursor.executemany(
                        "INSERT INTO {} ({}) VALUES ({})".format(
                            quote(table),
                            ", ".join(map(quote, columns)),
                            ", ".join(["%s"] * len(columns)),
                        ),
                        rows,
                    )
            for statement in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(statement)


@pytest.fixture
def refused() -> Callable[..., contextlib.AbstractContextManager]:
    """``with refused("Cannot publish in Japanese", "title"):`` expects the block to
    raise ValidationError whose messages contain every fragment; the yielded list
    holds the messages once the block has raised, for further assertions."""

    @contextlib.contextmanager
    def check(*fragments: str) -> Iterator[list[str]]:
        found: list[str] = []
        with pytest.raises(ValidationError) as info:
            yield found
        found.extend(info.value.messages)
        text = "\n".join(found)
        for fragment in fragments:
            assert fragment in text, f"{fragment!r} not in refusal:\n{text}"

    return check


def missing_in(message: str, language: str) -> set[str]:
    """What a refusal lists after “Missing in <language>: ” (the order of fields is
    not part of the contract)."""
    listed = message.split(f"Missing in {language}: ", 1)[1]
    return set(listed.removesuffix(".").split("; "))


def fresh(obj: models.Model) -> models.Model:
    """The row as stored, not the instance a test has been changing."""
    return type(obj)._default_manager.get(pk=obj.pk)


@contextlib.contextmanager
def publications(*, locales: bool = False) -> Iterator[list]:
    """The tags of every ``content_published`` signal sent inside the block (with
    ``locales``: per tag, the locales it reaches)."""
    sent: list = []

    def receive(sender, tags, version, **kwargs):
        sent.append(dict(kwargs["locales"]) if locales else frozenset(tags))

    content_published.connect(receive)
    try:
        yield sent
    finally:
        content_published.disconnect(receive)


@contextlib.contextmanager
def connection_kept() -> Iterator[None]:
    """As Django's test client does around a request: without it, a request made
    straight through the WSGI handler closes "old" connections when it starts and
    ends, the test's own included, which is inside the test's transaction
    (PostgreSQL then answers "the connection is closed")."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def wsgi_call(
    application, path: str, *, query: str = "", method: str = "GET", **headers: str
) -> tuple[str, list[tuple[str, str]], bytes]:
    """One request straight through a WSGI application (no test client in between),
    as gunicorn would make it: (status line, response headers, body). Keyword
    arguments are request headers: ``if_none_match=…`` → ``If-None-Match``."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, list(response_headers)

    result = application(environ, start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return seen["status"], seen["headers"], body
