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
import decimal
import functools
import itertools
import logging
import re
import threading
import time
import weakref
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


def _decimal(value: float | int | None) -> decimal.Decimal | None:
    """A JSON number as the Decimal PostgreSQL wrote: exact for the fields
    ``compile_queryset`` lets through (at most 15 digits, which a float's
    shortest ``repr`` gives back digit for digit)."""
    return None if value is None else decimal.Decimal(repr(value))


# Any decimal of at most 15 significant digits survives a trip through a float: the
# float's shortest repr gives the same digits back.
DECIMAL_DIGITS = 15


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
    "DecimalField": _decimal,
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
    # PostgreSQL: the JSON row arrays → values() dicts (see ``row_reader``).
    read_rows: Callable[[list], list[dict]]


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
    other parameters (constants of the querysets) follow the arguments, each value
    once.

    Returns the ``$n`` of each placeholder, the parameters to send and the slots of
    the arguments among them."""
    slot_of = dict(slots)
    sent: list = []
    new_slots: list[tuple[int, str]] = []
    number_of: dict = {}
    numbers = []
    for index, value in enumerate(params):
        if index in slot_of:
            key = ("argument", slot_of[index])
        else:
            # Equal constants share one number too, so that equal subqueries read
            # alike and ``share_subqueries`` can find them.
            try:
                key = ("value", type(value), hash(value), value)
            except TypeError:  # unhashable: its own parameter
                key = ("value", index)
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
        if kind == "DecimalField" and not (field.max_digits or 99) <= DECIMAL_DIGITS:
            raise ValueError(
                f"plan {name}: {names[index]} has more digits than JSON reads exactly"
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
        read_rows=row_reader(name, names, tuple(json_values)),
    )


def row_reader(name: str, names: tuple[str, ...], json_values) -> Callable:
    """A function turning a statement's JSON row arrays into ``values()`` dicts,
    with the columns JSON gives as text (``json_values``: (index, reader) pairs)
    read as their Python type.

    Generated once per statement, as ``collections.namedtuple`` and ``dataclasses``
    generate theirs: a dict display with the keys written out (``{'pk': row[0],
    …}``) builds a row in half the time of ``dict(zip(names, row))``, which was the
    largest single cost of a cold article in Python (0.09 → 0.045 ms for its 110
    rows). The keys are written with ``repr``: any column name is a literal."""
    namespace: dict[str, Callable] = {}
    reads = dict(json_values)
    items = []
    for index, key in enumerate(names):
        value = f"row[{index}]"
        if index in reads:
            namespace[f"read_{index}"] = reads[index]
            value = f"read_{index}({value})"
        items.append(f"{key!r}: {value}")
    display = "{" + ", ".join(items) + "}"
    source = f"def read_rows(rows):\n    return [{display} for row in rows]\n"
    exec(compile(source, f"<plan rows of {name}>", "exec"), namespace)
    return namespace["read_rows"]


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


# A table brought into a query (``FROM "content_article" U0``, ``JOIN "x"``,
# ``) AS t(``) and a column read through one (``U0."id"``, ``"content_article"."id"``).
BRINGS = re.compile(r'(?:FROM|JOIN) "(\w+)"(?: (\w+))?|\) AS (\w+)\(')
READS = re.compile(r'(?:"(\w+)"|\b(\w+))\."')
SHARED = "shared_"


def _subqueries(sql: str) -> list[str]:
    """Every parenthesized ``(SELECT …)`` in ``sql``, innermost first (string
    literals and quoted names skipped)."""
    found, opened = [], []
    index, end = 0, len(sql)
    while index < end:
        char = sql[index]
        if char in "'\"":
            index = sql.index(char, index + 1)
        elif char == "(":
            opened.append(index)
        elif char == ")":
            start = opened.pop()
            if sql.startswith("(SELECT ", start):
                found.append(sql[start : index + 1])
        index += 1
    return found


def _self_contained(subquery: str) -> bool:
    """Whether every table the subquery reads from is one it brings in itself: a
    subquery that reads its outer query's row (correlated) means something else in
    each place and must stay where it is."""
    brought = set()
    for table, alias, derived in BRINGS.findall(subquery):
        brought.add(derived or alias or table)
    return all((quoted or bare) in brought for quoted, bare in READS.findall(subquery))


def share_subqueries(sql: str) -> str:
    """Each subquery that appears more than once, computed once.

    The article's statement finds the article by its slug sixteen times over (each
    embedded part is "the rows of what the article's blocks show"), and the
    comparison and aftercare it embeds five and four times. PostgreSQL plans every
    occurrence as its own InitPlan or join; here each one that is repeated and
    self-contained becomes a ``MATERIALIZED`` common table expression, read where
    it was. Equal text means equal meaning: the arguments are numbered once each
    (``deduplicate``) before this runs, and a subquery that reads its outer row is
    left alone. Measured on the demo article: 0.38 → 0.31 ms in PostgreSQL per run.
    (A volatile function in two equal subqueries would run once, not twice: within
    one read statement and one snapshot, the same answer.)"""
    shared: list[str] = []
    while True:
        counts: dict[str, int] = {}
        for subquery in _subqueries(sql):
            counts[subquery] = counts.get(subquery, 0) + 1
        repeated = [
            subquery
            for subquery, count in counts.items()
            if count > 1
            and not subquery.startswith(f"(SELECT * FROM {SHARED}")
            and _self_contained(subquery)
        ]
        if not repeated:
            break
        subquery = min(repeated, key=len)  # innermost first: outer ones still match
        name = f"{SHARED}{len(shared)}"
        shared.append(f"{name} AS MATERIALIZED {subquery}")
        sql = sql.replace(subquery, f"(SELECT * FROM {name})")
    return f"WITH {', '.join(shared)} {sql}" if shared else sql


NUMBERED = re.compile(r"\$(\d+)")


def formatted(native_sql: str, sent: tuple, slots) -> tuple[str, tuple, tuple]:
    """The ``$n`` form back as Django's ``%s`` form (for its cursors and query
    log): each placeholder gets its parameter in order, and the slots follow."""
    slot_of = dict(slots)
    numbers = [int(n) - 1 for n in NUMBERED.findall(native_sql)]
    sql = NUMBERED.sub("%s", native_sql.replace("%", "%%"))
    params = tuple(sent[n] for n in numbers)
    new_slots = tuple(
        (index, slot_of[n]) for index, n in enumerate(numbers) if n in slot_of
    )
    return sql, params, new_slots


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
                    native_sql = share_subqueries(native(sql, numbers))
                    found = Compiled(
                        statements,
                        *formatted(native_sql, sent, sent_slots),
                        native_sql,
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
    return {
        statement.name: statement.read_rows(rows)
        for statement, rows in zip(compiled.statements, orjson.loads(text), strict=True)
    }


def _execute_prepared(connection, compiled: Compiled, arguments: dict) -> bytes | str:
    """Execute server-side bound (Django's own cursors bind client-side and never
    prepare), with Django's error translation and query log."""
    reused = connection.connection is not None
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    start = time.monotonic()

    def execute() -> bytes | str:
        with connection.wrap_database_errors:
            return _send(connection.connection, compiled, arguments)

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


