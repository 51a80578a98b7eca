"""Every public response of the demo content, in every locale, against the committed
``docs/openapi.yaml`` with a strict JSON Schema validator: nothing undocumented
(``additionalProperties: false`` is added to every object that does not say), no
value outside its type or enum, and every status documented for its operation.

The schema is read as OpenAPI 3.0 means it: ``nullable: true`` adds null to the
``type`` beside it, and nothing else (a ``nullable`` without ``type`` allows no null).
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from api.errors import DEFAULT_CODES, ERROR_CODES
from clinic.demo import load_demo
from content.models import Image
from content.renditions import make

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ["en", "ko", "ja", "zh-hans"]
# List endpoint → its detail endpoint.
TYPES = {
    "/api/v1/articles/": "/api/v1/articles/{slug}/",
    "/api/v1/cause-types/": "/api/v1/cause-types/{slug}/",
    "/api/v1/methods/": "/api/v1/methods/{slug}/",
    "/api/v1/comparisons/": "/api/v1/comparisons/{slug}/",
    "/api/v1/aftercare/": "/api/v1/aftercare/{slug}/",
    "/api/v1/item-lists/": "/api/v1/item-lists/{slug}/",
    "/api/v1/faq-items/": "/api/v1/faq-items/{slug}/",
    "/api/v1/faq-categories/": "/api/v1/faq-categories/{slug}/",
}
SINGLE = ["/api/v1/", "/api/v1/locales/", "/api/v1/clinic/", "/api/v1/sitemap/"]
URN = "urn:clinic:openapi"


def strict(node):
    """OpenAPI 3.0 → JSON Schema draft 4, with every object closed."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: strict(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    if node.get("type") == "object" or "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


@pytest.fixture(scope="module")
def openapi() -> dict:
    return yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())


@pytest.fixture(scope="module")
def registry(openapi) -> Registry:
    document = {"components": strict(openapi["components"])}
    return Registry().with_resource(
        URN, Resource(contents=document, specification=DRAFT4)
    )


def problems(registry: Registry, schema: dict, body) -> list[str]:
    """The validation errors of ``body`` against ``schema`` (refs into the
    document), each with its JSON path."""
    schema = strict(copy.deepcopy(schema))
    schema = re_root(schema)
    validator = Draft4Validator(schema, registry=registry)
    return [
        f"{error.json_path}: {error.message}" for error in validator.iter_errors(body)
    ]


def re_root(node):
    """References of an operation's schema point into the registered document."""
    if isinstance(node, list):
        return [re_root(item) for item in node]
    if isinstance(node, dict):
        return {
            key: URN + value if key == "$ref" else re_root(value)
            for key, value in node.items()
        }
    return node


