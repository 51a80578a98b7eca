"""Compiled read plans (clinic/api/plans.py): compiled once, every argument bound on
every run, the same rows as the querysets they were built from, what is sent counted
as queries, and on PostgreSQL one statement in one transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection
from django.db.models import DateTimeField, IntegerField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from clinic.api.plans import Plan
from clinic.languages import column
from content import selectors
from content.models import Article, CauseType, ClinicProfile

pytestmark = pytest.mark.django_db

SLUG = "mouth-corner-asymmetry"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL runs a plan as one statement"
)


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
    expected = selectors.evaluate(selectors.article_queries(code, slug, now))

    got = selectors.ARTICLE_PLAN.run(code, slug=slug, at=now)

    assert got == expected
    assert got["article"][0]["pk"] == article.pk
    assert len(got["article.blocks"]) == article.blocks.count()
    assert got["comparison.cells"]
    assert got["aftercare.entries"]
    assert got["article.faq"]
    assert got["causetype.methods"]


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


def test_a_scheduled_article_appears_when_its_time_comes(demo, api):
    """Through the API: the compiled plan compares with the time of each request."""
    later = timezone.now() + dt.timedelta(hours=1)
    Article.objects.filter(slug_en=SLUG).update(publish_at=later)
    assert api(f"/api/v1/articles/{SLUG}/", locale="en").status == 404

    found = selectors.ARTICLE_PLAN.run(
        "en", slug=SLUG, at=later + dt.timedelta(seconds=1)
    )
    assert found["article"]
    assert found["article.blocks"]


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
    assert got == selectors.ARTICLE_PLAN.run("en", slug=SLUG)
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


def test_a_column_json_cannot_give_back_exactly_is_refused_when_compiled(demo):
    """A decimal would come back from JSON as a float: the plan refuses to compile
    instead of serving a rounded value."""
    plan = Plan(
        "decimal-test",
        lambda code, slug, at: {"p": ClinicProfile.objects.values("rating")},
    )
    with pytest.raises(ValueError, match="DecimalField"):
        plan.run("en")
