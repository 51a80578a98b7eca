"""The API's JSON renderer (orjson) writes exactly the bytes DRF's would."""

from __future__ import annotations

import datetime as dt
import decimal
import gc

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from clinic.api.renderers import JSONRenderer

pytestmark = pytest.mark.django_db


def walk(api, code: str) -> list:
    """Every list of the demo and every object on its first page, in ``code``."""
    datas = []
    root = api("/api/v1/").body
    lists = [
        "/api/v1/articles/",
        "/api/v1/cause-types/",
        "/api/v1/methods/",
        "/api/v1/comparisons/",
        "/api/v1/aftercare/",
        "/api/v1/item-lists/",
        "/api/v1/faq-items/",
        "/api/v1/faq-categories/",
    ]
    datas.append(root)
    for path in lists:
        listing = api(path, locale=code)
        assert listing.status == 200, path
        datas.append(listing.body)
        for item in listing.body["results"]:
            detail = api(f"{path}{item['slug']}/", locale=code)
            assert detail.status == 200, (path, item["slug"])
            datas.append(detail.body)
    for path in ("/api/v1/clinic/", "/api/v1/sitemap/", "/api/v1/locales/"):
        datas.append(api(path, locale=code).body)
    # Errors too: a 404 with details, a 400 listing what is allowed.
    datas.append(api("/api/v1/articles/nothing-here/", locale=code).body)
    datas.append(api("/api/v1/articles/", locale=code, sort="x").body)
    return datas


@pytest.mark.parametrize("code", ["en", "ko", "ja", "zh-hans"])
def test_every_demo_answer_renders_to_drfs_bytes(demo, api, code):
    datas = walk(api, code)
    assert len(datas) > 20
    for data in datas:
        assert JSONRenderer().render(data) == DRFRenderer().render(data)


@pytest.mark.parametrize(
    "data",
    [
        {"text": "line\u2028separator\u2029paragraph", "n": [1, 2.5, None, True]},
        {"when": dt.datetime(2026, 11, 24, 4, 5, 6, 789012, tzinfo=dt.UTC)},
        {"rating": decimal.Decimal("4.90")},
        {"label": gettext_lazy("FAQ")},
        {"한국어": "입꼬리 비대칭", "emoji": "😀", "quote": '"\\'},
    ],
    ids=["separators", "datetime", "decimal", "lazy-text", "unicode"],
)
def test_values_orjson_would_write_differently_are_left_to_drf(data):
    assert JSONRenderer().render(data) == DRFRenderer().render(data)


def test_an_indent_asked_for_is_honoured():
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert JSONRenderer().render(data, media) == DRFRenderer().render(data, media)
    assert b"\n" in JSONRenderer().render(data, media)


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/api/v1/articles/mouth-corner-asymmetry/", "locale=en", "200"),
        ("/api/v1/cause-types/", "locale=ja", "200"),
        ("/api/v1/faq-items/", "locale=en", "200"),
        ("/api/v1/articles/nothing-here/", "locale=en", "404"),
        ("/api/v1/articles/", "locale=xx", "400"),
    ],
)
def test_a_sent_response_is_freed_at_once(demo, path, query, status):
    """Nothing keeps a response (and the data it rendered) alive once it is sent:
    DRF's reference cycles through the renderer context and the view are broken,
    so a render's memory is given back at once instead of at the cyclic
    collector's next pass."""
    from rest_framework.response import Response

    from clinic.wsgi import application
    from tests.conftest import connection_kept, wsgi_call

    gc.collect()
    gc.disable()
    try:
        with connection_kept():
            got, _headers, body = wsgi_call(application, path, query=query)
        left = [o for o in gc.get_objects() if issubclass(type(o), Response)]
    finally:
        gc.enable()
    assert got.startswith(status), body
    assert left == []
