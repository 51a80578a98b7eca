"""Rich text is sanitized on every save through the ORM (richtext/__init__.py)."""

from __future__ import annotations

import json
import random

import pytest
from django.utils import translation

from clinic.demo import DEMO_DIR
from richtext import is_empty, sanitize
from tests.conftest import fresh
from tests.factories import ArticleBlockFactory, CauseTypeFactory, FAQItemFactory

REL = 'rel="noopener noreferrer nofollow"'

DANGEROUS = {
    "script tag": ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
    "event handler": ('<p onclick="steal()">Hi</p>', "<p>Hi</p>"),
    "image with onerror": ('<p>Hi<img src=x onerror="alert(1)"></p>', "<p>Hi</p>"),
    "javascript link": (
        '<p><a href="javascript:alert(1)">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "mixed-case javascript link": (
        '<p><a href="JaVaScRiPt:alert(1)">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "tab entity inside javascript": (
        '<p><a href="jav&#x09;ascript:alert(1)">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "raw tab inside javascript": (
        '<p><a href="jav\tascript:alert(1)">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "entity-encoded javascript": (
        '<p><a href="&#106;avascript:alert(1)">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "leading space before javascript": (
        '<p><a href=" javascript:alert(1)">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "data url": (
        '<p><a href="data:text/html;base64,PHNjcmlwdD4=">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "vbscript link": (
        '<p><a href="vbscript:msgbox(1)">Hi</a></p>',
        "<p>Hi</p>",
    ),
    "iframe": ('<p>Hi</p><iframe src="https://evil.example/"></iframe>', "<p>Hi</p>"),
    "object": (
        '<p>Hi</p><object data="https://evil.example/x.swf"></object>',
        "<p>Hi</p>",
    ),
    "embed": ('<p>Hi</p><embed src="https://evil.example/x.swf">', "<p>Hi</p>"),
    "style element": ("<style>p{display:none}</style><p>Hi</p>", "<p>Hi</p>"),
    "style attribute": ('<p style="position:fixed">Hi</p>', "<p>Hi</p>"),
    "svg with script": ("<p>Hi</p><svg><script>alert(1)</script></svg>", "<p>Hi</p>"),
    "form": ('<form action="https://evil.example/"><p>Hi</p></form>', "<p>Hi</p>"),
}

SAFE = {
    "emoji": "<p>📍 Bottom line: 💬 ✅ 📲 🏥</p>",
    "bullet list": "<ul><li>✅ One</li><li>✅ Two</li></ul>",
    "numbered list": '<ol start="3"><li>Three</li><li>Four</li></ol>',
    "headings": "<h2>Causes</h2><h3>Muscular type</h3><h4>Habit</h4>",
    "emphasis": "<p><strong>Bottom line</strong> and <em>honestly</em></p>",
    "line break": "<p>One<br>Two</p>",
    "blockquote": "<blockquote><p>To make people smile.</p></blockquote>",
    "entities": "<p>Lip &amp; mouth, 3–6 months &lt;varies&gt;</p>",
}

LINKS = {
    "https": "https://drtak.example/#chat",
    "http": "http://drtak.example/",
    "mailto": "mailto:hello@drtak.example",
    "tel": "tel:+82-2-123-4567",
}

EMPTY = ["<p></p>", "<p><br></p>", "<p>&nbsp;</p>", "<p> </p>\n<p><br/></p>", " "]


@pytest.mark.django_db
@pytest.mark.parametrize(("html", "expected"), DANGEROUS.values(), ids=DANGEROUS.keys())
def test_dangerous_markup_is_removed_when_saved_through_the_orm(html, expected):
    item = FAQItemFactory(answer_en=html, answer_ko=html)

    stored = fresh(item)
    assert stored.answer_en == expected
    assert stored.answer_ko == expected


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["body_en", "body_ko", "body_ja", "body_zh_hans"])
def test_every_language_column_is_sanitized(column):
    block = ArticleBlockFactory(
        **{column: '<p onmouseover="x()">본문<script>x</script></p>'}
    )

    assert getattr(fresh(block), column) == "<p>본문</p>"


@pytest.mark.django_db
def test_sanitizing_happens_on_every_save_not_only_the_first():
    cause = CauseTypeFactory()

    cause.description_ja = '<p>筋肉型</p><iframe src="https://evil.example/"></iframe>'
    cause.save()

    assert fresh(cause).description_ja == "<p>筋肉型</p>"


