"""Rich text is safe twice: an XSS corpus written through the admin's change forms
and through the ORM (save, bulk_create, update, bulk_update, and expressions that
bypass the field) never comes out of the public API executable; safe content is
kept byte for byte; sanitizing is idempotent (richtext/__init__.py)."""

from __future__ import annotations

import re

import pytest
from django.db.models import Value
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from modeltranslation.fields import TranslationField

from content.models import (
    Aftercare,
    Article,
    ArticleBlock,
    CauseType,
    ClinicProfile,
    Comparison,
)
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES, column
from publication.models import PublishedVersion
from richtext import RichTextField, is_empty, sanitize
from tests.admin.conftest import read_form
from tests.conftest import fresh
from tests.factories import FAQItemFactory, publish
from tests.security.payloads import (
    RICH_TEXT,
    SAFE_RICH_TEXT,
    executable_constructs,
    executable_in_json,
)

PAYLOADS = list(RICH_TEXT.values())
RICH_MODELS = [FAQItem, ArticleBlock, CauseType, Comparison, Aftercare, ClinicProfile]
# What publishes them: an article its blocks, each other one itself.
PUBLISHED_ROOTS = [Article, FAQItem, CauseType, Comparison, Aftercare, ClinicProfile]


def rich_fields(model) -> list[str]:
    """The rich-text columns of ``model``, every language."""
    return [
        column(field.name, code)
        for field in model._meta.get_fields()
        if isinstance(field, RichTextField) and not isinstance(field, TranslationField)
        for code in LANGUAGE_CODES
    ]


# A NUL character is refused by Django's forms and by PostgreSQL: those payloads go
# only where the sanitizer runs before the database (which removes it).
EVERY = list(range(len(PAYLOADS)))
STORABLE = [n for n in EVERY if "\x00" not in PAYLOADS[n]]


def marked(n: int, *, storable: bool = False) -> str:
    """The ``n``-th payload (cycling) after a visible paragraph that names it, so an
    object stays complete (publishable) and the served text shows which payload it
    carried."""
    indices = STORABLE if storable else EVERY
    index = indices[n % len(indices)]
    return f"<p>Payload {index:03d}</p>{PAYLOADS[index]}"


# The checker.


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<p onclick="x()">Hi</p>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href=" java\nscript:alert(1)">x</a>',
        '<a href="DATA:text/html,x">x</a>',
        '<a href="vbscript:x">x</a>',
        '<p style="color:red">x</p>',
        "<style>p{}</style>",
        "<svg></svg>",
        "<math></math>",
        '<iframe src="https://x.example/"></iframe>',
        "<object></object>",
        "<embed>",
        "<form></form>",
    ],
)
def test_the_checker_flags_executable_html(html):
    assert executable_constructs(html)


@pytest.mark.parametrize("html", SAFE_RICH_TEXT.values(), ids=SAFE_RICH_TEXT.keys())
def test_the_checker_accepts_safe_html(html):
    assert executable_constructs(html) == []


# The sanitizer on the corpus.


@pytest.mark.parametrize("html", RICH_TEXT.values(), ids=RICH_TEXT.keys())
def test_sanitized_payload_is_harmless_and_stable(html):
    once = sanitize(html)

    assert executable_constructs(once) == []
    assert sanitize(once) == once


@pytest.mark.parametrize("html", SAFE_RICH_TEXT.values(), ids=SAFE_RICH_TEXT.keys())
def test_safe_rich_text_is_kept_byte_for_byte(html):
    assert sanitize(html) == html


def test_list_numbers_are_only_numbers():
    assert sanitize('<ol start="4"><li>Four</li></ol>') == (
        '<ol start="4"><li>Four</li></ol>'
    )
    assert sanitize('<ol start="x onmouseover=y"><li>x</li></ol>') == (
        "<ol><li>x</li></ol>"
    )


@pytest.mark.parametrize(
    "html", ["<p>\u200b</p>", "<p>&#8203;</p>", "<p>\ufeff<br></p>", "<p>\u2060 </p>"]
)
def test_a_paragraph_of_zero_width_characters_is_empty(html):
    assert sanitize(html) == ""
    assert is_empty(html)