# What each psycopg connection holds for the plans: the names of the statements
# prepared on it, and its adapter of the arguments with the constants already dumped.
_sessions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_names = itertools.count()


class _Bound:
    """A compiled plan's parameters dumped for one connection: the constants once,
    the arguments on every run (checked to dump as the types prepared)."""

    __slots__ = ("name", "sql", "values", "types", "slots", "dumper_of", "prepared")

    def __init__(self, raw, compiled: Compiled, arguments: dict):
        from psycopg.adapt import PyFormat, Transformer

        self.name = f"clinic_plan_{next(_names)}".encode()
        self.sql = compiled.native_sql.encode()
        sample = _bind(compiled.native_params, compiled.native_slots, arguments)
        transformer = Transformer(raw)
        formats = [PyFormat.TEXT] * len(sample)
        self.values = list(transformer.dump_sequence(sample, formats))
        self.types = tuple(transformer.types)
        self.slots = compiled.native_slots
        self.dumper_of = functools.partial(transformer.get_dumper, format=PyFormat.TEXT)
        self.prepared = False

    def bind(self, arguments: dict) -> list | None:
        """The values to send, or None when an argument would not dump as the
        type the statement was prepared with."""
        values = self.values.copy()
        for index, argument in self.slots:
            value = arguments[argument]
            dumper = self.dumper_of(value)
            if dumper.oid != self.types[index]:
                return None
            values[index] = dumper.dump(value)
        return values


