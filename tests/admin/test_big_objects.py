"""The largest realistic objects open and save in the admin: an article of 40 blocks
and a comparison of 6 methods × 12 criteria, in every language. Posted as a browser
posts them (urlencoded, every field as rendered), within Django's request limits as
configured, with query counts that do not grow with the number of blocks, cells or
rows; and a validation error on one language's tab loses nothing typed on the
others."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import Article, ArticleBlock
from publication.languages import LANGUAGE_CODES
from publication.models import deferred_completeness
from tests.conftest import fresh
from tests.factories import ArticleBlockFactory, ArticleFactory, comparison_grid

URLENCODED = "application/x-www-form-urlencoded"

# Queries to open and to save, measured (SQLite and PostgreSQL alike); the same
# whatever the size: sessions, user and permissions included. Opening includes
# the latest version's id (the form's token), saving the row lock and the reading
# of each inline's rows for the check against a stale form (publication.conflicts).
# A save also stores what changed since published: the object's versions read, and
# its snapshot's parts (one query per kind), on the save and on each refresh.
# Opening one reads its published versions too (the publication panel's states),
# and its outdated translations (publication.outdated); a save that changes a
# translated text records its sources (up to three writes, once per form).
# An article reads the images it shows with its parts (one query more).
ARTICLE_OPEN = 18
ARTICLE_SAVE = 60  # the article and one block edited in every language
COMPARISON_OPEN = 16
COMPARISON_SAVE = 49
GRID_OPEN = 7
# The method and the comparison that show it refreshed (the method's images read
# with its parts: two queries more).
GRID_SAVE_ONE_CELL = 48
# A row left as it was costs nothing. A changed block costs 5: its one check
# constraint (a query in a savepoint: 3), its lookup by id and its UPDATE.
PER_CHANGED_BLOCK = 5
# Every cell of a 6 × 12 grid changed: about 2.4 queries a cell (its UPDATE and
# the comparisons that show it), whatever else the grid holds, and what changed
# since published stored again for each of the 7 objects refreshed (23), and the
# sources of the translations written (3, for all the cells at once), and the
# images of the 6 methods read on their refresh (12).
GRID_SAVE_EVERY_CELL = 246


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def grid_url(obj, code: str) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_grid", args=[obj.pk])
    return f"{url}?lang={code}"


def post(client, url: str, data: dict[str, list[str]]):
    """Post as a browser posts a form with no file field: urlencoded."""
    return client.post(url, urlencode(data, doseq=True), content_type=URLENCODED)


def counted(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


def fields_in(data: dict[str, list[str]]) -> int:
    return sum(len(values) for values in data.values())


def big_article(blocks: int) -> Article:
    """An article of ``blocks`` text blocks written in every language with the
    demo article's own texts (its longest ones come round every few blocks),
    published in every language."""
    demo = list(
        Article.objects.order_by("pk")
        .first()
        .blocks.filter(kind__in=["text", "callout"])
        .exclude(body_en="")
    )
    with deferred_completeness():
        article = ArticleFactory(
            title_zh_hans="嘴角不对称", summary_zh_hans="照镜子没事，拍照却歪向一边。"
        )
        for n in range(blocks):
            source = demo[n % len(demo)]
            ArticleBlockFactory(
                article=article,
                position=n + 1,
                kind=source.kind,
                heading_en=source.heading_en or f"Heading {n}",
                heading_ko=source.heading_ko or f"제목 {n}",
                heading_ja=source.heading_ja or f"見出し {n}",
                heading_zh_hans=source.heading_ja or f"标题 {n}",
                body_en=source.body_en,
                body_ko=source.body_ko,
                body_ja=source.body_ja,
                # Chinese text as long as the Japanese (the demo has none).
                body_zh_hans=source.body_ja,
            )
    for code in LANGUAGE_CODES:
        article.publish(code)
    return fresh(article)


def open_and_edit(client, form_reader, article: Article):
    """Open the change page; the form data with the title and one block edited in
    every language."""
    response, opened = counted(lambda: client.get(change_url(article)))
    assert response.status_code == 200
    data = form_reader(response, "article_form")
    for code in LANGUAGE_CODES:
        suffix = code.replace("-", "_")
        data[f"title_{suffix}"] = [data[f"title_{suffix}"][0] + " (2)"]
        data[f"blocks-3-heading_{suffix}"] = [f"A new heading ({code})"]
    return data, opened


@pytest.fixture
def article(demo) -> Article:
    return big_article(40)


def test_a_40_block_article_in_every_language_fits_the_request_limits(
    admin_client, form_reader, article
):
    page = admin_client.get(change_url(article))
    data = form_reader(page, "article_form")
    body = urlencode(data, doseq=True).encode()

    # A browser posts it urlencoded (no file field): Korean, Japanese and Chinese
    # text is percent-encoded, 9 bytes a character.
    assert 'enctype="multipart/form-data"' not in page.content.decode()
    assert data["blocks-TOTAL_FORMS"] == ["40"]
    # Over Django's default of 1,000 fields, under a quarter of the limit set.
    assert 1000 < fields_in(data) <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS // 4
    # Under a quarter of the body limit (Django's 2.5 MB).
    assert len(body) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 4

    response = post(admin_client, change_url(article), data)

    assert response.status_code == 302


def test_the_article_would_be_refused_with_django_default_field_limit(
    admin_client, form_reader, article, settings
):
    data = form_reader(admin_client.get(change_url(article)), "article_form")
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

    response = post(admin_client, change_url(article), data)

    assert response.status_code == 400


def test_opening_and_saving_an_article_costs_the_same_queries_for_10_or_40_blocks(
    admin_client, form_reader, demo
):
    # One save first fills the per-process caches (the content types a version
    # and the change form's check look up), whichever article is measured first.
    warm_up = big_article(5)
    data, _opened = open_and_edit(admin_client, form_reader, warm_up)
    assert post(admin_client, change_url(warm_up), data).status_code == 302
    counts = {}
    for blocks in (10, 40):
        article = big_article(blocks)
        data, opened = open_and_edit(admin_client, form_reader, article)
        response, saved = counted(
            lambda article=article, data=data: post(
                admin_client, change_url(article), data
            )
        )
        assert response.status_code == 302
        block = article.blocks.get(position=4)
        assert block.heading_ko == "A new heading (ko)"
        assert fresh(article).title_zh_hans == "嘴角不对称 (2)"
        counts[blocks] = (opened, saved)

    assert counts[10] == counts[40]
    assert counts[40][0] <= ARTICLE_OPEN
    assert counts[40][1] <= ARTICLE_SAVE


def test_rewriting_every_block_costs_a_bounded_number_of_queries_per_block(
    admin_client, form_reader, article
):
    data, _opened = open_and_edit(admin_client, form_reader, article)
    for index in range(40):
        data[f"blocks-{index}-heading_ja"] = [f"見出し {index}（改訂）"]

    response, saved = counted(lambda: post(admin_client, change_url(article), data))

    assert response.status_code == 302
    # Block 4 is edited in ARTICLE_SAVE already.
    assert saved <= ARTICLE_SAVE + PER_CHANGED_BLOCK * 39
    assert list(
        article.blocks.order_by("position").values_list("heading_ja", flat=True)
    ) == [f"見出し {index}（改訂）" for index in range(40)]


# A comparison of 6 methods × 12 criteria.


@pytest.fixture
def grids(db):
    """A 2 × 2 and a 6 × 12 comparison, published in en, ko and ja."""
    published = ("en", "ko", "ja")
    return {
        "small": comparison_grid(methods=2, criteria=2, published=published),
        "big": comparison_grid(methods=6, criteria=12, published=published),
    }


def test_a_6_by_12_comparison_opens_and_saves_like_a_2_by_2(
    admin_client, form_reader, grids
):
    counts = {}
    for size, grid in grids.items():
        url = change_url(grid.comparison)
        admin_client.get(url)
        response, opened = counted(lambda url=url: admin_client.get(url))
        data = form_reader(response, "comparison_form")
        data["title_en"] = ["Warming up (the first save fills per-process caches)"]
        assert post(admin_client, url, data).status_code == 302
        # The form as it is after that save: the one posted is stale now.
        data = form_reader(admin_client.get(url), "comparison_form")
        for code in LANGUAGE_CODES:
            suffix = code.replace("-", "_")
            data[f"title_{suffix}"] = [f"Which method? ({size}, {code})"]
        response, saved = counted(
            lambda url=url, data=data: post(admin_client, url, data)
        )
        assert response.status_code == 302
        assert fresh(grid.comparison).title_zh_hans == (
            f"Which method? ({size}, zh-hans)"
        )
        counts[size] = (opened, saved, fields_in(data))

    assert counts["big"][:2] == counts["small"][:2]
    assert counts["big"][0] <= COMPARISON_OPEN
    assert counts["big"][1] <= COMPARISON_SAVE
    assert counts["big"][2] <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS // 4


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_every_cell_of_a_6_by_12_grid_saves_in_every_language(
    admin_client, form_reader, grids, code
):
    big = grids["big"]
    # One grid save first fills the per-process caches (content types).
    small = grids["small"].comparison
    warm_up = form_reader(admin_client.get(grid_url(small, code)), "grid-form")
    name = next(iter(warm_up))
    warm_up[name] = [f"{warm_up[name][0]} (warm-up)"]
    assert post(admin_client, grid_url(small, code), warm_up).status_code == 302
    opened = {}
    for size, grid in grids.items():
        admin_client.get(grid_url(grid.comparison, code))
        _response, opened[size] = counted(
            lambda grid=grid: admin_client.get(grid_url(grid.comparison, code))
        )
    one_cell = form_reader(
        admin_client.get(grid_url(big.comparison, code)), "grid-form"
    )
    first = next(iter(one_cell))
    one_cell[first] = [f"{one_cell[first][0]} (edited)"]
    response, one_saved = counted(
        lambda: post(admin_client, grid_url(big.comparison, code), one_cell)
    )
    assert response.status_code == 302
    every_cell = form_reader(
        admin_client.get(grid_url(big.comparison, code)), "grid-form"
    )
    assert len(every_cell) == 72
    for name in every_cell:
        every_cell[name] = [f"Cell {name} ({code})"]

    response, all_saved = counted(
        lambda: post(admin_client, grid_url(big.comparison, code), every_cell)
    )

    assert response.status_code == 302
    suffix = code.replace("-", "_")
    texts = {getattr(fresh(fact), f"text_{suffix}") for fact in big.facts.values()}
    assert texts == {f"Cell {name} ({code})" for name in every_cell}
    assert opened["big"] == opened["small"] <= GRID_OPEN
    assert one_saved <= GRID_SAVE_ONE_CELL
    assert all_saved <= GRID_SAVE_EVERY_CELL


# A validation error on one language's tab.


@pytest.mark.parametrize(
    ("field", "invalid"),
    [
        ("seo_title_ja", "見" * 71),  # over 70 characters
        ("blocks-5-cta_url_ja", "not an address"),
    ],
)
def test_an_error_on_the_japanese_tab_keeps_what_was_typed_in_every_language(
    admin_client, form_reader, article, field, invalid
):
    data, _opened = open_and_edit(admin_client, form_reader, article)
    data["summary_en"] = ["A summary typed in English."]
    data["summary_ko"] = ["한국어로 입력한 요약."]
    data["summary_zh_hans"] = ["用中文输入的摘要。"]
    data["blocks-20-body_ko"] = ["<p>스무 번째 블록의 새 본문.</p>"]
    data["blocks-39-heading_zh_hans"] = ["最后一块的新标题"]
    data[field] = [invalid]

    response = post(admin_client, change_url(article), data)

    assert response.status_code == 200
    if field.startswith("blocks-"):
        [formset] = response.context["inline_admin_formsets"]
        assert formset.formset.forms[5].errors == {"cta_url_ja": ["Enter a valid URL."]}
    else:
        assert list(response.context["adminform"].form.errors) == [field]
    # Everything typed comes back as typed, in every language.
    assert form_reader(response, "article_form") == data
    stored = fresh(article)
    assert stored.title_ko == article.title_ko
    assert stored.summary_en == article.summary_en
    assert ArticleBlock.objects.get(article=article, position=4).heading_ko != (
        "A new heading (ko)"
    )
