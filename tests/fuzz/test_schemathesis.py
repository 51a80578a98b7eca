"""Fuzz the public API against its own OpenAPI schema with schemathesis.

The schema is read from the WSGI app (``/api/v1/schema/``), the requests go through
the WSGI app in-process, on the demo content. Every check schemathesis has runs (its
configuration enables all of them unless told otherwise, as ``st run --checks all``):
no 5xx, the status codes, content types and bodies conform to the schema, schema-valid
input is accepted, invalid input rejected with a 4xx, undocumented methods answer 405.
A fixed seed makes a failure reproducible.

Slugs are seeded: a generated slug is rarely one the demo has, so cases of a detail
endpoint often take a real slug of their locale (from the sitemap), and the last test
requires every detail endpoint fuzzed to have answered 200.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st

from api.registry import sitemap_types
from clinic.demo import load_demo
from clinic.wsgi import application
from tests.conftest import connection_kept, wsgi_call

# Enough examples that every operation sees its enums, bounds and odd slugs.
EXAMPLES = 60

# The schema view needs no database: it is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)

# Sitemap type → the schema's path of its detail endpoint (the registry's route,
# with the slug left as the schema writes it).
DETAILS = {
    kind.name: reverse(kind.detail_route, kwargs={"slug": "SLUG"}).replace(
        "SLUG", "{slug}"
    )
    for kind in sitemap_types()
}
# (detail path, locale) → the demo's slugs there, filled once the demo is loaded.
SLUGS: dict[tuple[str, str], list[str]] = {}
# Detail paths fuzzed, and those that answered 200.
FUZZED: set[str] = set()
ANSWERED: set[str] = set()


@schema.hook
def flatmap_case(context, case):
    slugs = SLUGS.get((case.operation.path, (case.query or {}).get("locale", "en")))
    if not slugs:
        return st.just(case)

    def with_slug(slug: str):
        case.path_parameters = {**case.path_parameters, "slug": slug}
        return case

    return st.one_of(st.just(case), st.sampled_from(slugs).map(with_slug))


# Marks the tests as database users, so that pytest-django sets the test database up.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection():
    """The fuzzer calls the WSGI app directly, so Django's request signals close
    "old" connections after every request, including the test's connection, which
    is inside the test's transaction (PostgreSQL then answers "the connection is
    closed"). Django's own test client disconnects the same handler."""
    with connection_kept():
        yield


@pytest.fixture(scope="module")
def demo_content(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (the fuzzer sends thousands of requests
    and changes nothing), removed afterwards so other tests start empty."""
    with django_db_blocker.unblock():
        load_demo()
        for locale in ("en", "ko", "ja", "zh-hans"):
            # Straight through the WSGI app, as the fuzzer's requests go: Django's
            # test client would connect close_old_connections again, which then
            # closes the test's connection after each request (on PostgreSQL).
            status, _, body = wsgi_call(
                application, "/api/v1/sitemap/", query=f"locale={locale}&page_size=100"
            )
            assert status.startswith("200"), status
            sitemap = json.loads(body)
            assert sitemap["pages"] == 1  # the demo is small
            for entry in sitemap["results"]:
                SLUGS.setdefault((DETAILS[entry["type"]], locale), []).append(
                    entry["slug"]
                )
    yield
    SLUGS.clear()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@schema.parametrize()
@seed(20261123)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(demo_content, case):
    response = case.call_and_validate()
    if case.operation.path in DETAILS.values():
        FUZZED.add(case.operation.path)
        if response.status_code == 200:
            ANSWERED.add(case.operation.path)


def test_every_detail_endpoint_fuzzed_answered_200():
    # Runs after the fuzzing above (pytest keeps the file's order).
    if not FUZZED:
        pytest.skip("no detail endpoint was fuzzed in this run")
    assert ANSWERED == FUZZED