def _send(raw, compiled: Compiled, arguments: dict) -> bytes | str:
    """One run of the plan's statement on psycopg connection ``raw``, straight
    through its libpq connection: the statement is prepared once per connection
    (unless ``prepare_threshold`` is None: DATABASE_PREPARED_STATEMENTS off), its
    constants are dumped once, and the JSON comes back as bytes.

    Written against psycopg's public low-level interface (``pgconn``,
    ``generators``, ``Connection.wait``) because a cursor costs more than the rest
    of the run on the client: a new adapter and cursor per execution, the query
    conversion, the dumping of every parameter, the decoding of 19 KB into a str
    that orjson reads as well from bytes. Measured on the demo article, in a whole
    request: 0.03 ms of the worker's 0.70 ms. What this does not cover goes
    through psycopg's cursor: a transaction psycopg has yet to begin (outside
    autocommit), a closed connection, an argument that would not dump as the type
    prepared. (Not pipeline mode: nothing runs a plan in one.)

    That cursor never prepares: psycopg answers a ROLLBACK, DROP or ALTER on a
    connection where it prepared something with ``DEALLOCATE ALL``, which would take
    these statements too. If they are gone all the same (a ``DISCARD ALL``), the
    run prepares again and retries, outside a transaction; inside one the error
    stands (the transaction is aborted) and the next run prepares again."""
    import psycopg
    from psycopg import errors, pq

    session = _sessions.get(raw)
    if session is None:
        session = _sessions[raw] = {}
    bound = session.get(compiled.native_sql)
    if bound is None:
        bound = session[compiled.native_sql] = _Bound(raw, compiled, arguments)
    pgconn = raw.pgconn
    values = bound.bind(arguments)
    idle = pgconn.transaction_status == pq.TransactionStatus.IDLE
    if values is None or raw.closed or (idle and not raw.autocommit):
        params = _bind(compiled.native_params, compiled.native_slots, arguments)
        with psycopg.RawCursor(raw) as cursor:
            cursor.execute(compiled.native_sql, params, prepare=False)
            return cursor.fetchone()[0]
    with raw.lock:
        try:
            return _run_bound(raw, bound, values)
        except errors.InvalidSqlStatementName:
            for other in session.values():  # DEALLOCATE ALL took every one
                other.prepared = False
            if pgconn.transaction_status != pq.TransactionStatus.IDLE:
                raise
            return _run_bound(raw, bound, values)


def _run_bound(raw, bound: _Bound, values: list) -> bytes:
    from psycopg import generators

    pgconn = raw.pgconn
    if raw.prepare_threshold is None:
        pgconn.send_query_params(bound.sql, values, param_types=bound.types)
    else:
        if not bound.prepared:
            pgconn.send_prepare(bound.name, bound.sql, param_types=bound.types)
            _result(raw, raw.wait(generators.execute(pgconn)))
            bound.prepared = True
        pgconn.send_query_prepared(bound.name, values)
    return _result(raw, raw.wait(generators.execute(pgconn))).get_value(0, 0)


def _result(raw, results: list):
    """The one result of a command, or psycopg's exception for its error."""
    from psycopg import errors, pq

    result = results[-1] if results else None
    if result is None:
        raise errors.InternalError("got no result from the query")
    if result.status == pq.ExecStatus.FATAL_ERROR:
        raise errors.error_from_result(result, encoding=raw.info.encoding)
    if result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        raise errors.InternalError(
            f"unexpected result status: {pq.ExecStatus(result.status).name}"
        )
    return result