def test_an_emoji_joined_with_zero_width_joiners_is_content():
    html = "<p>👩\u200d⚕️</p>"

    assert sanitize(html) == html
    assert not is_empty(html)


# Properties.

FRAGMENTS = [
    *PAYLOADS, *SAFE_RICH_TEXT.values(), "<p>", "</p>", "<a href='", "'>", "</a>",
    "<ol start=", "<li>", "<br>", "&nbsp;", "&#x09;", "&#106;", "javascript:", "<",
    ">", '"', "'", "=", "/", "\t", "\n", "<!--", "-->", "<svg>", "<math>", "<style>",
    "<noscript>", "<template>", "입꼬리", "📍", " ",
]  # fmt: skip
soups = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=12
).map("".join)
PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(soups)
def test_sanitize_is_idempotent_on_any_markup(html):
    once = sanitize(html)

    assert sanitize(once) == once


@PROPERTY
@given(soups)
def test_sanitized_markup_never_has_an_executable_construct(html):
    assert executable_constructs(sanitize(html)) == []


EMPTY_PIECES = ["<p></p>", "<p><br></p>", "<p><br/></p>", "<p>&nbsp;</p>", "<br>"]
empty_editor_content = st.lists(
    st.one_of(
        st.sampled_from(EMPTY_PIECES),
        st.text(alphabet=" \t\n\r\u00a0\u200b", max_size=4),
        st.text(alphabet=" \t\n\u00a0", max_size=3).map(lambda s: f"<p>{s}</p>"),
    ),
    max_size=6,
).map("".join)


@PROPERTY
@given(empty_editor_content)
def test_empty_editor_paragraphs_count_as_empty(html):
    assert sanitize(html) == ""
    assert is_empty(html)


# The ORM: every write path stores sanitized text.


@pytest.mark.django_db
def test_save_stores_every_payload_harmless():
    # Payloads without a NUL character, which PostgreSQL refuses in a text column.
    items = [
        FAQItemFactory(answer_en=marked(n, storable=True)) for n in range(len(STORABLE))
    ]

    for n, item in enumerate(items):
        stored = fresh(item).answer_en
        assert stored == sanitize(marked(n, storable=True))
        assert executable_constructs(stored) == []


@pytest.mark.django_db
def test_faq_search_text_holds_only_what_the_answer_shows():
    item = FAQItemFactory(answer_en="<p>Shown</p><script>hiddenword()</script>")

    assert "hiddenword" not in fresh(item).search_text_en


@pytest.mark.django_db
def test_bulk_create_stores_every_payload_harmless():
    category = FAQItemFactory().category
    FAQItem.objects.bulk_create(
        FAQItem(
            category=category,
            position=100 + n,
            question_en=f"Bulk payload {n}?",
            answer_en=marked(n),
            answer_ko=marked(n + 1),
        )
        for n in range(len(PAYLOADS))
    )

    # Only these rows: factory items made earlier in the session may sit at any
    # position.
    rows = FAQItem.objects.filter(
        category=category, question_en__startswith="Bulk payload "
    ).order_by("position")
    assert len(rows) == len(PAYLOADS)
    for n, row in enumerate(rows):
        assert row.answer_en == sanitize(marked(n))
        assert row.answer_ko == sanitize(marked(n + 1))


@pytest.mark.django_db
def test_queryset_update_stores_every_payload_harmless():
    items = [FAQItemFactory() for _ in range(3)]

    for n in range(len(PAYLOADS)):
        FAQItem.objects.filter(pk=items[n % 3].pk).update(
            answer_en=marked(n), answer_zh_hans=marked(n)
        )
        stored = fresh(items[n % 3])
        assert stored.answer_en == stored.answer_zh_hans == sanitize(marked(n))


@pytest.mark.django_db
def test_bulk_update_stores_every_payload_harmless():
    items = [FAQItemFactory() for _ in range(len(PAYLOADS))]
    for n, item in enumerate(items):
        item.answer_ja = marked(n)

    FAQItem.objects.bulk_update(items, ["answer_ja"])

    for n, item in enumerate(items):
        assert fresh(item).answer_ja == sanitize(marked(n))


