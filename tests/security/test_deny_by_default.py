"""Deny by default: walking every URL pattern of the project, only an explicit list
of public read views answers anonymously, no route accepts a write, and the admin
shows nothing to anonymous users but its login page.

The routes are read from the URLconf, so a new route is checked the day it is added:
a new API view fails here until it is added to ``PUBLIC_READ_VIEWS`` (and so
reviewed as public), and a new admin page must send anonymous users to the login.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api import preview
from api import views as api_views
from clinic.demo import load_demo
from content import views as content_views
from content.models import Article
from faq import views as faq_views
from faq.models import FAQItem
from publication.preview import make_token

# Every view that anonymous clients may read. Adding a view to the API means adding
# it here, i.e. deciding that it is public.
PUBLIC_READ_VIEWS = {
    api_views.ApiRoot,
    api_views.LocaleList,
    api_views.Sitemap,
    api_views.SchemaView,
    api_views.SwaggerView,
    api_views.RedocView,
    content_views.ArticleList,
    content_views.ArticleDetail,
    content_views.CauseTypeList,
    content_views.CauseTypeDetail,
    content_views.MethodList,
    content_views.MethodDetail,
    content_views.ComparisonList,
    content_views.ComparisonDetail,
    content_views.AftercareList,
    content_views.AftercareDetail,
    content_views.ItemListList,
    content_views.ItemListDetail,
    content_views.ClinicProfileDetail,
    faq_views.FAQItemList,
    faq_views.FAQItemDetail,
    faq_views.FAQCategoryList,
    faq_views.FAQCategoryDetail,
    api_views.Redirects,
}
# Views that answer only with a signed token (401 without): the draft preview.
TOKEN_READ_VIEWS = {preview.PreviewView}
SAFE_METHODS = {"GET", "HEAD"}
UNSAFE_METHODS = ["post", "put", "patch", "delete", "options", "trace"]
ERROR_KEYS = {"status", "code", "message", "details"}
JSON = "application/json; charset=utf-8"
DUMMY_SLUG = "no-such-slug"


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, with everything from the root to it."""

    chain: tuple  # the patterns (of resolvers, then the leaf) from the root
    namespaces: tuple[str, ...]
    name: str | None
    callback: Callable

    @property
    def pattern(self) -> str:
        return "".join(str(p.pattern) for p in self.chain)

    @property
    def full_name(self) -> str | None:
        return ":".join((*self.namespaces, self.name)) if self.name else None

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "view_class", None)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return "admin" in self.namespaces

    def __str__(self) -> str:
        return self.full_name or self.pattern


def walk(patterns, chain=(), namespaces=()) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(
                pattern.url_patterns,
                (*chain, pattern),
                (*namespaces, pattern.namespace) if pattern.namespace else namespaces,
            )
        else:
            assert isinstance(pattern, URLPattern)
            yield Route((*chain, pattern), namespaces, pattern.name, pattern.callback)


ROUTES = list(walk(get_resolver().url_patterns))
API_ROUTES = [r for r in ROUTES if r.is_api]
ADMIN_ROUTES = [r for r in ROUTES if r.is_admin]


def fill(route: Route, values: dict[str, str]) -> str:
    """A concrete path for ``route``: each path parameter gets ``values[name]``; a
    regex group that lists its alternatives gets the first one."""
    path = ""
    for part in route.chain:
        text = str(part.pattern)
        if hasattr(part.pattern, "converters") and part.pattern.converters:
            text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], text)
        elif "(?P<" in text:
            text = text.lstrip("^").removesuffix("$").removesuffix(r"\Z")
            text = re.sub(
                r"\(\?P<(\w+)>([^()]*)\)",
                lambda m: (
                    m.group(2).split("|")[0]
                    if re.fullmatch(r"[\w|]+", m.group(2))
                    else values[m.group(1)]
                ),
                text,
            )
        else:
            text = text.lstrip("^").removesuffix("$").removesuffix(r"\Z")
        path += text
    return "/" + path


def path_values(route: Route, slugs: dict[str, str]) -> dict[str, str]:
    """Real demo values for the parameters of ``route`` where there are some."""
    model_admin = getattr(route.callback, "model_admin", None)
    first = model_admin.model.objects.order_by("pk").first() if model_admin else None
    article = Article.objects.order_by("pk").first()
    return {
        "slug": slugs.get(route.name, DUMMY_SLUG),
        "object_id": str(first.pk if first else article.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Article).pk),
        "id": str(get_user_model().objects.order_by("pk").first().pk),
        "url": "no-such-page/",
        # History (django-reversion): a version and a content language.
        "version_id": "1",
        "code": "ja",
        # The draft preview: an FAQ item.
        "type_name": "faq_item",
        "pk": str(FAQItem.objects.order_by("pk").first().pk),
    }


def concrete_path(route: Route, slugs: dict[str, str]) -> str:
    path = fill(route, path_values(route, slugs))
    # The filled path must reach the route under test, or the test proves nothing.
    assert resolve(path).func is route.callback, (path, str(route))
    return path


@pytest.fixture(scope="module")
def demo_slugs(django_db_setup, django_db_blocker) -> Iterator[dict[str, str]]:
    """The demo, loaded once for the module inside a transaction rolled back at its
    end (each test runs in a savepoint within it), and a real English slug for each
    detail route, read from its list."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        get_user_model().objects.create_user(
            "editor", password="secret", is_staff=True, is_superuser=True
        )
        client = Client()
        slugs = {}
        for route in API_ROUTES:
            if route.name and route.name.endswith("-detail"):
                listing = client.get(reverse(route.name.replace("-detail", "-list")))
                slugs[route.name] = json.loads(listing.content)["results"][0]["slug"]
        yield slugs
        transaction.set_rollback(True)


@pytest.fixture
def staff_client(db, demo_slugs) -> Client:
    """A logged-in superuser's browser session, without a CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="editor"))
    return client