@pytest.mark.django_db
@pytest.mark.parametrize("html", SAFE.values(), ids=SAFE.keys())
def test_seed_markup_is_kept_as_written(html):
    item = FAQItemFactory(answer_ko=html)

    assert fresh(item).answer_ko == html


@pytest.mark.django_db
@pytest.mark.parametrize("url", LINKS.values(), ids=LINKS.keys())
def test_links_with_allowed_schemes_are_kept(url):
    item = FAQItemFactory(answer_en=f'<p><a href="{url}" title="Chat">Chat</a></p>')

    assert fresh(item).answer_en == (
        f'<p><a href="{url}" title="Chat" {REL}>Chat</a></p>'
    )


@pytest.mark.django_db
@pytest.mark.parametrize("html", EMPTY)
def test_empty_editor_paragraphs_are_stored_as_empty(html):
    item = FAQItemFactory(answer_ja=html)

    assert fresh(item).answer_ja == ""


@pytest.mark.parametrize("html", EMPTY)
def test_empty_editor_paragraphs_count_as_empty(html):
    assert sanitize(html) == ""
    assert is_empty(html)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # What the editor's link dialog writes: an empty title, dropped.
        (
            '<p><a href="https://drtak.example/" title="">Hi</a></p>',
            f'<p><a href="https://drtak.example/" {REL}>Hi</a></p>',
        ),
        # A title with text stays, quotes and angle brackets escaped.
        (
            '<p><a href="https://x.example/" title="a &quot;b&quot; > c">Hi</a></p>',
            '<p><a href="https://x.example/" title="a &quot;b&quot; &gt; c" '
            f"{REL}>Hi</a></p>",
        ),
        # ... and so does the text of a link whose title holds them.
        (
            '<p><a title="a &quot;b&quot; > c" href="javascript:x">Hi</a> after</p>',
            "<p>Hi after</p>",
        ),
        # A link whose address was refused keeps its text, not a dead <a>.
        (
            '<p><a title="x" href="javascript:alert(1)">Hi <em>there</em></a></p>',
            "<p>Hi <em>there</em></p>",
        ),
        ("<p><a>one</a> and <a>two</a></p>", "<p>one and two</p>"),
    ],
)
def test_links_without_an_address_or_with_an_empty_title_are_tidied(html, expected):
    assert sanitize(html) == expected
    assert sanitize(expected) == expected


def test_text_in_a_plain_field_is_not_empty():
    assert not is_empty("3 < 5 months")
    assert not is_empty("<3")


def seed_html() -> list[str]:
    """Every rich-text value of the demo files, in every language."""
    values = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith("<"):
            values.append(node)

    for path in sorted(DEMO_DIR.glob("seed*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return values


def test_seed_rich_text_survives_sanitizing_unchanged():
    html = seed_html()
    assert len(html) > 20

    changed = [value for value in html if sanitize(value) != value]

    assert changed == []


@pytest.mark.parametrize(
    "html",
    [*(pair[0] for pair in DANGEROUS.values()), *SAFE.values(), *EMPTY]
    + [f'<a href="{url}">x</a>' for url in LINKS.values()],
)
def test_sanitize_is_idempotent(html):
    once = sanitize(html)

    assert sanitize(once) == once


FRAGMENTS = [
    "<p>", "</p>", "<a href='https://x.example'>", "<a href='javascript:x'>", "</a>",
    "<ul>", "<li>", "</ul>", "<ol>", "<script>", "</script>", "<strong>", "<em>",
    "<br>", "<h2>", "&nbsp;", "&amp;", "&lt;", "<", ">", "'", '"', "=", "입꼬리",
    "口角", "📍", " ", "\n", "\t", "<!--", "-->", "<iframe>", "<style>", "onclick=",
]  # fmt: skip


def test_sanitize_is_idempotent_on_arbitrary_markup():
    # A fixed seed: the same 2,000 soups of fragments on every run.
    rng = random.Random(20261123)
    soups = ["".join(rng.choices(FRAGMENTS, k=rng.randint(1, 12))) for _ in range(2000)]

    unstable = [soup for soup in soups if sanitize(sanitize(soup)) != sanitize(soup)]

    assert unstable == []


@pytest.mark.django_db
def test_saving_under_korean_ui_leaves_untranslated_rich_text_empty():
    cause = CauseTypeFactory(description_ko="")

    with translation.override("ko"):  # a Korean editor in the admin
        cause.tagline_ko = "가장 흔하고, 가장 관리하기 쉬운 유형"
        cause.save()

    assert fresh(cause).description_ko in ("", None)
    assert not fresh(cause).complete_ko
