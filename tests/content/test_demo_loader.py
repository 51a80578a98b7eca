"""The demo loader (clinic/demo.py, ``manage.py load_demo``).

The demo is loaded once for the module (about half a second) inside a transaction
rolled back at the end; every test runs in its own savepoint on top of it, so tests
that change the demo do not see each other's changes.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from clinic.demo import DEMO_DIR, load_demo
from content.models import (
    Aftercare,
    AftercareEntry,
    AftercareStage,
    AftercareTrack,
    Article,
    ArticleBlock,
    CauseType,
    ClinicChannel,
    ClinicProfile,
    Comparison,
    ComparisonColumn,
    ComparisonRow,
    Criterion,
    Image,
    ItemList,
    ListItem,
    Method,
    MethodFact,
)
from faq.models import FAQCategory, FAQItem
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

EXPECTED_COUNTS = {
    Criterion: 9,
    Method: 3,
    MethodFact: 27,
    Comparison: 1,
    ComparisonColumn: 3,
    ComparisonRow: 9,
    Aftercare: 1,
    AftercareStage: 4,
    AftercareTrack: 3,
    AftercareEntry: 12,
    ItemList: 4,
    ListItem: 16,
    CauseType: 4,
    FAQCategory: 1,
    FAQItem: 5,
    ClinicProfile: 1,
    ClinicChannel: 3,
    Article: 1,
    ArticleBlock: 19,
    Image: 2,
}
PUBLISHABLES = [
    Method,
    Comparison,
    Aftercare,
    ItemList,
    CauseType,
    FAQItem,
    ClinicProfile,
    Article,
]
SEED_ARTICLE = "mouth-corner-asymmetry"


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in EXPECTED_COUNTS}


def publication_state() -> dict[tuple[str, int], tuple[list[str], list[str]]]:
    return {
        (model.__name__, obj.pk): (obj.published_languages, obj.complete_languages)
        for model in PUBLISHABLES
        for obj in model.objects.all()
    }


def seed_article() -> Article:
    return Article.objects.get(slug_en=SEED_ARTICLE)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The report of the first load."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = load_demo()
        yield report
        transaction.set_rollback(True)


def test_demo_creates_exactly_the_seed_content(demo):
    assert counts() == {model.__name__: n for model, n in EXPECTED_COUNTS.items()}
    assert demo.created == {
        str(model._meta.verbose_name_plural): n for model, n in EXPECTED_COUNTS.items()
    }


def test_demo_item_lists_have_the_seed_items(demo):
    sizes = {
        item_list.slug_en: item_list.items.count()
        for item_list in ItemList.objects.all()
    }
    assert sizes == {
        "mouth-corner-muscles": 3,
        "why-patients-choose-dr-tak": 4,
        "dr-tak-4s-patient-care-system": 4,
        "mouth-corner-self-check": 5,
    }
    profile = ClinicProfile.load()
    assert profile.trust_points.slug_en == "why-patients-choose-dr-tak"
    assert profile.care_system.slug_en == "dr-tak-4s-patient-care-system"
    assert profile.channels.count() == 3


def test_demo_article_uses_every_kind_of_block(demo):
    article = seed_article()

    assert set(article.blocks.values_list("kind", flat=True)) == set(
        ArticleBlock.Kind.values
    )
    assert [block.position for block in article.blocks.all()] == list(range(1, 20))


def test_demo_comparison_and_aftercare_have_their_full_grid(demo):
    comparison = Comparison.objects.get()
    columns, rows, cells = comparison.grid()
    assert (len(columns), len(rows), len(cells)) == (3, 9, 27)

    aftercare = Aftercare.objects.get()
    stages, tracks, entries = aftercare.grid()
    assert (len(stages), len(tracks), len(entries)) == (4, 3, 12)
    assert stages[-1].end_day is None


@pytest.mark.parametrize("code", ["en", "ko", "ja"])
@pytest.mark.parametrize("model", PUBLISHABLES, ids=lambda model: model.__name__)
def test_all_demo_content_is_published_and_complete_in_en_ko_and_ja(demo, model, code):
    objects = list(model.objects.all())
    assert objects

    for obj in objects:
        assert code in obj.published_languages, obj
        assert code in obj.complete_languages, obj
        assert obj.completeness_problems([code]) == {code: []}, obj
    assert model.objects.published(code).count() == len(objects)


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_demo_labels_are_translated(demo, code):
    column = code.replace("-", "_")
    for model, field in [
        (Criterion, "name"),
        (FAQCategory, "name"),
        (AftercareStage, "label"),
        (AftercareTrack, "label"),
    ]:
        values = model.objects.values_list(f"{field}_{column}", flat=True)
        assert all(values), (model.__name__, list(values))


def test_in_simplified_chinese_only_the_faq_and_the_cause_types_are_published(demo):
    published = {
        model.__name__: model.objects.published("zh-hans").count()
        for model in PUBLISHABLES
    }

    assert published == {
        "Method": 0,
        "Comparison": 0,
        "Aftercare": 0,
        "ItemList": 0,
        "CauseType": 4,
        "FAQItem": 5,
        "ClinicProfile": 0,
        "Article": 0,
    }


def test_faq_category_name_is_translated_into_simplified_chinese(demo):
    seed = json.loads((DEMO_DIR / "seed.zh-hans.json").read_text(encoding="utf-8"))
    expected = seed["faq_categories"][0]["name"]["zh-hans"]

    category = FAQCategory.objects.get()
    assert category.name_zh_hans == expected
    assert category.name_zh_hans != category.name_en


def test_second_load_changes_nothing(demo):
    before_counts, before_state = counts(), publication_state()

    report = load_demo()

    assert (report.created, report.updated, report.published) == ({}, {}, {})
    assert counts() == before_counts
    assert publication_state() == before_state


def test_second_run_of_the_command_says_nothing_changed(demo):
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "Demo content already present; nothing changed." in out.getvalue()
    assert "Demo content created" not in out.getvalue()


def test_editor_unpublishing_in_korean_survives_a_second_load(demo):
    article = seed_article()
    article.unpublish("ko")
    item = FAQItem.objects.get(slug_en="botox-alone-or-surgery")
    item.unpublish("ko")

    load_demo()

    assert fresh(article).published_languages == ["en", "ja"]
    assert fresh(item).published_languages == ["en", "ja", "zh-hans"]
    assert not Article.objects.published("ko").exists()
    assert FAQItem.objects.published("ko").count() == 4


def test_editor_changes_survive_a_second_load(demo):
    article = seed_article()
    article.title_en = "Why does my smile pull sideways?"
    article.save()

    load_demo()

    assert fresh(article).title_en == "Why does my smile pull sideways?"


def test_update_restores_a_changed_english_title(demo):
    seed = json.loads((DEMO_DIR / "seed.json").read_text(encoding="utf-8"))
    article = seed_article()
    article.title_en = "Why does my smile pull sideways?"
    article.save()
    before = counts()

    call_command("load_demo", "--update", stdout=io.StringIO())

    assert fresh(article).title_en == seed["article"]["title"]["en"]
    assert counts() == before
    assert fresh(article).published_languages == ["en", "ko", "ja"]


def test_update_reports_nothing_as_created(demo):
    before = counts()

    report = load_demo(update=True)

    assert counts() == before
    assert report.created == {}


def test_dry_run_with_update_saves_nothing(demo):
    article = seed_article()
    article.title_en = "Why does my smile pull sideways?"
    article.save()
    FAQItem.objects.filter(slug_en="botox-alone-or-surgery").delete()
    before = counts()
    out = io.StringIO()

    call_command("load_demo", "--update", "--dry-run", stdout=out)

    assert "Dry run: nothing was saved." in out.getvalue()
    assert "Demo content updated:" in out.getvalue()
    assert fresh(article).title_en == "Why does my smile pull sideways?"
    assert counts() == before
    assert not FAQItem.objects.filter(slug_en="botox-alone-or-surgery").exists()


def delete_all_content() -> None:
    """Empty the content tables, referring objects before what they refer to."""
    for model in [
        FAQItem,
        FAQCategory,
        ArticleBlock,
        Article,
        ClinicProfile,
        ItemList,
        Comparison,
        Aftercare,
        CauseType,
        Method,
        Criterion,
        Image,
    ]:
        model.objects.all().delete()


def test_dry_run_on_an_empty_database_saves_nothing(demo):
    delete_all_content()
    assert set(counts().values()) == {0}
    out = io.StringIO()

    call_command("load_demo", "--dry-run", stdout=out)

    assert "Demo content created:" in out.getvalue()
    assert "Dry run: nothing was saved." in out.getvalue()
    assert set(counts().values()) == {0}