# The public API.

HAS_DETAIL = [
    "article-list", "causetype-list", "method-list", "comparison-list",
    "aftercare-list", "itemlist-list", "faqitem-list", "faqcategory-list",
]  # fmt: skip


def api_documents(client) -> dict[str, object]:
    """Every public response that can show rich text, in every language: each list,
    each detail of what is listed, the FAQ with structured data and the clinic."""
    documents = {}

    def get(url, **params):
        response = client.get(url, params)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, (url, params, response.content[:300])
        documents[f"{url}?{params}"] = data = response.json()
        return data

    for code in LANGUAGE_CODES:
        for name in HAS_DETAIL:
            url = reverse(name)
            listing = get(url, locale=code, page_size=100)
            for entry in listing["results"]:
                get(f"{url}{entry['slug']}/", locale=code)
        get(
            reverse("faqitem-list"),
            locale=code,
            page_size=100,
            structured_data="true",
        )
        get(reverse("clinic-profile"), locale=code)
    return documents


def served_problems(client) -> tuple[list[str], str]:
    documents = api_documents(client)
    problems = [
        f"{url}: {found}"
        for url, data in documents.items()
        for found in executable_in_json(data)
    ]
    return problems, repr(documents)


def shown_payloads(served: str) -> set[int]:
    return {int(n) for n in re.findall(r"Payload (\d{3})", served)}


def rich_cells() -> list[tuple[type, int, str]]:
    """Every rich-text column of every demo object."""
    return [
        (model, pk, name)
        for model in RICH_MODELS
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)
        for name in rich_fields(model)
    ]


def test_the_api_checker_finds_executable_rich_text_in_a_served_document(demo, client):
    # The guard of the tests below: a served document with an executable answer,
    # body or description is flagged, and the crawl reaches those fields.
    documents = api_documents(client)
    faq = documents[f"{reverse('faqitem-list')}?{{'locale': 'en', 'page_size': 100}}"]
    article = next(
        d for url, d in documents.items() if "/articles/" in url and "blocks" in d
    )
    assert executable_in_json(faq) == executable_in_json(article) == []

    faq["results"][0]["answer"] += '<a href="jav&#x09;ascript:alert(1)">x</a>'
    article["blocks"][0]["body"] += "<script>alert(1)</script>"

    assert executable_in_json(faq) == ["<a href='jav\\tascript:alert(1)'>"]
    assert executable_in_json(article) == ["<script>"]


def publish_everything() -> None:
    """Publish the working copy of every object that shows rich text again, in the
    languages it is published in: what was written reaches the API only so
    (docs/publishing.md)."""
    for model in PUBLISHED_ROOTS:
        for obj in model._default_manager.order_by("pk"):
            publish(obj, codes=tuple(obj.published_languages))


def test_rows_written_around_the_model_are_sanitized_on_output(demo, client):
    # An expression (like raw SQL or another program writing the table) bypasses
    # the field: the payload is stored as written, then published, and the API
    # serves nothing of it executable.
    cells = rich_cells()
    for n, (model, pk, name) in enumerate(cells):
        model._default_manager.filter(pk=pk).update(
            **{name: Value(marked(n, storable=True))}
        )
    stored = FAQItem.objects.values_list("answer_en", flat=True).first()
    assert executable_constructs(stored), "the expression was sanitized on write"
    publish_everything()

    problems, served = served_problems(client)

    assert problems == []
    assert shown_payloads(served) == set(STORABLE)


def rich_texts_of(version: PublishedVersion) -> list[tuple[dict, str]]:
    """(values, name) of every rich text in a published version's snapshot: the
    object's own and its parts'."""
    model = version.content_type.model_class()
    parts = model._default_manager.get(pk=version.object_id).snapshot_parts()
    rows = [(version.data["object"], model)] + [
        (row, parts[name].model)
        for name, part_rows in version.data["parts"].items()
        for row in part_rows
    ]
    return [
        (values, field.name)
        for values, owner in rows
        for field in owner._meta.get_fields()
        if isinstance(field, RichTextField) and not isinstance(field, TranslationField)
    ]


