"""The demo content through the public API, language by language: the article is
published in en, ko and ja only, the FAQ and the cause types in zh-hans too (see
``clinic/demo.py``). No language shows another's text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from content.models import (
    Aftercare,
    Article,
    CauseType,
    ClinicProfile,
    Comparison,
    ItemList,
    Method,
)
from faq.models import FAQCategory, FAQItem
from richtext import plain_text

CODES = ("en", "ko", "ja", "zh-hans")
# The BCP 47 tags, written out rather than computed by the code under test.
TAGS = {"en": "en", "ko": "ko", "ja": "ja", "zh-hans": "zh-Hans"}
SLUG_COLUMNS = {code: "slug_" + code.replace("-", "_") for code in CODES}

ARTICLE_SLUGS = {
    "en": "mouth-corner-asymmetry",
    "ko": "입꼬리-비대칭",
    "ja": "口角の非対称",
}

# Sitemap types → models whose objects carry their own published languages.
PUBLISHABLE = {
    "article": Article,
    "cause_type": CauseType,
    "method": Method,
    "comparison": Comparison,
    "aftercare": Aftercare,
    "item_list": ItemList,
    "faq_item": FAQItem,
}

# Values that are the same in every language by nature: codes, slugs, times, URLs and
# schema.org vocabulary. Everything else is text a reader reads.
MACHINE_KEYS = {
    "locale",
    "hreflang",
    "slug",
    "alternates",
    "kind",
    "procedure_type",
    "key",
    "updated_at",
    "published_at",
    "last_reviewed",
    "url",
    "@context",
    "@type",
    "@id",
    "procedureType",
    "inLanguage",
    "datePublished",
    "dateModified",
    "lastReviewed",
    # Images: media types, placeholders, Open Graph's machine values.
    "type",
    "color",
    "data_url",
    "secure_url",
    "locale_alternate",
    "published_time",
    "modified_time",
}
# Proper names that are not translated (none: the reviewing physician is written
# per language).
PROPER_NAMES: set[str] = set()
# Shorter shared strings are names and terms ("FAQ", "Botox", "4S").
MAX_SHARED_LENGTH = 12

HANGUL_OR_KANA = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\uac00-\ud7af]")


def texts(node, key: str | None = None) -> Iterator[str]:
    """Every reader-facing text in a response body, as plain text."""
    if key in MACHINE_KEYS:
        return
    if isinstance(node, dict):
        for name, value in node.items():
            yield from texts(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value, key)
    elif isinstance(node, str) and node not in PROPER_NAMES:
        yield plain_text(node)


def fragments(text: str) -> Iterator[str]:
    """The text and each of its sentences and clauses."""
    yield text
    yield from re.split(r"(?<=[.!?:;,—])\s+|\n", text)


def published_languages(obj) -> list[str]:
    return [code for code in CODES if obj.is_visible(code)]


def expected_alternates(obj, codes: list[str]) -> dict:
    languages = [
        {
            "locale": code,
            "hreflang": TAGS[code],
            "slug": getattr(obj, SLUG_COLUMNS[code]),
        }
        for code in codes
    ]
    return {"languages": languages, "x_default": languages[0]}


def not_found_in(code: str) -> dict:
    return {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": f"Nothing is published at this address in {code}.",
            "details": {},
        }
    }


# Simplified Chinese: the FAQ and the cause types, not the article.


def test_demo_article_list_is_empty_in_simplified_chinese(demo, api):
    response = api("/api/v1/articles/", locale="zh-hans")

    assert response.status == 200
    assert response.body == {
        "count": 0,
        "page": 1,
        "pages": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize("slug_language", ["en", "ko", "ja"])
def test_demo_article_is_not_found_in_simplified_chinese_by_any_slug(
    demo, api, slug_language
):
    response = api(
        f"/api/v1/articles/{ARTICLE_SLUGS[slug_language]}/", locale="zh-hans"
    )

    assert response.status == 404
    # Plain not_found: no other language's address to redirect to.
    assert response.body == not_found_in("zh-hans")


def test_demo_sitemap_in_simplified_chinese_has_no_article(demo, api):
    chinese = api("/api/v1/sitemap/", locale="zh-hans", page_size=100).body
    english = api("/api/v1/sitemap/", locale="en", page_size=100).body

    assert "article" in {entry["type"] for entry in english["results"]}
    assert {entry["type"] for entry in chinese["results"]} == {
        "cause_type",
        "faq_item",
        "faq_category",
    }
    assert chinese["count"] == (
        CauseType.objects.published("zh-hans").count()
        + FAQItem.objects.published("zh-hans").count()
        + FAQCategory.objects.filter(items__in=FAQItem.objects.published("zh-hans"))
        .distinct()
        .count()
    )
    only_articles = api("/api/v1/sitemap/", locale="zh-hans", type="article")
    assert only_articles.body["count"] == 0
    assert only_articles.body["results"] == []


def test_demo_faq_items_are_present_in_simplified_chinese_without_hidden_links(
    demo, api
):
    expected = FAQItem.objects.published("zh-hans").order_by("position", "pk")
    page = api("/api/v1/faq-items/", locale="zh-hans").body

    assert page["count"] == expected.count() > 0
    assert [item["slug"] for item in page["results"]] == [
        item.slug_zh_hans for item in expected
    ]
    for item in expected:
        detail = api(f"/api/v1/faq-items/{item.slug_zh_hans}/", locale="zh-hans")
        assert detail.status == 200
        assert detail.body["locale"] == "zh-hans"
        assert detail.body["question"] == item.question_zh_hans
        # The article and the methods are not published in zh-hans: no reference
        # to them, although the items are linked to them.
        assert detail.body["articles"] == []
        assert detail.body["methods"] == []
    assert FAQItem.objects.filter(articles__isnull=False).exists()
    assert FAQItem.objects.filter(methods__isnull=False).exists()


def test_demo_cause_types_are_present_in_simplified_chinese_without_methods(demo, api):
    expected = CauseType.objects.published("zh-hans").order_by("position", "pk")
    page = api("/api/v1/cause-types/", locale="zh-hans").body

    assert page["count"] == expected.count() > 0
    assert [row["slug"] for row in page["results"]] == [
        cause_type.slug_zh_hans for cause_type in expected
    ]
    for cause_type in expected:
        detail = api(
            f"/api/v1/cause-types/{cause_type.slug_zh_hans}/", locale="zh-hans"
        )
        assert detail.status == 200
        assert detail.body["name"] == cause_type.name_zh_hans
        assert detail.body["methods"] == []
    assert CauseType.objects.filter(methods__isnull=False).exists()


# English, Korean and Japanese: the whole article, each in its own language.


@pytest.mark.parametrize("code", ["en", "ko", "ja"])
def test_demo_article_detail_is_served_in_each_of_its_languages(demo, api, code):
    article = Article.objects.get()
    response = api(f"/api/v1/articles/{ARTICLE_SLUGS[code]}/", locale=code)

    assert response.status == 200
    assert response["Content-Language"] == TAGS[code]
    assert response.body["locale"] == code
    assert response.body["slug"] == getattr(article, SLUG_COLUMNS[code])
    assert response.body["title"] == getattr(article, f"title_{code}")
    assert response.body["alternates"] == expected_alternates(
        article, ["en", "ko", "ja"]
    )


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_demo_article_in_korean_and_japanese_has_no_english_text(demo, api, code):
    english = api(f"/api/v1/articles/{ARTICLE_SLUGS['en']}/").body
    body = api(f"/api/v1/articles/{ARTICLE_SLUGS[code]}/", locale=code).body
    haystack = "\n".join(texts(body))
    english_texts = {
        fragment.strip()
        for text in texts(english)
        for fragment in fragments(text)
        if len(fragment.strip()) > MAX_SHARED_LENGTH
    }

    # The English article has plenty of text to leak: headings, paragraphs, the
    # comparison, the aftercare, the FAQ and the structured data.
    assert len(english_texts) > 100
    assert english["title"] in english_texts
    leaked = sorted(text for text in english_texts if text in haystack)
    assert leaked == []


def test_demo_article_in_english_has_no_korean_or_japanese_text(demo, api):
    body = api(f"/api/v1/articles/{ARTICLE_SLUGS['en']}/").body
    korean = api(f"/api/v1/articles/{ARTICLE_SLUGS['ko']}/", locale="ko").body

    assert any(HANGUL_OR_KANA.search(text) for text in texts(korean))
    assert [text for text in texts(body) if HANGUL_OR_KANA.search(text)] == []


# Headers, counts and alternates.


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(
    "path", ["/api/v1/articles/", "/api/v1/faq-items/", "/api/v1/sitemap/"]
)
def test_content_language_is_the_bcp47_tag_of_the_locale(demo, api, code, path):
    response = api(path, locale=code)

    assert response.status == 200
    assert response["Content-Language"] == TAGS[code]


def test_locales_count_what_is_really_published_in_each_language(demo, api):
    def published(code: str) -> dict[str, int]:
        items = FAQItem.objects.published(code)
        return {
            "articles": Article.objects.published(code).count(),
            "cause_types": CauseType.objects.published(code).count(),
            "methods": Method.objects.published(code).count(),
            "comparisons": Comparison.objects.published(code).count(),
            "aftercare": Aftercare.objects.published(code).count(),
            "item_lists": ItemList.objects.published(code).count(),
            "faq_items": items.count(),
            "clinic_profile": ClinicProfile.objects.published(code).count(),
            "faq_categories": FAQCategory.objects.filter(items__in=items)
            .distinct()
            .count(),
        }

    expected = {code: published(code) for code in CODES}
    response = api("/api/v1/locales/")

    # The demo's shape: everything in en, ko and ja; zh-hans has no article.
    assert expected["en"] == expected["ko"] == expected["ja"]
    assert expected["en"]["articles"] == 1
    assert expected["zh-hans"]["articles"] == 0
    assert expected["zh-hans"]["faq_items"] == expected["en"]["faq_items"] > 0
    assert response.status == 200
    assert response.body == [
        {
            "code": "en",
            "name": "English",
            "native_name": "English",
            "hreflang": "en",
            "default": True,
            "published": expected["en"],
        },
        {
            "code": "ko",
            "name": "Korean",
            "native_name": "한국어",
            "hreflang": "ko",
            "default": False,
            "published": expected["ko"],
        },
        {
            "code": "ja",
            "name": "Japanese",
            "native_name": "日本語",
            "hreflang": "ja",
            "default": False,
            "published": expected["ja"],
        },
        {
            "code": "zh-hans",
            "name": "Simplified Chinese",
            "native_name": "简体中文",
            "hreflang": "zh-Hans",
            "default": False,
            "published": expected["zh-hans"],
        },
    ]


@pytest.mark.parametrize("code", CODES)
def test_sitemap_alternates_list_only_published_languages_with_english_default(
    demo, api, code
):
    body = api("/api/v1/sitemap/", locale=code, page_size=100).body
    slug = SLUG_COLUMNS[code]

    assert body["count"] == len(body["results"]) > 0
    for entry in body["results"]:
        if entry["type"] == "faq_category":
            category = FAQCategory.objects.get(**{slug: entry["slug"]})
            obj = category
            codes = [
                c
                for c in CODES
                if FAQItem.objects.published(c).filter(category=category).exists()
            ]
        else:
            obj = PUBLISHABLE[entry["type"]].objects.get(**{slug: entry["slug"]})
            codes = published_languages(obj)
        assert entry["alternates"] == expected_alternates(obj, codes), entry
        assert entry["alternates"]["x_default"]["locale"] == "en"