def response_schema(openapi, path: str, status: int) -> dict:
    responses = openapi["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"{status} is not documented for {path}"
    return responses[str(status)]["content"]["application/json"]["schema"]


@pytest.fixture(scope="module")
def demo_content(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (the requests change nothing), removed
    afterwards so other tests start empty."""
    with django_db_blocker.unblock():
        load_demo()
        # The worker's renditions: the images' whole shape is checked.
        for image in Image.objects.all():
            make(image)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def conforms(api, openapi, registry, demo_content):
    """``conforms(template, url, status, **query)``: the response's status is the
    one expected and documented, and its body is exactly the documented shape."""

    def check(template: str, url: str, status: int = 200, **query):
        response = api(url, **query)
        assert response.status == status, (url, query, response.body)
        schema = response_schema(openapi, template, status)
        assert problems(registry, schema, response.body) == [], (url, query)
        return response.body

    return check


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", list(TYPES), ids=lambda p: p.split("/")[3])
def test_every_list_and_detail_of_the_demo_is_exactly_its_documented_shape(
    conforms, path, locale
):
    page = conforms(path, path, locale=locale, page_size="100")
    detail = TYPES[path]
    for result in page["results"]:
        conforms(detail, detail.replace("{slug}", result["slug"]), locale=locale)
    if path == "/api/v1/faq-items/":
        conforms(path, path, locale=locale, structured_data="true")


def test_the_demo_has_objects_of_every_type_and_every_block_kind(api, demo_content):
    # Guards the test above against passing on empty lists.
    for path in TYPES:
        assert api(path, locale="ja").body["count"] > 0, path
    article = api("/api/v1/articles/mouth-corner-asymmetry/").body
    kinds = {block["kind"] for block in article["blocks"]}
    assert kinds >= {
        "text",
        "callout",
        "list",
        "comparison",
        "aftercare",
        "faq",
        "image",
    }
    assert article["hero_image"]["renditions"]
    assert article["hero_image"]["crops"]["16:9"]
    assert article["open_graph"]["image"]["url"]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", SINGLE)
def test_every_single_endpoint_is_exactly_its_documented_shape(conforms, path, locale):
    if path == "/api/v1/clinic/" and locale == "zh-hans":
        conforms(path, path, 404, locale=locale)  # not published in Chinese
    elif path in ("/api/v1/", "/api/v1/locales/"):
        conforms(path, path)
    else:
        conforms(path, path, locale=locale)


ARTICLES = "/api/v1/articles/"
ENGLISH_SLUG = "/api/v1/articles/mouth-corner-asymmetry/"


def template_of(url: str) -> str:
    """``/api/v1/articles/x/`` → ``/api/v1/articles/{slug}/``."""
    return re.sub(r"^(/api/v1/[a-z-]+/)[^/]+/$", r"\1{slug}/", url)


@pytest.mark.parametrize(
    ("url", "status", "query", "code"),
    [
        (ARTICLES, 400, {"locale": "EN"}, "invalid_locale"),
        (ARTICLES, 400, {"colour": "red"}, "unknown_parameter"),
        (ARTICLES, 400, {"page_size": "1000"}, "invalid_parameter"),
        (ARTICLES, 400, {"page": "x"}, "invalid_parameter"),
        ("/api/v1/sitemap/", 400, {"type": "nope"}, "invalid_parameter"),
        ("/api/v1/faq-items/", 400, {"search": "a" * 201}, "invalid_parameter"),
        ("/api/v1/faq-items/", 400, {"structured_data": "x"}, "invalid_parameter"),
        (ARTICLES, 404, {"page": "99"}, "not_found"),
        (ARTICLES + "no-such-slug/", 404, {}, "not_found"),
        (ENGLISH_SLUG, 404, {"locale": "ko"}, "not_in_locale"),
    ],
)
def test_error_bodies_are_exactly_their_codes_documented_shape(
    conforms, url, status, query, code
):
    body = conforms(template_of(url), url, status, **query)

    assert body["error"]["code"] == code


def test_not_in_locale_names_the_slug_to_redirect_to(conforms):
    body = conforms(template_of(ENGLISH_SLUG), ENGLISH_SLUG, 404, locale="ko")

    assert body["error"]["details"] == {"locale": "ko", "slug": "입꼬리-비대칭"}


@pytest.mark.parametrize(
    ("url", "status", "method"),
    [("/api/v1/articles/", 405, "post"), ("/api/v1/nope/", 404, "get")],
)
def test_errors_outside_the_operations_are_the_documented_error(
    api, openapi, registry, demo_content, url, status, method
):
    response = api(url, method=method)

    assert response.status == status
    schema = {"$ref": "#/components/schemas/Error"}
    assert problems(registry, schema, response.body) == []


def test_a_wrong_code_or_an_undocumented_detail_fails_the_check(openapi, registry):
    # The check above can fail: the schema is closed and exact per code.
    schema = {"$ref": "#/components/schemas/Error"}
    error = {"status": 404, "code": "not_found", "message": "Not found."}

    assert problems(registry, schema, {"error": {**error, "details": {}}}) == []
    assert problems(registry, schema, {"error": {**error, "details": {"x": 1}}})
    unknown_code = {**error, "code": "nope", "details": {}}
    assert problems(registry, schema, {"error": unknown_code})
    not_in_locale = {**error, "code": "not_in_locale", "details": {"locale": "ko"}}
    assert problems(registry, schema, {"error": not_in_locale})


def test_every_error_code_the_code_uses_is_in_the_documented_enum(openapi):
    used = set(DEFAULT_CODES.values())
    for folder in ("clinic", "content", "faq"):
        for source in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r'\bcode="([a-z_]+)"', source.read_text()))
    # gunicorn's own refusals (gunicorn.conf.py) answer in the same shape.
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "gunicorn.conf.py"
    )
    gunicorn = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gunicorn)
    used |= {code for *_, code in gunicorn.CLIENT_ERRORS}
    documented = {
        code
        for variant in openapi["components"]["schemas"]["ErrorDetail"]["oneOf"]
        for code in openapi["components"]["schemas"][variant["$ref"].rsplit("/", 1)[1]][
            "properties"
        ]["code"]["enum"]
    }

    assert used <= set(ERROR_CODES)
    assert documented == set(ERROR_CODES)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def test_no_loose_type_is_left_for_a_typed_client(openapi):
    schemas = openapi["components"]["schemas"]
    # The clinic profile's alternates are every object's.
    assert schemas["ClinicProfile"]["properties"]["alternates"] == ref("Alternates")
    assert schemas["ArticleDetail"]["properties"]["alternates"] == ref("Alternates")
    # hreflang is one of the four tags.
    assert schemas["Alternate"]["properties"]["hreflang"]["allOf"] == [
        ref("HreflangEnum")
    ]
    assert schemas["HreflangEnum"]["enum"] == ["en", "ko", "ja", "zh-Hans"]
    # structured_data is typed JSON-LD, its nodes told apart by @type.
    data = schemas["ArticleDetail"]["properties"]["structured_data"]
    assert data["allOf"] == [ref("ArticleStructuredData")]
    graph = schemas["ArticleStructuredData"]["properties"]["@graph"]
    assert graph["items"] == ref("GraphNode")
    assert [
        schemas[node["$ref"].rsplit("/", 1)[1]]["properties"]["@type"]["enum"]
        for node in schemas["GraphNode"]["oneOf"]
    ] == [["MedicalWebPage"], ["MedicalProcedure"], ["FAQPage"]]
    # not_in_locale's details name the slug.
    details = schemas["NotInLocaleError"]["properties"]["details"]
    assert schemas["NotInLocaleDetails"]["required"] == ["locale", "slug"]
    assert details == ref("NotInLocaleDetails")


def test_the_committed_schema_is_valid_openapi_3_0(openapi):
    # openapi-spec-validator: the Python OpenAPI validator a client team would run.
    from openapi_spec_validator import OpenAPIV30SpecValidator

    errors = [error.message for error in OpenAPIV30SpecValidator(openapi).iter_errors()]

    assert errors == []