@pytest.fixture
def staff_client_with_csrf_token(staff_client) -> Client:
    """The same session carrying a valid CSRF token, as the admin's own forms do."""
    staff_client.get(reverse("admin:index"))
    token = staff_client.cookies["csrftoken"].value
    staff_client.defaults["HTTP_X_CSRFTOKEN"] = token
    return staff_client


def error_of(response) -> dict:
    assert response["Content-Type"] == JSON, response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == ERROR_KEYS, error
    assert error["status"] == response.status_code
    assert error["message"]
    assert isinstance(error["details"], dict)
    return error


def test_drf_default_permission_is_not_allow_any():
    assert api_settings.DEFAULT_PERMISSION_CLASSES
    assert AllowAny not in api_settings.DEFAULT_PERMISSION_CLASSES


def test_an_api_view_that_does_not_opt_in_refuses_anonymous_clients(db):
    class Unlisted(APIView):
        def get(self, request):
            return Response({"secret": True})

    request = RequestFactory().get("/api/v1/unlisted/")

    response = Unlisted.as_view()(request)
    response.render()

    assert response.status_code in {401, 403}
    assert b"secret" not in response.content
    assert error_of(response)["code"] in {"not_authenticated", "permission_denied"}


def test_the_walk_finds_the_api_and_the_admin():
    names = {r.full_name for r in ROUTES}

    assert {"article-detail", "faqitem-list", "schema", "admin:login"} <= names
    assert {"admin:content_article_delete", "admin:auth_user_change"} <= names


def test_every_api_route_serves_an_allow_listed_public_read_view():
    served = {route.view_class for route in API_ROUTES}

    assert None not in served, [str(r) for r in API_ROUTES if r.view_class is None]
    reviewed = PUBLIC_READ_VIEWS | TOKEN_READ_VIEWS
    assert served - reviewed == set(), "API views not reviewed as public"
    assert reviewed - served == set(), "allow-listed views no longer routed"


def test_no_other_route_serves_a_public_read_view():
    outside = [
        str(r) for r in ROUTES if not r.is_api and r.view_class in PUBLIC_READ_VIEWS
    ]

    assert outside == []


@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_every_api_view_answers_get_and_head_only(route):
    initkwargs = route.callback.view_initkwargs
    methods = initkwargs.get("http_method_names", route.view_class.http_method_names)

    assert set(methods) == {"get", "head"}


@pytest.mark.parametrize("method", UNSAFE_METHODS)
@pytest.mark.parametrize("route", API_ROUTES, ids=str)
@pytest.mark.parametrize(
    "as_who", ["anonymous", "staff_client", "staff_client_with_csrf_token"]
)
def test_unsafe_method_on_an_api_route_is_a_json_405_allowing_only_reads(
    request, demo_slugs, route, method, as_who
):
    client = Client() if as_who == "anonymous" else request.getfixturevalue(as_who)
    if as_who == "anonymous":
        request.getfixturevalue("db")
    path = concrete_path(route, demo_slugs)

    response = getattr(client, method)(
        path, data=json.dumps({"title": "x"}), content_type="application/json"
    )

    assert response.status_code in {401, 403, 405}, response.status_code
    error = error_of(response)
    if response.status_code == 405:
        assert error["code"] == "method_not_allowed"
        allowed = {m.strip() for m in response["Allow"].split(",")}
        assert allowed == SAFE_METHODS


@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_api_route_reads_anonymously_with_the_demo(demo_slugs, db, route):
    """The other side of the allow-list: the filled paths are real pages (with a
    token where one is needed, and a 401 without it)."""
    path = concrete_path(route, demo_slugs)
    if route.view_class in TOKEN_READ_VIEWS:
        assert Client().get(path).status_code == 401
        item = FAQItem.objects.order_by("pk").first()
        path += f"?token={make_token(item, 'en')}"

    response = Client().get(path)

    assert response.status_code == 200


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=str)
def test_admin_route_sends_anonymous_users_to_the_login(demo_slugs, db, route):
    response = Client().get(concrete_path(route, demo_slugs))

    if route.full_name == "admin:login":
        assert response.status_code == 200
        assert b'name="password"' in response.content
    elif route.full_name == "admin:logout":
        # Nothing to log out of: back to the index, which sends to the login.
        assert response.status_code in {302, 405}
        assert b"<form" not in response.content
    else:
        assert response.status_code in {302, 404}, response.status_code
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("admin:login") + "?next=")
        assert b"<form" not in response.content


@pytest.mark.parametrize("method", ["post", "delete"])
@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=str)
@pytest.mark.parametrize("as_who", ["anonymous", "staff_client"])
def test_write_to_an_admin_route_without_csrf_token_is_refused(
    request, demo_slugs, route, method, as_who
):
    if as_who == "anonymous":
        request.getfixturevalue("db")
        client = Client(enforce_csrf_checks=True)
    else:
        client = request.getfixturevalue(as_who)
    model_admin = getattr(route.callback, "model_admin", None)
    model = model_admin.model if model_admin else Article
    before = model.objects.count()

    response = getattr(client, method)(
        concrete_path(route, demo_slugs), data={"post": "yes", "title": "x"}
    )

    assert response.status_code == 403, response.status_code
    assert model.objects.count() == before
