"""Read plans: the SELECTs of one public response, compiled once, run as one.

A cold article detail reads fifteen small result sets: the article, its blocks and the
lists, comparison grids, timelines, cause types and FAQ items they embed. Built as
querysets on every request, Django spends a third of a millisecond or more compiling
each, and each waits for its own round trip. A plan builds the same querysets once per
(plan, language, database) with placeholder arguments, keeps the compiled SQL and the
positions of the arguments among its parameters, and on each request only substitutes
the arguments (the slug asked for, the current time):

* on PostgreSQL the SELECTs become the subqueries of one statement that returns every
  result set as one JSON array of row arrays: one round trip, one snapshot, one
  result to decode. It is server-side bound and, unless
  ``DATABASE_PREPARED_STATEMENTS`` is off (needed behind a connection pooler in
  transaction mode that cannot keep them), prepared once per connection, so it is not
  planned again. Measured on the demo article against the same SELECTs sent in one
  psycopg pipeline: about 2.3× the throughput with two processes on two cores (the
  pipeline's per-statement client work dominates);
* elsewhere (SQLite: in-process, nothing to save) the SELECTs run one after the other
  through Django's cursor.

Either way, ``run()`` gives each queryset's rows as ``values()`` would (same keys, same
Python types), and the statement is logged where Django logs queries
(``assertNumQueries`` counts it) with Django's database errors. With an
``execute_wrapper`` installed the statement goes through Django's cursor so the
wrapper sees it.

Written by hand because no maintained library does this: Django has no compiled-query
cache, and the caching libraries (django-cachalot, cacheops) cache results, which is
exactly what a cold render must not do.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.utils import timezone, translation

logger = logging.getLogger("django.db.backends")

# Placeholders the builders put where the arguments go. They are only compiled, never
# sent: each is found among the compiled parameters and replaced on every run.
SLUG = "\ue000plan-argument:slug\ue000"
AT = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)

Builder = Callable[[str, str, dt.datetime], dict[str, QuerySet]]


def _datetime(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


# What JSON gives back for each field type, as Python values() would have it. A type
# missing here is refused when the plan is compiled, not mangled at run time.
JSON_VALUES: dict[str, Callable | None] = {
    **dict.fromkeys(
        [
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
            "CharField",
            "TextField",
            "SlugField",
            "URLField",
            "EmailField",
            "BooleanField",
        ]
    ),
    "DateTimeField": _datetime,
    "DateField": _date,
}


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (index in params, "slug" or "at")
    names: tuple[str, ...]  # the keys of each row, as values() gives them
    compiler: object  # for the database's converters (SQLite's dates, booleans)
    converters: dict
    json_values: tuple[tuple[int, Callable], ...]  # columns JSON gives as text


@dataclass(frozen=True)
class Compiled:
    statements: tuple[Statement, ...]
    # PostgreSQL: the statements as one, and where each argument goes in it.
    sql: str | None = None
    params: tuple = ()
    slots: tuple[tuple[int, str], ...] = ()
    # The same with PostgreSQL's own placeholders ($1), which psycopg sends as they
    # are: it does not cache its parsing of statements this long.
    native_sql: str | None = None
    native_params: tuple = ()
    native_slots: tuple[tuple[int, str], ...] = ()


PLACEHOLDER = re.compile(r"%%|%s")


def native(sql: str, numbers: list[int]) -> str:
    """``%s`` → ``$n``, the n of each placeholder given in order; ``%%`` → ``%``
    (Django's escaping of a literal percent sign, the only other use of ``%`` in the
    SQL it compiles)."""
    given = iter(numbers)

    def replace(match: re.Match) -> str:
        return "%" if match.group(0) == "%%" else f"${next(given)}"

    out = PLACEHOLDER.sub(replace, sql)
    if next(given, None) is not None:
        raise ValueError("fewer placeholders than parameters")
    return out


def deduplicate(params: tuple, slots) -> tuple[list[int], tuple, tuple]:
    """Each argument sent once however often the SQL uses it: PostgreSQL binds a
    ``$n`` wherever it appears. The article's statement compares with the time of
    the request thirty times; as thirty parameters, binding them cost the server a
    tenth of a millisecond per request and psycopg as much again to adapt them. The
    other parameters (constants of the querysets) follow the arguments, once each.

    Returns the ``$n`` of each placeholder, the parameters to send and the slots of
    the arguments among them."""
    slot_of = dict(slots)
    sent: list = []
    new_slots: list[tuple[int, str]] = []
    number_of: dict = {}
    numbers = []
    for index, value in enumerate(params):
        key = ("argument", slot_of[index]) if index in slot_of else ("value", index)
        if key not in number_of:
            if key[0] == "argument":
                new_slots.append((len(sent), key[1]))
            sent.append(value)
            number_of[key] = len(sent)
        numbers.append(number_of[key])
    return numbers, tuple(sent), tuple(new_slots)


def compile_queryset(name: str, queryset: QuerySet, using: str) -> Statement:
    connection = connections[using]
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    at = connection.ops.adapt_datetimefield_value(AT)
    slots = []
    for index, value in enumerate(params):
        if isinstance(value, str) and value == SLUG:
            slots.append((index, "slug"))
        elif value == at:
            slots.append((index, "at"))
        elif isinstance(value, str) and "plan-argument" in value:
            # The placeholder reached the SQL transformed (a lookup that rewrites
            # its value): substituting it would be wrong, so refuse to build.
            raise ValueError(f"plan {name}: argument used in a transformed form")
    query = queryset.query
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    json_values = []
    for index, expression in enumerate(fields):
        field = expression.output_field
        while field.is_relation:  # a foreign key reads as the key it points to
            field = field.target_field
        kind = field.get_internal_type()
        if kind not in JSON_VALUES:
            raise ValueError(
                f"plan {name}: no JSON reading for {kind} ({names[index]})"
            )
        if JSON_VALUES[kind] is not None:
            json_values.append((index, JSON_VALUES[kind]))
    return Statement(
        name=name,
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        names=names,
        compiler=compiler,
        converters=compiler.get_converters(fields),
        json_values=tuple(json_values),
    )


def combine(statements: tuple[Statement, ...]) -> tuple[str, tuple, tuple]:
    """One PostgreSQL statement returning ``[[row, …], …]`` as JSON text, a list of
    row arrays per statement, in order. Each SELECT is a subquery whose columns are
    renamed by position; ``json_agg`` reads it in its ORDER BY order (a plain scan of
    a sorted subquery, with nothing joined to it that could reorder it)."""
    parts, params, slots = [], [], []
    for statement in statements:
        columns = [f"c{i}" for i in range(len(statement.names))]
        parts.append(
            "(SELECT COALESCE(json_agg(json_build_array({cols})), '[]') "
            "FROM ({sql}) AS t({cols}))".format(
                cols=", ".join(columns), sql=statement.sql
            )
        )
        slots += [(len(params) + index, arg) for index, arg in statement.slots]
        params += statement.params
    sql = "SELECT json_build_array({})::text".format(", ".join(parts))
    return sql, tuple(params), tuple(slots)


class Plan:
    """The querysets ``build(code, slug, at)`` returns, compiled once per language
    and database; ``run(code, slug=…)`` returns each one's rows as ``values()``
    dicts, by name."""

    def __init__(self, name: str, build: Builder):
        self.name = name
        self.build = build
        self._compiled: dict[tuple, Compiled] = {}
        self._lock = threading.Lock()

    def compiled(self, code: str, using: str = "default") -> Compiled:
        connection = connections[using]
        key = (code, using, connection.vendor)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                # The builders read explicit language columns; the override only
                # keeps modeltranslation's rewriting of bare names independent of
                # whatever language the compiling request had active.
                with translation.override(settings.LANGUAGE_CODE):
                    querysets = self.build(code, SLUG, AT)
                statements = tuple(
                    compile_queryset(name, qs, using) for name, qs in querysets.items()
                )
                if connection.vendor == "postgresql":
                    sql, params, slots = combine(statements)
                    numbers, sent, sent_slots = deduplicate(params, slots)
                    found = Compiled(
                        statements,
                        sql,
                        params,
                        slots,
                        native(sql, numbers),
                        sent,
                        sent_slots,
                    )
                else:
                    found = Compiled(statements)
                self._compiled[key] = found
        return found

    def statements(self, code: str, using: str = "default") -> tuple[Statement, ...]:
        return self.compiled(code, using).statements

    def run(
        self, code: str, *, slug: str = "", at=None, using: str = "default"
    ) -> dict[str, list[dict]]:
        connection = connections[using]
        at = at or timezone.now()
        arguments = {
            "slug": slug,
            "at": connection.ops.adapt_datetimefield_value(at),
        }
        compiled = self.compiled(code, using)
        if compiled.sql is not None:
            return _run_combined(connection, compiled, arguments)
        return _run_one_by_one(connection, compiled.statements, arguments)


def _bind(params: tuple, slots, arguments: dict) -> list:
    bound = list(params)
    for index, argument in slots:
        bound[index] = arguments[argument]
    return bound


def _run_one_by_one(connection, statements, arguments) -> dict[str, list[dict]]:
    out = {}
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(
                statement.sql, _bind(statement.params, statement.slots, arguments)
            )
            rows = cursor.fetchall()
            if statement.converters:
                rows = statement.compiler.apply_converters(rows, statement.converters)
            names = statement.names
            width = len(names)
            out[statement.name] = [
                dict(zip(names, row[:width], strict=True)) for row in rows
            ]
    return out


def _run_combined(connection, compiled: Compiled, arguments) -> dict[str, list[dict]]:
    if connection.execute_wrappers:
        params = _bind(compiled.params, compiled.slots, arguments)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            text = cursor.fetchone()[0]
    else:
        text = _execute_prepared(connection, compiled, arguments)
    out = {}
    for statement, rows in zip(compiled.statements, orjson.loads(text), strict=True):
        if rows:
            for index, read in statement.json_values:
                for row in rows:
                    row[index] = read(row[index])
        # Every row has one value per name: the statement's SELECT list is names.
        names = statement.names
        out[statement.name] = [dict(zip(names, row, strict=False)) for row in rows]
    return out


def _execute_prepared(connection, compiled: Compiled, arguments: dict) -> str:
    """Execute on a server-side binding cursor (Django's own are client-side bound
    and never prepared), with Django's error translation and query log."""
    import psycopg

    params = _bind(compiled.native_params, compiled.native_slots, arguments)
    reused = connection.connection is not None
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    start = time.monotonic()

    def execute() -> str:
        with (
            connection.wrap_database_errors,
            psycopg.RawCursor(connection.connection) as cursor,
        ):
            cursor.execute(compiled.native_sql, params)
            return cursor.fetchone()[0]

    try:
        text = execute()
    except DatabaseError:
        # Django checks a reused connection (SELECT 1, CONN_HEALTH_CHECKS) before a
        # request's first query through its cursors; this one skips that round trip
        # and instead, when the kept connection turns out to be dead (the server
        # restarted, a failover), opens a new one and reads again: a plain SELECT
        # outside any transaction, so reading twice changes nothing.
        raw = connection.connection
        if not (reused and raw is not None and raw.broken) or (
            connection.in_atomic_block
        ):
            raise
        connection.close()
        connection.ensure_connection()
        text = execute()
    if connection.queries_logged:
        duration = time.monotonic() - start
        params = _bind(compiled.params, compiled.slots, arguments)
        shown = connection.ops.compose_sql(compiled.sql, params)
        connection.queries_log.append({"sql": shown, "time": f"{duration:.3f}"})
        logger.debug(
            "(%.3f) %s; args=%s; alias=%s",
            duration,
            shown,
            params,
            connection.alias,
            extra={
                "duration": duration,
                "sql": shown,
                "params": params,
                "alias": connection.alias,
            },
        )
    return text
