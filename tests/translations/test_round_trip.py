"""An agency round trip (translations/): export Japanese as XLIFF and as PO,
translate every unit with translate-toolkit as a CAT tool would, import, and find
every field translated and sanitized in the working copy, unpublished until
published; a second import changes nothing; a source edited since the export is
reported, not applied."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from reversion.models import Revision, Version
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import G
from translate.storage.po import pofile
from translate.storage.xliff import xlifffile

from content.models import Article, ArticleBlock
from faq.models import FAQItem
from publication.languages import column
from publication.models import PublishedVersion, publishable_models
from publication.outdated import digest
from tests.conftest import fresh
from tests.translations.conftest import (
    all_units,
    content_digest,
    fill_po,
    fill_xliff,
)
from translations import files, imports
from translations.units import needing_work

pytestmark = pytest.mark.django_db

FILL = {files.XLIFF: fill_xliff, files.PO: fill_po}
RICH_EN = (
    "<p>Book a <strong>free consultation</strong> on "
    '<a href="https://drtak.example/consult">our page</a>.</p>'
)


@pytest.fixture
def block(demo) -> ArticleBlock:
    """A text block whose English has bold and a link (the demo's have neither),
    its Japanese written before."""
    block = ArticleBlock.objects.filter(kind="text").order_by("pk").first()
    block.body_en = RICH_EN
    block.body_ja = "<p>相談は<strong>無料</strong>です。</p>"
    block.save()
    return fresh(block)


def test_a_file_names_its_project_language_and_each_units_context(block):
    data = files.export(all_units(), "ja", files.XLIFF)
    store = xlifffile.parsestring(data)
    root = store.document.getroot()
    [file] = root.iterchildren(store.namespaced("file"))
    unit = next(
        u for u in store.units if u.xmlelement.get("id").endswith(f":{block.pk}:body")
    )
    po = pofile.parsestring(files.export(all_units(), "ja", files.PO))

    assert (root.get("version"), store.namespace) == (
        "1.2",
        "urn:oasis:names:tc:xliff:document:1.2",
    )
    assert (file.get("source-language"), file.get("target-language")) == ("en", "ja")
    assert unit.getnotes() == (
        "article “Fine in the mirror, but your smile pull…” › "
        f"Block {block.position} “Text” › body\n"
        "Type: block; field: body\n"
        "Rich text: keep the tags around the words they mark."
    )
    assert unit.xmlelement.get("extradata") == digest(block.body_en)
    # Inline tags the tool protects; the link's address is not in the file.
    assert '<g id="2" ctype="bold">free consultation</g>' in data.decode()
    assert '<g id="3" ctype="link">our page</g>' in data.decode()
    assert "drtak.example/consult" not in data.decode()
    assert po.parseheader()["Language"] == "ja"
    assert files.check_token(po.parseheader()["X-Clinic-Export"], "ja")["units"] == (
        len(all_units())
    )


def translated_mark(value: str) -> bool:
    """Written by the fills of tests/translations/conftest.py."""
    return "【" in value or value.startswith("訳") or value.endswith("?lang=ja")


def stored(unit) -> str:
    obj = type(unit.obj).objects.get(pk=unit.obj.pk)
    return obj.__dict__[column(unit.field, "ja")]


@pytest.mark.parametrize("fmt", [files.XLIFF, files.PO])
def test_every_field_comes_back_translated_sanitized_and_unpublished(
    block, editor, fmt
):
    units = all_units()
    before = {unit.id: unit.target for unit in units}
    article = block.article
    published_before = article.published_version("ja").data
    versions = list(PublishedVersion.objects.order_by("pk").values_list("data"))
    data = files.export(units, "ja", fmt)
    unit = f"content.articleblock:{block.pk}:body"
    hostile = {}
    if fmt == files.PO:
        # A PO target is HTML: what the sanitizer allows stays, the rest goes.
        hostile[unit] = (
            '<p onclick="steal()">Book a <strong>無料相談</strong> on '
            '<a href="https://drtak.example/consult" onmouseover="x()">ページ</a>'
            "<script>alert(1)</script></p>"
        )

    result = imports.apply(FILL[fmt](data, hostile), "ja", editor)

    assert result.skipped == []
    assert len(result.changes) == len(units) == len(files.read(data, "ja").units)
    for item in units:
        value = stored(item)
        assert value != before[item.id]
        assert item.id in hostile or translated_mark(value), item.id
    body = fresh(block).body_ja
    if fmt == files.XLIFF:
        assert body == (
            "<p>【Book a 】<strong>【free consultation】</strong>【 on 】"
            '<a href="https://drtak.example/consult" rel="noopener noreferrer '
            'nofollow">【our page】</a>【.】</p>'
        )
    else:
        assert body == (
            "<p>Book a <strong>無料相談</strong> on "
            '<a href="https://drtak.example/consult" rel="noopener noreferrer '
            'nofollow">ページ</a></p>'
        )
    # The working copy only: readers still see the versions published before.
    assert list(PublishedVersion.objects.order_by("pk").values_list("data")) == (
        versions
    )
    assert all(
        root.changed_ja
        for model in publishable_models()
        for root in model.objects.filter(published_ja=True)
    )
    article = fresh(article)
    assert article.published_version("ja").data == published_before
    assert article.changed_ja is True
    article.publish("ja", user=editor)
    assert fresh(article).published_version("ja").data["parts"]["blocks"]
    assert body in str(fresh(article).published_version("ja").data)


def test_xliff_inline_tags_come_back_from_the_source_in_the_translators_order(
    block, editor
):
    unit = f"content.articleblock:{block.pk}:body"
    data = files.export(all_units(), "ja", files.XLIFF)
    # Tags 1 (p), 2 (strong), 3 (a): the link before the bold, and text that
    # looks like markup.
    target = [
        StringElem(
            [
                G(
                    id="1",
                    sub=[
                        G(id="3", sub=["ページ"]),
                        "で",
                        G(id="2", sub=["無料相談"]),
                        "を <script>alert(1)</script>",
                    ],
                )
            ]
        )
    ]

    imports.apply(fill_xliff(data, {unit: target}), "ja", editor)

    assert fresh(block).body_ja == (
        '<p><a href="https://drtak.example/consult" rel="noopener noreferrer '
        'nofollow">ページ</a>で<strong>無料相談</strong>を '
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_a_tag_the_source_does_not_have_is_an_error_for_that_unit_only(block, editor):
    unit = f"content.articleblock:{block.pk}:body"
    data = files.export(all_units(), "ja", files.XLIFF)
    target = [StringElem([G(id="1", sub=[G(id="9", sub=["無料"])])])]

    result = imports.apply(fill_xliff(data, {unit: target}), "ja", editor)

    assert [(s.unit, s.reason) for s in result.skipped] == [
        (unit, "tag 9 is not in the source")
    ]
    assert fresh(block).body_ja == "<p>相談は<strong>無料</strong>です。</p>"
    assert len(result.changes) == len(all_units()) - 1


@pytest.mark.parametrize("fmt", [files.XLIFF, files.PO])
def test_the_same_file_imported_twice_changes_nothing_the_second_time(
    block, editor, fmt
):
    filled = FILL[fmt](files.export(all_units(), "ja", fmt))
    first = imports.apply(filled, "ja", editor)
    before = content_digest()
    revisions = Revision.objects.count()

    second = imports.apply(filled, "ja", editor)

    assert len(first.changes) > 100
    assert (second.changes, second.skipped) == ([], [])
    assert second.unchanged == len(first.changes)
    assert content_digest() == before
    assert Revision.objects.count() == revisions


@pytest.mark.parametrize("fmt", [files.XLIFF, files.PO])
def test_a_source_edited_after_the_export_is_reported_and_not_applied(
    block, editor, fmt
):
    filled = FILL[fmt](files.export(all_units(), "ja", fmt))
    item = FAQItem.objects.order_by("position").first()
    japanese = item.answer_ja
    item.answer_en = "<p>Rewritten after the export.</p>"
    item.save()

    result = imports.apply(filled, "ja", editor)

    assert [(s.unit, s.reason) for s in result.skipped] == [
        (f"faq.faqitem:{item.pk}:answer", "source changed since the export")
    ]
    assert fresh(item).answer_ja == japanese
    assert fresh(item).question_ja.startswith("訳")
    assert len(result.changes) == len(all_units()) - 1


def test_an_import_is_one_history_version_naming_it(block, editor):
    filled = fill_xliff(files.export(all_units(), "ja", files.XLIFF))
    revisions = Revision.objects.count()

    result = imports.apply(filled, "ja", editor)

    assert Revision.objects.count() == revisions + 1
    revision = Revision.objects.latest("pk")
    assert revision.user == editor
    assert revision.comment == (
        f"Translations imported (Japanese, {len(result.changes)} fields)."
    )
    # The article the block is edited in has the version in its history.
    saved = set(revision.version_set.values_list("object_id", "content_type__model"))
    assert (str(block.article_id), "article") in saved
    assert (str(block.pk), "articleblock") in saved
    assert Version.objects.filter(revision=revision).count() >= len(result.objects)


def test_a_plain_text_too_long_for_its_field_is_reported_not_applied(block, editor):
    article = block.article
    unit = f"content.article:{article.pk}:seo_title"
    filled = fill_po(files.export(all_units(), "ja", files.PO), {unit: "長" * 71})

    result = imports.apply(filled, "ja", editor)

    [skipped] = result.skipped
    assert skipped.unit == unit
    assert "at most 70 characters" in skipped.reason
    assert fresh(article).seo_title_ja == article.seo_title_ja


def test_units_without_change_permission_are_refused(block, django_user_model):
    translator = django_user_model.objects.create_user("t", is_staff=True)
    translator.user_permissions.add(
        Permission.objects.get(codename="change_faqitem"),
        Permission.objects.get(codename="change_faqcategory"),
    )
    filled = fill_xliff(files.export(all_units(), "ja", files.XLIFF))

    result = imports.apply(filled, "ja", translator)

    assert {c.obj._meta.model_name for c in result.changes} == {
        "faqitem",
        "faqcategory",
    }
    assert {s.reason for s in result.skipped} == {"you may not change this"}
    assert fresh(block).body_ja == "<p>相談は<strong>無料</strong>です。</p>"


def test_the_selection_of_missing_or_outdated_units(demo):
    assert needing_work("ja") == []
    item = FAQItem.objects.order_by("position").first()
    item.answer_en = "<p>Rewritten.</p>"
    item.save()
    article = Article.objects.first()
    article.topic_en = "A new topic"
    article.topic_ja = ""
    article.save()

    ids = [unit.id for unit in needing_work("ja")]

    assert ids == [
        f"content.article:{article.pk}:topic",
        f"faq.faqitem:{item.pk}:answer",
    ]


def test_an_outdated_translation_goes_out_to_be_reviewed_not_approved(demo):
    item = FAQItem.objects.order_by("position").first()
    item.answer_en = "<p>Rewritten.</p>"
    item.save()
    units = all_units()

    store = xlifffile.parsestring(files.export(units, "ja", files.XLIFF))

    states = {
        u.xmlelement.get("id"): (u.isapproved(), u.isreview()) for u in store.units
    }
    assert states.pop(f"faq.faqitem:{item.pk}:answer") == (False, True)
    assert set(states.values()) == {(True, False)}


def test_import_queries_grow_by_a_constant_per_changed_object(
    block, editor, django_assert_max_num_queries
):
    units = all_units()
    objects = {(type(u.obj), u.obj.pk) for u in units}
    filled = fill_xliff(files.export(units, "ja", files.XLIFF))

    # Reading and checking: one query per model named (824 in all measured for
    # the demo's 107 objects and 167 units, of which 17 for the plan).
    with django_assert_max_num_queries(20):
        imports.plan(filled, "ja", editor)
    # Writing: each object's own save (its sources, its roots' completeness).
    with django_assert_max_num_queries(30 + 10 * len(objects)):
        result = imports.apply(filled, "ja", editor)
    with django_assert_max_num_queries(20):
        again = imports.apply(filled, "ja", editor)

    assert len(result.objects) == len(objects)
    assert again.changes == []
