"""The API's JSON renderer (orjson) writes the bytes DRF's would, with <, > and &
escaped as Django's json_script escapes them: the same values once parsed, and
nothing that can end an HTML script element."""

from __future__ import annotations

import datetime as dt
import decimal
import gc
import json

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from api.renderers import JSONRenderer
from content.models import Article
from tests.factories import publish

pytestmark = pytest.mark.django_db

# What a script element's content must not hold raw, and the escapes for it.
HTML_SIGNIFICANT = {b"<": b"\\u003c", b">": b"\\u003e", b"&": b"\\u0026"}


def drf_escaped(data, media_type=None) -> bytes:
    """DRF's bytes with <, > and & escaped: they only occur inside JSON strings."""
    out = DRFRenderer().render(data, media_type)
    for raw, escaped in HTML_SIGNIFICANT.items():
        out = out.replace(raw, escaped)
    return out


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
def test_every_demo_answer_renders_to_drfs_bytes_with_html_characters_escaped(
    demo, api, code
):
    datas = walk(api, code)
    assert len(datas) > 20
    for data in datas:
        rendered = JSONRenderer().render(data)
        assert rendered == drf_escaped(data)
        assert json.loads(rendered) == json.loads(DRFRenderer().render(data))


# An editor's plain text that would end the JSON-LD script element a frontend puts
# `structured_data` in, open a comment in it, or start an entity.
BREAKOUT = '</script><script>alert("x")</script><!-- & &amp; >'


@pytest.mark.parametrize("code", ["en", "ko", "ja"])
def test_no_article_answer_holds_a_raw_lt_gt_or_ampersand(demo, client, code):
    """Bytes level, on the demo articles (rich text full of tags) with a plain-text
    field that tries to break out of a script element."""
    Article.objects.update(**{f"seo_title_{code.replace('-', '_')}": BREAKOUT})
    # The API serves what is published: the text reaches it once published.
    publish(*Article.objects.published(code), codes=(code,))
    listing = client.get("/api/v1/articles/", {"locale": code}).json()
    assert listing["results"]
    for item in listing["results"]:
        response = client.get(f"/api/v1/articles/{item['slug']}/", {"locale": code})
        body = response.content
        assert response.status_code == 200
        for raw in HTML_SIGNIFICANT:
            assert raw not in body
        data = json.loads(body)
        assert data["seo_title"] == BREAKOUT
        assert data["structured_data"]["@graph"][0]["headline"] == BREAKOUT
        assert b"\\u003c/script\\u003e" in body
        assert body == JSONRenderer().render(data) == drf_escaped(data)


def test_errors_rendered_outside_drf_are_escaped_too(client):
    """A JSON error written without DRF's renderer (an unknown URL, Django's
    handler404) is written by the same encoder."""
    from api.errors import json_error

    response = json_error(400, "<b>&</b>", details={"x": ">"})

    assert response.content == (
        b'{"error":{"status":400,"code":"bad_request","message":'
        b'"\\u003cb\\u003e\\u0026\\u003c/b\\u003e","details":{"x":"\\u003e"}}}'
    )


@pytest.mark.parametrize(
    "data",
    [
        {"text": "line\u2028separator\u2029paragraph", "n": [1, 2.5, None, True]},
        {"when": dt.datetime(2026, 11, 24, 4, 5, 6, 789012, tzinfo=dt.UTC)},
        {"rating": decimal.Decimal("4.90")},
        {"label": gettext_lazy("FAQ")},
        {"한국어": "입꼬리 비대칭", "emoji": "😀", "quote": '"\\'},
        {"html": "<p>a &amp; b</p>", "label": gettext_lazy("</script>")},
    ],
    ids=["separators", "datetime", "decimal", "lazy-text", "unicode", "html"],
)
def test_values_orjson_would_write_differently_are_left_to_drf(data):
    assert JSONRenderer().render(data) == drf_escaped(data)


def test_an_indent_asked_for_is_honoured():
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert JSONRenderer().render(data, media) == drf_escaped(data, media)
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
