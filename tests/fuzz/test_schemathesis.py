"""Fuzz the public API against its own OpenAPI schema with schemathesis.

The schema is read from the WSGI app (``/api/v1/schema/``), the requests go through
the WSGI app in-process, on the demo content. Every default check runs: no 5xx, the
status codes, content types and bodies conform to the schema, schema-valid input is
accepted, invalid input rejected with a 4xx, undocumented methods answer 405.
A fixed seed makes a failure reproducible.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, seed, settings

from clinic.demo import load_demo
from clinic.wsgi import application
from tests.conftest import connection_kept

# Enough examples that every operation sees its enums, bounds and odd slugs.
EXAMPLES = 60

# The schema view needs no database: it is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)

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
    yield
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
    case.call_and_validate()
