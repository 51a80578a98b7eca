"""Draft preview (api/preview.py): the working copy in the published shape, with a
signed token scoped to one object and locale, never cached or stored."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.utils import timezone

from content.models import Article
from faq.models import FAQItem
from publication import documents
from publication.preview import make_token, preview_url
from tests.factories import FAQItemFactory

pytestmark = pytest.mark.django_db


def preview(client, obj, code, *, token=None, type_name=None):
    type_name = type_name or {FAQItem: "faq_item", Article: "article"}[type(obj)]
    token = make_token(obj, code) if token is None else token
    return client.get(
        f"/api/v1/preview/{type_name}/{obj.pk}/",
        {"locale": code, "token": token},
    )


def shown_item(demo) -> FAQItem:
    article = Article.objects.get()
    return FAQItem.objects.filter(articles=article, published_ko=True).order_by("pk")[0]


def test_the_preview_renders_the_working_copy_in_the_published_shape(demo, client):
    item = FAQItem.objects.filter(published_ko=True).order_by("pk")[0]
    public = client.get(f"/api/v1/faq-items/{item.slug_ko}/?locale=ko")
    item.answer_ko = "<p>아직 게시하지 않은 답변.</p>"
    item.save()

    response = preview(client, item, "ko")

    assert response.status_code == 200
    body = response.json()
    assert body["answer"] == "<p>아직 게시하지 않은 답변.</p>"
    state = body.pop("preview")
    assert set(body) == set(public.json())
    assert state["locale"] == "ko"
    # The item, and what it names (its cause types, methods, articles), each
    # from its working copy, marked.
    shown = {(c["type"], c["id"]): c for c in state["working_copies"]}
    assert shown[("faq_item", item.pk)] == {
        "type": "faq_item",
        "id": item.pk,
        "published": True,
        "changed_since_published": True,
    }
    assert ("article", Article.objects.get().pk) in shown
    assert [c for c in shown.values() if c["changed_since_published"]] == [
        shown[("faq_item", item.pk)]
    ]
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Content-Language"] == "ko"
    # The public answer is still the published one.
    again = client.get(f"/api/v1/faq-items/{item.slug_ko}/?locale=ko")
    assert again.json()["answer"] == public.json()["answer"]


def test_an_article_preview_shows_the_faq_items_it_lists_from_their_working_copies(
    demo, client
):
    article = Article.objects.get()
    item = shown_item(demo)
    item.question_ko = "아직 게시하지 않은 질문?"
    item.save()

    response = preview(client, article, "ko")

    assert response.status_code == 200
    assert "아직 게시하지 않은 질문?" in response.content.decode()
    shown = {
        (c["type"], c["id"]): c for c in response.json()["preview"]["working_copies"]
    }
    assert shown[("article", article.pk)]["changed_since_published"] is False
    assert shown[("faq_item", item.pk)]["changed_since_published"] is True
    public = client.get(f"/api/v1/articles/{article.slug_ko}/?locale=ko")
    assert "아직 게시하지 않은 질문?" not in public.content.decode()


def test_a_never_published_object_can_be_previewed(demo, client):
    item = FAQItemFactory()
    assert client.get(f"/api/v1/faq-items/{item.slug_en}/?locale=en").status_code == 404

    response = preview(client, item, "en")

    assert response.status_code == 200
    assert response.json()["question"] == item.question_en
    assert response.json()["preview"]["working_copies"][0]["published"] is False


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("missing", 401),
        ("tampered", 401),
        ("expired", 401),
        ("foreign", 401),
        ("other object", 403),
        ("other locale", 403),
        ("unknown type", 404),
    ],
)
def test_an_invalid_token_is_refused_with_the_json_error_shape(
    demo, client, case, status
):
    item, other = FAQItem.objects.filter(published_ko=True).order_by("pk")[:2]
    token = make_token(item, "ko")
    type_name = "faq_item"
    if case == "missing":
        token = ""
    elif case == "tampered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif case == "expired":
        token = make_token(item, "ko", now=timezone.now() - timedelta(hours=2))
    elif case == "foreign":
        token = signing.dumps({"m": "faq.faqitem", "pk": item.pk, "l": "ko"})
    elif case == "other object":
        token = make_token(other, "ko")
    elif case == "other locale":
        token = make_token(item, "ja")
    elif case == "unknown type":
        type_name = "no_such_type"

    response = preview(client, item, "ko", token=token, type_name=type_name)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status
    assert "answer" not in response.content.decode()
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.response_cache
@pytest.mark.django_db(transaction=True)
def test_a_preview_is_never_cached_or_stored(transactional_db, client):
    from tests.conftest import DemoSnapshot

    DemoSnapshot.load()
    item = FAQItem.objects.filter(published_ko=True).order_by("pk")[0]
    item.answer_ko = "<p>첫 번째 초안.</p>"
    item.save()
    token = make_token(item, "ko")
    url = f"/api/v1/preview/faq_item/{item.pk}/?locale=ko&token={token}"
    assert "첫 번째 초안" in client.get(url).json()["answer"]

    item.answer_ko = "<p>두 번째 초안.</p>"
    item.save()  # a draft save: no content version bump

    assert "두 번째 초안" in client.get(url).json()["answer"]
    assert not documents.Document.objects.filter(url__contains="/preview/").exists()


def test_the_preview_link_fills_the_frontends_template(demo, client, settings):
    settings.PREVIEW_URL_TEMPLATE = (
        "https://www.example.com/api/draft?locale={locale}&type={type}&slug={slug}"
        "&token={token}"
    )
    item = FAQItem.objects.filter(published_ko=True).order_by("pk")[0]

    url = preview_url(item, "ko")

    query = parse_qs(urlsplit(url).query)
    assert query["locale"] == ["ko"]
    assert query["type"] == ["faq_item"]
    assert query["slug"] == [item.slug_ko]
    assert preview(client, item, "ko", token=query["token"][0]).status_code == 200


def test_no_preview_link_without_a_template(demo, settings):
    settings.PREVIEW_URL_TEMPLATE = ""
    assert preview_url(Article.objects.get(), "ko") is None


# What tests/api/test_errors.py and test_http.py check of every other route.


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_every_method_but_get_and_head_is_a_json_405(demo, client, method):
    item = FAQItem.objects.order_by("pk").first()
    path = (
        f"/api/v1/preview/faq_item/{item.pk}/?locale=en&token={make_token(item, 'en')}"
    )

    response = getattr(client, method)(path)

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "HEAD"}


@pytest.mark.parametrize(
    ("query", "code"),
    [("nope=1", "unknown_parameter"), ("locale=EN", "invalid_locale")],
)
def test_an_unknown_parameter_or_locale_is_a_400_before_the_token(
    demo, client, query, code
):
    item = FAQItem.objects.order_by("pk").first()
    token = make_token(item, "en")

    response = client.get(f"/api/v1/preview/faq_item/{item.pk}/?{query}&token={token}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize("code", ["en", "ko", "ja", "zh-hans"])
def test_a_preview_says_its_language_and_sets_no_cookie(demo, client, code):
    item = FAQItem.objects.order_by("pk").first()

    response = preview(client, item, code)

    assert response.status_code == 200
    assert response["Content-Language"] == {"zh-hans": "zh-Hans"}.get(code, code)
    assert "Set-Cookie" not in response
    assert not response.cookies
