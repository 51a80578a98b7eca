"""Compiled read plans (api/plans.py): compiled once, every argument bound on
every run, the same rows as the querysets they were built from, what is sent counted
as queries, and on PostgreSQL one statement in one transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import time

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import DateTimeField, DecimalField, IntegerField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from api.plans import Plan, row_reader, share_subqueries
from content import selectors
from content.models import Article, CauseType, ClinicProfile
from publication.languages import column

pytestmark = pytest.mark.django_db

SLUG = "mouth-corner-asymmetry"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL runs a plan as one statement"
)


# Read by key (the grid cells), so in no order: either way may return them in any.
UNORDERED = {"comparison.cells", "aftercare.entries"}


def comparable(results: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {
        name: sorted(rows, key=lambda row: sorted(row.items()))
        if name in UNORDERED
        else rows
        for name, rows in results.items()
    }


def test_a_plan_is_compiled_once_per_language(demo):
    built = []

    def build(code, slug, at):
        built.append(code)
        return selectors.article_queries(code, slug, at)

    plan = Plan("article-test", build)
    for _ in range(3):
        plan.run("en", slug=SLUG)
        plan.run("ko", slug="입꼬리-비대칭")
    assert built == ["en", "ko"]


@pytest.mark.parametrize("code", ["en", "ko", "ja"])
def test_a_plan_reads_what_its_querysets_read(demo, code):
    """Row for row, key for key, with the slug and the time of each run."""
    article = Article.objects.get(slug_en=SLUG)
    slug = getattr(article, column("slug", code))
    now = timezone.now()
    querysets = selectors.article_queries(code, slug, now)
    expected = {name: list(qs) for name, qs in querysets.items()}

    got = selectors.ARTICLE_PLAN.run(code, slug=slug, at=now)

    assert {name for name, qs in querysets.items() if not qs.ordered} == UNORDERED
    assert comparable(got) == comparable(expected)
    assert got["article"][0]["pk"] == article.pk
    assert len(got["article.blocks"]) == article.blocks.count()
    assert got["comparison.cells"]
    assert got["aftercare.entries"]
    assert got["article.faq"]
    assert got["causetype.methods"]


@pytest.mark.parametrize("code", ["en", "ko", "ja", "zh-hans"])
def test_the_clinic_plan_reads_what_its_querysets_read(demo, code):
    """The profile (its rating a Decimal, as values() gives it), its channels and
    its lists; nothing where the profile is not published."""
    # The demo has no rating (the seed article gives none).
    ClinicProfile.objects.update(rating=decimal.Decimal("4.9"))
    now = timezone.now()
    querysets = selectors.clinic_queries(code, "", now)
    expected = {name: list(qs) for name, qs in querysets.items()}

    got = selectors.CLINIC_PLAN.run(code, at=now)

    assert got == expected
    published = ClinicProfile.objects.published(code).exists()
    assert bool(got["clinic"]) == published
    if published:
        assert isinstance(got["clinic"][0]["rating"], decimal.Decimal)
        assert got["clinic.channels"]
        assert got["itemlist.items"]


def test_every_run_binds_its_own_slug_and_time(demo):
    article = Article.objects.get(slug_en=SLUG)
    plan = selectors.ARTICLE_PLAN

    assert plan.run("en", slug=SLUG)["article"][0]["pk"] == article.pk
    assert plan.run("en", slug="no-such-article")["article"] == []
    # The ko slug is not an en slug.
    assert plan.run("en", slug=article.slug_ko)["article"] == []

    before = article.publish_at - dt.timedelta(seconds=1)
    nothing = plan.run("en", slug=SLUG, at=before)
    assert all(rows == [] for rows in nothing.values()), {
        name: len(rows) for name, rows in nothing.items() if rows
    }
    assert plan.run("en", slug=SLUG, at=article.publish_at)["article"]


def test_what_the_article_shows_is_read_only_when_a_block_shows_it(demo):
    article = Article.objects.get(slug_en=SLUG)
    article.blocks.filter(kind__in=["cause_types", "faq"]).delete()

    got = selectors.ARTICLE_PLAN.run("en", slug=SLUG)

    assert got["article"]
    assert CauseType.objects.published("en").exists()
    assert got["causetype"] == []
    assert got["causetype.methods"] == []
    assert got["article.faq"] == []


def sent(plan, code: str) -> list[str]:
    """The SQL a plan sends: one statement on PostgreSQL, each SELECT elsewhere."""
    compiled = plan.compiled(code)
    if compiled.sql is not None:
        return [compiled.sql]
    return [statement.sql for statement in compiled.statements]


def test_a_plan_counts_as_the_statements_it_sends(demo, django_assert_num_queries):
    plan = selectors.ARTICLE_PLAN
    plan.run("en", slug=SLUG)  # compiled outside the count
    assert len(plan.statements("en")) == 15
    expected = 1 if connection.vendor == "postgresql" else 15
    assert len(sent(plan, "en")) == expected
    with django_assert_num_queries(expected) as captured:
        plan.run("en", slug=SLUG)
    assert all(SLUG in query["sql"] for query in captured.captured_queries)


def test_an_execute_wrapper_sees_what_is_sent(demo):
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        got = selectors.ARTICLE_PLAN.run("en", slug=SLUG)
    assert seen == sent(selectors.ARTICLE_PLAN, "en")
    assert comparable(got) == comparable(selectors.ARTICLE_PLAN.run("en", slug=SLUG))
    assert got["article"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_runs_a_plan_in_one_transaction(demo):
    """One pipeline: every statement sees the same transaction start time. In
    autocommit, as requests run, statements sent one after the other would each
    have their own."""
    started = RawSQL("transaction_timestamp()", [], output_field=DateTimeField())
    plan = Plan(
        "transaction-test",
        lambda code, slug, at: {
            str(n): Article.objects.annotate(started=started).values("started")[:1]
            for n in range(5)
        },
    )
    plan.run("en")
    times = {rows[0]["started"] for rows in plan.run("en").values()}
    assert len(times) == 1
    assert times != {row[0]["started"] for row in plan.run("en").values()}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_failing_statement_is_a_django_database_error(demo):
    plan = Plan(
        "error-test",
        lambda code, slug, at: {
            "fine": Article.objects.values("pk"),
            "broken": Article.objects.annotate(
                x=RawSQL("1 / 0", [], output_field=IntegerField())
            ).values("x"),
        },
    )
    with pytest.raises(DatabaseError, match="division by zero"):
        plan.run("en")
    # The connection is still usable, plans included.
    assert Article.objects.filter(slug_en=SLUG).exists()
    assert selectors.ARTICLE_PLAN.run("en", slug=SLUG)["article"]


def prepared_plans() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE name LIKE 'clinic_plan_%%'"
        )
        return [name for (name,) in cursor.fetchall()]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_plan_is_prepared_once_per_connection(demo):
    """The first run on a connection prepares the statement; later runs only bind
    the slug and the time. A new connection prepares it again."""
    connection.close()
    first = comparable(selectors.ARTICLE_PLAN.run("en", slug=SLUG))
    assert len(prepared_plans()) == 1
    for _ in range(3):
        assert comparable(selectors.ARTICLE_PLAN.run("en", slug=SLUG)) == first
    assert selectors.ARTICLE_PLAN.run("en", slug="no-such-article")["article"] == []
    assert len(prepared_plans()) == 1

    connection.close()
    assert comparable(selectors.ARTICLE_PLAN.run("en", slug=SLUG)) == first
    assert len(prepared_plans()) == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_without_prepared_statements_a_plan_prepares_nothing(demo):
    """DATABASE_PREPARED_STATEMENTS=false (psycopg's prepare_threshold None), for a
    pooler that cannot keep them: same rows, nothing left prepared on the server."""
    connection.close()
    expected = comparable(selectors.ARTICLE_PLAN.run("ko", slug="입꼬리-비대칭"))
    connection.close()
    connection.ensure_connection()
    connection.connection.prepare_threshold = None
    try:
        assert (
            comparable(selectors.ARTICLE_PLAN.run("ko", slug="입꼬리-비대칭"))
            == expected
        )
        assert prepared_plans() == []
    finally:
        connection.close()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_plan_run_first_in_a_transaction_is_part_of_it(demo):
    """Outside autocommit psycopg begins the transaction with the first statement:
    a plan that comes first begins it too, and later runs see its writes."""
    with transaction.atomic():
        found = selectors.ARTICLE_PLAN.run("en", slug=SLUG)
        time.sleep(0.2)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT clock_timestamp() - transaction_timestamp() "
                ">= interval '0.2 seconds'"
            )
            (began_with_the_plan,) = cursor.fetchone()
        Article.objects.filter(slug_en=SLUG).update(title_en="Changed in here")
        again = selectors.ARTICLE_PLAN.run("en", slug=SLUG)
    assert began_with_the_plan
    assert found["article"][0]["title_en"] != "Changed in here"
    assert again["article"][0]["title_en"] == "Changed in here"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_plan_outlives_rollbacks_and_deallocation(demo):
    """A rolled-back transaction that ran a plan first must not make psycopg drop
    every prepared statement (it answers a ROLLBACK with DEALLOCATE ALL when it
    prepared something itself); a DEALLOCATE ALL from elsewhere is recovered from
    by preparing again."""
    plan = selectors.ARTICLE_PLAN
    connection.close()
    expected = comparable(plan.run("en", slug=SLUG))
    with contextlib.suppress(RuntimeError), transaction.atomic():
        assert (
            comparable(plan.run("en", slug=SLUG)) == expected
        )  # begins the transaction
        raise RuntimeError("rolled back")
    with transaction.atomic():
        assert Article.objects.filter(slug_en=SLUG).exists()  # begun by Django
        assert (
            comparable(plan.run("en", slug=SLUG)) == expected
        )  # cannot prepare again here

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert comparable(plan.run("en", slug=SLUG)) == expected
    assert len(prepared_plans()) == 1


def test_a_subquery_repeated_in_a_statement_is_computed_once():
    find = '(SELECT U0."id" FROM "content_article" U0 WHERE U0."slug_en" = $1 LIMIT 1)'
    sql = f'SELECT (SELECT 1 FROM "b" WHERE "b"."a" = {find}), {find}'

    assert share_subqueries(sql) == (
        f"WITH shared_0 AS MATERIALIZED {find} "
        'SELECT (SELECT 1 FROM "b" WHERE "b"."a" = (SELECT * FROM shared_0)), '
        "(SELECT * FROM shared_0)"
    )


def test_a_subquery_that_reads_its_outer_row_stays_where_it_is():
    """Equal text, different meaning: each reads the row of its own outer query."""
    reads_outer = '(SELECT V0."n" FROM "b" V0 WHERE V0."a_id" = "a"."id" LIMIT 1)'
    sql = (
        f'SELECT json_build_array((SELECT json_agg({reads_outer}) FROM "a"), '
        f'(SELECT json_agg({reads_outer}) FROM "a" WHERE "a"."id" > $1))'
    )
    assert share_subqueries(sql) == sql


@on_postgresql
def test_the_article_is_found_once_per_statement(demo):
    """Every embedded part reads "what the article's blocks show": the article's
    lookup by slug is one shared subquery, not sixteen (besides the article's own
    row)."""
    compiled = selectors.ARTICLE_PLAN.compiled("en")
    assert compiled.native_sql.count('FROM "content_article" U0') == 1
    assert compiled.sql.count('FROM "content_article" U0') == 1
    assert selectors.ARTICLE_PLAN.run("en", slug=SLUG)["comparison.cells"]


def test_a_column_json_cannot_give_back_exactly_is_refused_when_compiled(demo):
    """A decimal comes back from JSON as a float: one of at most 15 digits is read
    back exactly, a wider one refuses to compile instead of serving a rounded
    value."""
    profile = ClinicProfile.objects.get()
    profile.rating = decimal.Decimal("4.7")
    profile.save()
    narrow = Plan(
        "decimal-test",
        lambda code, slug, at: {"p": ClinicProfile.objects.values("rating")},
    )
    assert narrow.run("en") == {"p": [{"rating": decimal.Decimal("4.7")}]}
    wide = Plan(
        "wide-decimal-test",
        lambda code, slug, at: {
            "p": ClinicProfile.objects.annotate(
                wide=Cast("rating", DecimalField(max_digits=20, decimal_places=5))
            ).values("wide")
        },
    )
    with pytest.raises(ValueError, match="more digits than JSON reads exactly"):
        wide.run("en")


def test_rows_read_back_as_values_dicts_whatever_the_column_names():
    """The generated reader writes each name as a literal and converts the columns
    JSON gives as text, in any row count."""
    names = ("pk", "it's", 'a "quoted"\\name', "updated_at")
    read = row_reader("odd", names, ((3, dt.datetime.fromisoformat),))
    rows = [
        [1, "x", None, "2026-01-02T03:04:05+00:00"],
        [2, "", "y", "2026-01-03T00:00:00+00:00"],
    ]
    assert read(rows) == [
        {
            "pk": 1,
            "it's": "x",
            'a "quoted"\\name': None,
            "updated_at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        },
        {
            "pk": 2,
            "it's": "",
            'a "quoted"\\name': "y",
            "updated_at": dt.datetime(2026, 1, 3, tzinfo=dt.UTC),
        },
    ]
    assert read([]) == []