def test_published_versions_written_around_the_model_are_sanitized_on_output(
    demo, client
):
    # The table the API reads, written by another program: no field sanitizes the
    # snapshot on its way in, so the API must on its way out.
    n = 0
    for version in PublishedVersion.objects.order_by("pk"):
        for values, name in rich_texts_of(version):
            values[name] = marked(n, storable=True)
            n += 1
        PublishedVersion.objects.filter(pk=version.pk).update(data=version.data)
    assert n >= len(STORABLE)  # every payload is in a published version
    stored = [
        values[name]
        for version in PublishedVersion.objects.all()
        for values, name in rich_texts_of(version)
    ]
    assert any(executable_constructs(value) for value in stored)

    problems, served = served_problems(client)

    assert problems == []
    assert shown_payloads(served) == set(STORABLE)


def test_queryset_update_with_values_is_sanitized_before_it_is_stored(demo, client):
    cells = rich_cells()
    for n, (model, pk, name) in enumerate(cells):
        model._default_manager.filter(pk=pk).update(**{name: marked(n)})

    for n, (model, pk, name) in enumerate(cells):
        stored = model._default_manager.values_list(name, flat=True).get(pk=pk)
        assert stored == sanitize(marked(n)), (model, name)
    publish_everything()
    problems, served = served_problems(client)
    assert problems == []
    assert shown_payloads(served) == set(range(len(PAYLOADS)))


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def panel_url(obj) -> str:
    """The change page's publication panel (publication/admin.py)."""
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_publication", args=[obj.pk]
    )


def test_payloads_posted_through_the_admin_change_forms_never_reach_the_api(
    demo, admin_client
):
    article = Article.objects.get()
    n = 0
    objects = [
        article,
        *FAQItem.objects.all(),
        *CauseType.objects.all(),
        Comparison.objects.get(),
        Aftercare.objects.get(),
        ClinicProfile.objects.get(),
    ]
    for obj in objects:
        form_id = f"{obj._meta.model_name}_form"
        data = read_form(admin_client.get(change_url(obj)), form_id)
        names = (
            [f for f in data if f.startswith("blocks-") and "-body_" in f]
            if obj is article
            else rich_fields(type(obj))
        )
        for name in names:
            if "__prefix__" in name:
                continue
            data[name] = [marked(n, storable=True)]
            n += 1
        response = admin_client.post(change_url(obj), data)
        assert response.status_code == 302, (
            obj,
            response.context
            and [
                (f.formset.errors, f.formset.non_form_errors())
                for f in response.context["inline_admin_formsets"]
            ]
            + [response.context["adminform"].form.non_field_errors()],
        )
    assert n >= len(STORABLE)  # every payload went through a form

    for model in RICH_MODELS:
        for row in model._default_manager.values(*rich_fields(model)):
            for value in row.values():
                assert executable_constructs(value or "") == []
    # Saved, not yet published: then published from each change page's panel.
    for obj in objects:
        languages = fresh(obj).published_languages
        response = admin_client.post(panel_url(obj), {"languages": languages})
        assert response.status_code == 302, obj
    problems, served = served_problems(admin_client)
    assert problems == []
    assert shown_payloads(served) == set(STORABLE)


# The seed content.


def test_demo_rich_text_is_stored_byte_for_byte_as_sanitizing_leaves_it(demo):
    values = [
        value
        for model in RICH_MODELS
        for row in model._default_manager.values(*rich_fields(model))
        for value in row.values()
        if value
    ]
    assert len(values) > 50

    assert [v for v in values if sanitize(v) != v] == []
    assert [v for v in values if executable_constructs(v)] == []


def test_the_seed_articles_markup_survives_the_api_unchanged(demo, client):
    block = ArticleBlock.objects.exclude(body_en="").order_by("pk").first()
    article = block.article

    response = client.get(
        reverse("article-detail", args=[article.slug_en]), {"locale": "en"}
    )

    assert block.body_en in [b["body"] for b in response.json()["blocks"]]
