"""Publication per language and completeness (DESIGN §3, publication/models.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import (
    Aftercare,
    AftercareStage,
    Article,
    ArticleBlock,
    CauseType,
    ClinicProfile,
    Comparison,
    ComparisonRow,
    ItemList,
    ListItem,
    Method,
)
from publication.models import deferred_completeness, empty_in
from tests.conftest import fresh, missing_in
from tests.content.served import detail, shows, unchanged_for_readers
from tests.factories import (
    AftercareEntryFactory,
    ArticleBlockFactory,
    ArticleFactory,
    CauseTypeFactory,
    ClinicChannelFactory,
    ClinicProfileFactory,
    ComparisonColumnFactory,
    ComparisonFactory,
    ComparisonRowFactory,
    CriterionFactory,
    FAQItemFactory,
    ItemListFactory,
    ListItemFactory,
    MethodFactFactory,
    MethodFactory,
    aftercare_timeline,
    comparison_grid,
    item_list_with_items,
)

pytestmark = pytest.mark.django_db


# Visibility: published(code).


def test_object_published_in_korean_only_is_visible_in_korean_only():
    cause = CauseTypeFactory()
    cause.publish("ko")

    assert list(CauseType.objects.published("ko")) == [cause]
    assert not CauseType.objects.published("en").exists()
    assert not CauseType.objects.published("ja").exists()
    assert not CauseType.objects.published("zh-hans").exists()


def test_unpublished_object_is_visible_in_no_language():
    CauseTypeFactory(
        name_zh_hans="肌肉型",
        tagline_zh_hans="最常见",
        description_zh_hans="<p>肌肉型</p>",
        first_step_zh_hans="对比照片",
    )

    for code in ("en", "ko", "ja", "zh-hans"):
        assert not CauseType.objects.published(code).exists(), code


def test_scheduled_object_stays_hidden_until_its_publish_time():
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    article = ArticleFactory(publish_at=tomorrow, published_en=True, published_ko=True)

    assert not Article.objects.published("en").exists()
    assert not Article.objects.published("ko").exists()
    assert not article.is_visible("en")
    later = tomorrow + datetime.timedelta(minutes=1)
    assert list(Article.objects.published("en", at=later)) == [article]
    assert article.is_visible("ko", at=later)
    assert not Article.objects.published("ja", at=later).exists()


def test_object_whose_publish_time_has_passed_is_visible():
    yesterday = timezone.now() - datetime.timedelta(days=1)
    article = ArticleFactory(publish_at=yesterday, published_en=True)

    assert list(Article.objects.published("en")) == [article]
    assert article.is_visible("en")


# Publishing needs completeness in the language.


def test_publishing_in_ja_without_japanese_title_is_refused_and_names_the_field(
    refused,
):
    article = ArticleFactory(title_ja="")

    with refused("Cannot publish in Japanese: it is not complete.") as messages:
        article.publish("ja")

    # The slug is made from the title, so it is missing too.
    assert missing_in(messages[0], "Japanese") == {"title", "slug"}
    assert not fresh(article).published_ja


def test_refusal_names_the_verbose_name_of_the_missing_field(refused):
    comparison = ComparisonFactory(conclusion_ko="")

    with refused() as messages:
        comparison.publish("ko")

    assert messages == [
        "Cannot publish in Korean: it is not complete. Missing in Korean: bottom line."
    ]


def test_publishing_in_english_needs_no_other_language():
    article = ArticleFactory(title_ko="", title_ja="", summary_ko="", summary_ja="")

    article.publish("en")

    assert fresh(article).published_languages == ["en"]


def test_field_left_empty_in_english_is_not_required_in_other_languages():
    article = ArticleFactory(summary_en="", summary_ja="")

    article.publish("ja")

    assert fresh(article).published_ja


@pytest.mark.parametrize("empty", ["", "<p></p>", "<p><br></p>", "<p>&nbsp;</p>"])
def test_rich_text_showing_nothing_counts_as_missing(refused, empty):
    cause = CauseTypeFactory(description_ko=empty)

    with refused() as messages:
        cause.publish("ko")

    assert missing_in(messages[0], "Korean") == {"description"}
    assert not fresh(cause).published_ko


def test_publishing_several_languages_at_once_reports_each_incomplete_language(
    refused,
):
    cause = CauseTypeFactory(tagline_ko="", first_step_ja="")
    cause.published_en = cause.published_ko = cause.published_ja = True

    with refused() as messages:
        cause.save()

    assert len(messages) == 2
    assert missing_in(messages[0], "Korean") == {"tagline"}
    assert missing_in(messages[1], "Japanese") == {"first step"}
    assert fresh(cause).published_languages == []


# Completeness includes parts and labels.


def test_publishing_article_needs_its_blocks_translated(refused):
    article = ArticleFactory()
    ArticleBlockFactory(article=article, position=1)
    ArticleBlockFactory(
        article=article, position=2, heading_en="Bottom line", heading_ko=""
    )

    with refused() as messages:
        article.publish("ko")

    assert missing_in(messages[0], "Korean") == {"Block 2 “Bottom line”: heading"}


def test_publishing_cta_block_needs_translated_button_label_and_link(refused):
    article = ArticleFactory()
    ArticleBlockFactory(
        article=article,
        position=1,
        kind=ArticleBlock.Kind.CTA,
        heading_en="Chat with us",
        cta_label_en="📲 Official site",
        cta_label_ko="📲 공식 홈페이지",
        cta_url_en="https://drtak.example/#chat",
        cta_url_ko="https://drtak.example/ko/#chat",
        cta_label_ja="",
    )

    article.publish("ko")
    with refused() as messages:
        article.publish("ja")

    assert missing_in(messages[0], "Japanese") == {
        "Block 1 “Chat with us”: button label",
        "Block 1 “Chat with us”: button link",
    }


def test_publishing_item_list_needs_every_item_translated(refused):
    item_list = ItemListFactory()
    ListItemFactory(item_list=item_list)
    ListItemFactory(item_list=item_list, title_en="Depressor anguli oris", text_ja="")

    with refused() as messages:
        item_list.publish("ja")

    assert missing_in(messages[0], "Japanese") == {"Item “Depressor anguli oris”: text"}


def test_publishing_method_needs_its_facts_and_their_criterion_labels(refused):
    method = MethodFactory(name_en="Botox")
    onset = CriterionFactory(name_en="Onset", name_ko="")
    recovery = CriterionFactory(name_en="Recovery")
    MethodFactFactory(method=method, criterion=onset)
    MethodFactFactory(method=method, criterion=recovery, text_ko="")

    with refused() as messages:
        method.publish("ko")

    assert missing_in(messages[0], "Korean") == {
        "criterion “Onset”: name",
        "Botox × Recovery: text",
    }


def test_publishing_comparison_needs_its_methods_published_in_that_language(refused):
    grid = comparison_grid(published=("en",))
    botox = grid.methods[0]

    for method in grid.methods[1:]:
        method.publish("ko")
    with refused() as messages:
        grid.comparison.publish("ko")

    assert missing_in(messages[0], "Korean") == {
        f"method “{botox.name_en}” is not published in Korean"
    }


def test_publishing_comparison_needs_cells_and_row_labels_translated(refused):
    grid = comparison_grid()
    botox, lift = grid.methods
    onset, recovery = grid.criteria
    onset.name_ja = ""
    onset.save()
    fact = grid.fact(lift, recovery)
    fact.text_ja = ""
    fact.save()

    with refused() as messages:
        grid.comparison.publish("ja")

    assert missing_in(messages[0], "Japanese") == {
        f"method “{botox.name_en}” is not published in Japanese",
        f"method “{lift.name_en}” is not published in Japanese",
        f"criterion “{onset.name_en}”: name",
        f"{lift.name_en} × {recovery.name_en}: text",
    }


@pytest.mark.parametrize("code", ["en", "ko"])
def test_comparison_with_missing_cell_cannot_be_published_and_names_the_cell(
    refused, code
):
    botox = MethodFactory(name_en="Botox", published_en=True, published_ko=True)
    lift = MethodFactory(name_en="Lift", published_en=True, published_ko=True)
    onset = CriterionFactory(name_en="Onset")
    MethodFactFactory(method=botox, criterion=onset)
    # No fact for Lift × Onset.
    comparison = ComparisonFactory()
    ComparisonColumnFactory(comparison=comparison, method=botox)
    ComparisonColumnFactory(comparison=comparison, method=lift)
    ComparisonRowFactory(comparison=comparison, criterion=onset)

    with refused() as messages:
        comparison.publish(code)

    language = {"en": "English", "ko": "Korean"}[code]
    assert missing_in(messages[0], language) == {"Lift × Onset: the cell is empty"}
    assert fresh(comparison).published_languages == []
    assert fresh(comparison).complete_languages == []


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("stage", "aftercare stage “Day 0–3”: label"),
        ("track", "aftercare track “After Botox”: label"),
        ("entry", "Day 0–3 × After Botox: text"),
    ],
)
def test_publishing_aftercare_needs_stage_and_track_labels_and_entries(
    refused, part, expected
):
    timeline = aftercare_timeline(stages=1, tracks=1)
    stage, track = timeline.stages[0], timeline.tracks[0]
    stage.label_en, track.label_en = "Day 0–3", "After Botox"
    stage.save()
    track.save()
    target = {"stage": stage, "track": track}.get(part)
    if target is not None:
        target.label_ja = ""
        target.save()
    else:
        entry = timeline.entry(stage, track)
        entry.text_ja = ""
        entry.save()

    with refused() as messages:
        timeline.aftercare.publish("ja")

    assert missing_in(messages[0], "Japanese") == {expected}


def test_aftercare_with_missing_entry_cannot_be_published_in_any_language(refused):
    timeline = aftercare_timeline(stages=1, tracks=1)
    stage, track = timeline.stages[0], timeline.tracks[0]
    timeline.entry(stage, track).delete()

    with refused(f"{stage.label_en} × {track.label_en}: the cell is empty"):
        timeline.aftercare.publish("en")


def test_publishing_clinic_profile_needs_its_channels_translated(refused):
    profile = ClinicProfileFactory()
    ClinicChannelFactory(profile=profile, label_en="Video channel", label_ja="")

    with refused() as messages:
        profile.publish("ja")

    assert missing_in(messages[0], "Japanese") == {
        "official channel “Video channel”: label"
    }


# Publishing needs embedded objects published in the language.


def embedding_block(kind: str, embedded) -> dict:
    field = {"list": "item_list", "comparison": "comparison", "aftercare": "aftercare"}
    return {"kind": kind, field[kind]: embedded}


def embeddable(kind: str, published: tuple[str, ...]):
    if kind == "list":
        return item_list_with_items(published=published)
    if kind == "comparison":
        return comparison_grid(published=published).comparison
    return aftercare_timeline(published=published).aftercare


@pytest.mark.parametrize("kind", ["list", "comparison", "aftercare"])
def test_publishing_article_whose_embedded_object_is_not_published_there_is_refused(
    refused, kind
):
    embedded = embeddable(kind, published=("en",))
    article = ArticleFactory()
    ArticleBlockFactory(article=article, position=1, **embedding_block(kind, embedded))

    article.publish("en")
    with refused() as messages:
        article.publish("ko")

    assert missing_in(messages[0], "Korean") == {
        f"{embedded.describe()} is not published in Korean"
    }
    assert fresh(article).published_languages == ["en"]


@pytest.mark.parametrize("kind", ["list", "comparison", "aftercare"])
def test_article_is_published_once_its_embedded_object_is(kind):
    embedded = embeddable(kind, published=("en", "ko"))
    article = ArticleFactory()
    ArticleBlockFactory(article=article, position=1, **embedding_block(kind, embedded))

    article.publish("ko")

    assert list(Article.objects.published("ko")) == [article]


def test_block_of_korean_article_pointed_at_list_not_in_korean_waits_for_that_list(
    client, refused
):
    shown = item_list_with_items(published=("en", "ko"))
    draft = item_list_with_items(published=("en",))
    article = ArticleFactory()
    block = ArticleBlockFactory(article=article, kind="list", item_list=shown)
    article.publish("ko")

    with unchanged_for_readers(client, article):
        block.item_list = draft
        block.save()
        with refused("Cannot publish in Korean: it is not complete.") as messages:
            fresh(article).publish("ko")

    assert missing_in(messages[0], "Korean") == {
        f"{draft.describe()} is not published in Korean"
    }
    assert fresh(block).item_list == draft
    assert not fresh(article).complete_ko
    draft.publish("ko")
    fresh(article).publish("ko")
    [shown_block] = detail(client, article, "ko")["blocks"]
    assert shown_block["item_list"]["slug"] == draft.slug_ko


@pytest.mark.parametrize("which", ["trust_points", "care_system"])
def test_publishing_clinic_profile_needs_its_lists_published(refused, which):
    item_list = item_list_with_items(published=("en",))
    profile = ClinicProfileFactory(**{which: item_list})

    with refused(f"{item_list.describe()} is not published in Korean"):
        profile.publish("ko")


def test_korean_clinic_profile_switched_to_list_not_in_korean_waits_for_that_list(
    client, refused
):
    shown = item_list_with_items(published=("en", "ko"))
    draft = item_list_with_items(published=("en",))
    profile = ClinicProfileFactory(trust_points=shown)
    profile.publish("ko")

    with unchanged_for_readers(client, profile):
        profile.trust_points = draft
        profile.save()
        with refused(f"{draft.describe()} is not published in Korean"):
            ClinicProfile.load().publish("ko")

    assert ClinicProfile.load().trust_points == draft
    assert not ClinicProfile.load().complete_ko
    draft.publish("ko")
    ClinicProfile.load().publish("ko")
    assert detail(client, profile, "ko")["trust_points"]["slug"] == draft.slug_ko


# Editing a part of a published object.


def list_item_case():
    item_list = item_list_with_items(items=1, published=("ko",))
    return item_list, item_list.items.get(), "title"


def block_case():
    article = ArticleFactory()
    block = ArticleBlockFactory(article=article)
    article.publish("ko")
    return article, block, "body"


def fact_case():
    grid = comparison_grid(methods=1, criteria=1, published=("ko",))
    return grid.methods[0], grid.fact(grid.methods[0], grid.criteria[0]), "text"


def stage_case():
    timeline = aftercare_timeline(stages=1, tracks=1, published=("ko",))
    return timeline.aftercare, timeline.stages[0], "label"


def track_case():
    timeline = aftercare_timeline(stages=1, tracks=1, published=("ko",))
    return timeline.aftercare, timeline.tracks[0], "label"


def entry_case():
    timeline = aftercare_timeline(stages=1, tracks=1, published=("ko",))
    stage, track = timeline.stages[0], timeline.tracks[0]
    return timeline.aftercare, timeline.entry(stage, track), "text"


def channel_case():
    profile = ClinicProfileFactory()
    channel = ClinicChannelFactory(profile=profile)
    profile.publish("ko")
    return profile, channel, "label"


PART_CASES = {
    "list item": list_item_case,
    "article block": block_case,
    "method fact": fact_case,
    "aftercare stage": stage_case,
    "aftercare track": track_case,
    "aftercare entry": entry_case,
    "clinic channel": channel_case,
}


@pytest.mark.parametrize("case", PART_CASES.values(), ids=PART_CASES.keys())
def test_emptying_korean_text_of_part_of_korean_published_object_waits_for_publishing(
    client, refused, case
):
    """The save goes through; readers keep the published version, and publishing
    Korean again is refused until the text is back."""
    root, part, field = case()
    name = str(part._meta.get_field(field).verbose_name)
    empty = "<p></p>" if field == "body" else ""

    with unchanged_for_readers(client, root):
        setattr(part, f"{field}_ko", empty)
        part.save()
        with refused("Cannot publish in Korean: it is not complete.") as messages:
            fresh(root).publish("ko")

    assert missing_in(messages[0], "Korean") == {f"{part.describe()}: {name}"}
    assert empty_in(fresh(part), field, "ko")
    assert not fresh(root).complete_ko
    assert "ko" in fresh(root).published_languages
    retyped = "다시 쓴 글"
    setattr(part, f"{field}_ko", f"<p>{retyped}</p>" if field == "body" else retyped)
    part.save()
    fresh(root).publish("ko")
    assert fresh(root).complete_ko
    assert shows(client, retyped, "ko")


@pytest.mark.parametrize("case", PART_CASES.values(), ids=PART_CASES.keys())
def test_emptying_japanese_text_of_part_of_korean_published_object_is_allowed(case):
    root, part, field = case()

    setattr(part, f"{field}_ja", "")
    part.save()

    assert fresh(root).complete_ko
    assert not fresh(root).complete_ja


def test_english_only_item_added_to_korean_published_list_waits_for_its_korean(
    client, refused
):
    item_list = item_list_with_items(published=("en", "ko"))

    new = ListItem(item_list=item_list, position=9, title_en="Risorius", text_en="…")
    with unchanged_for_readers(client, item_list):
        new.save()
        with refused("Cannot publish in Korean: it is not complete.") as messages:
            fresh(item_list).publish("ko")

    assert missing_in(messages[0], "Korean") == {
        "Item “Risorius”: title",
        "Item “Risorius”: text",
    }
    assert item_list.items.count() == 3
    assert not fresh(item_list).complete_ko
    new.title_ko, new.text_ko = "입꼬리당김근", "입꼬리를 옆으로 당깁니다."
    new.save()
    fresh(item_list).publish("ko")
    assert "입꼬리당김근" in [
        i["title"] for i in detail(client, item_list, "ko")["items"]
    ]


def test_english_text_added_to_part_of_korean_published_object_waits_for_korean(
    client, refused
):
    item_list = ItemListFactory()
    item = ListItemFactory(
        item_list=item_list, title_en="Risorius", text_en="", text_ko="", text_ja=""
    )
    item_list.publish("ko")

    with unchanged_for_readers(client, item_list):
        item.text_en = "Pulls the corner sideways."
        item.save()
        with refused("Cannot publish in Korean") as messages:
            fresh(item_list).publish("ko")

    assert missing_in(messages[0], "Korean") == {"Item “Risorius”: text"}
    assert fresh(item).text_en == "Pulls the corner sideways."
    assert not fresh(item_list).complete_ko
    item.text_ko = "입꼬리를 옆으로 당깁니다."
    item.save()
    fresh(item_list).publish("ko")
    assert shows(client, "입꼬리를 옆으로 당깁니다.", "ko")


def test_english_text_added_to_korean_published_object_waits_for_its_korean(
    client, refused
):
    article = ArticleFactory(summary_en="", summary_ko="", summary_ja="")
    article.publish("ko")

    with unchanged_for_readers(client, article):
        article.summary_en = "Fine in the mirror, pulled sideways in photos."
        article.save()
        with refused("Cannot publish in Korean") as messages:
            fresh(article).publish("ko")

    assert missing_in(messages[0], "Korean") == {"summary"}
    assert not fresh(article).complete_ko
    article.summary_ko = "거울에서는 괜찮은데 사진에서는 옆으로 당겨집니다."
    article.save()
    fresh(article).publish("ko")
    assert detail(client, article, "ko")["summary"] == article.summary_ko


def test_adding_english_only_item_to_list_published_in_english_only_is_allowed():
    item_list = item_list_with_items(published=("en",))

    ListItem(item_list=item_list, position=9, title_en="Risorius").save()

    assert item_list.items.count() == 3
    assert fresh(item_list).published_languages == ["en"]
    assert not fresh(item_list).complete_ko


def test_english_only_block_added_to_korean_published_article_waits_for_korean(
    client, refused
):
    article = ArticleFactory()
    ArticleBlockFactory(article=article, position=1)
    article.publish("ko")

    with unchanged_for_readers(client, article):
        block = ArticleBlockFactory(
            article=article,
            position=2,
            heading_en="Bottom line",
            heading_ko="",
            body_ko="",
            heading_ja="",
        )
        with refused("Cannot publish in Korean") as messages:
            fresh(article).publish("ko")

    assert missing_in(messages[0], "Korean") == {
        "Block 2 “Bottom line”: heading",
        "Block 2 “Bottom line”: body",
    }
    assert article.blocks.count() == 2
    block.heading_ko, block.body_ko = "결론", "<p>원인이 결정합니다.</p>"
    block.save()
    fresh(article).publish("ko")
    shown = detail(client, article, "ko")["blocks"]
    assert [b["heading"] for b in shown][1] == "결론"


def test_untranslated_stage_added_to_korean_published_aftercare_waits_for_korean(
    client, refused
):
    timeline = aftercare_timeline(stages=1, tracks=1, published=("ko",))
    track = timeline.tracks[0]

    stage = AftercareStage(
        aftercare=timeline.aftercare, label_en="Beyond", start_day=29, position=9
    )
    with unchanged_for_readers(client, timeline.aftercare):
        stage.save()
        with refused() as messages:
            fresh(timeline.aftercare).publish("ko")

    assert missing_in(messages[0], "Korean") == {
        "aftercare stage “Beyond”: label",
        f"Beyond × {track.label_en}: the cell is empty",
    }
    stage.label_ko = "한 달 이후"
    stage.save()
    AftercareEntryFactory(stage=stage, track=track)
    fresh(timeline.aftercare).publish("ko")
    assert shows(client, "한 달 이후", "ko")


def test_row_without_cells_added_to_published_comparison_waits_for_its_cells(
    client, refused
):
    grid = comparison_grid(methods=1, criteria=1, published=("en",))
    scarring = CriterionFactory(name_en="Scarring")

    with unchanged_for_readers(client, grid.comparison):
        ComparisonRow(comparison=grid.comparison, criterion=scarring).save()
        with refused(f"{grid.methods[0].name_en} × Scarring: the cell is empty"):
            fresh(grid.comparison).publish("en")

    assert grid.comparison.rows.count() == 2
    assert not fresh(grid.comparison).complete_en
    MethodFactFactory(method=grid.methods[0], criterion=scarring, text_en="None")
    fresh(grid.comparison).publish("en")
    rows = detail(client, grid.comparison, "en")["rows"]
    shown = {row["criterion"]["name"]: row["cells"] for row in rows}
    assert shown["Scarring"] == ["None"]


def test_column_for_method_not_published_there_waits_for_that_method(client, refused):
    grid = comparison_grid(methods=1, criteria=1, published=("en", "ko"))
    lift = MethodFactory(name_en="Lift", published_en=True)
    MethodFactFactory(method=lift, criterion=grid.criteria[0])

    with unchanged_for_readers(client, grid.comparison):
        ComparisonColumnFactory(comparison=grid.comparison, method=lift)
        with refused() as messages:
            fresh(grid.comparison).publish("ko")

    assert missing_in(messages[0], "Korean") == {
        "method “Lift” is not published in Korean"
    }
    assert fresh(grid.comparison).complete_en
    assert not fresh(grid.comparison).complete_ko
    lift.publish("ko")
    fresh(grid.comparison).publish("ko")
    columns = detail(client, grid.comparison, "ko")["columns"]
    assert [c["name"] for c in columns][-1] == lift.name_ko


def test_emptying_korean_name_of_korean_published_method_waits_for_a_new_one(
    client, refused
):
    method = MethodFactory(name_en="Botox", published_ko=True)
    name = method.name_ko

    with unchanged_for_readers(client, method):
        method.name_ko = ""
        method.save()
        with refused("Cannot publish in Korean: it is not complete.") as messages:
            fresh(method).publish("ko")

    assert missing_in(messages[0], "Korean") == {"name"}
    assert fresh(method).name_ko == ""
    assert detail(client, method, "ko")["name"] == name
    method.name_ko = "보툴리눔 톡신"
    method.save()
    fresh(method).publish("ko")
    assert detail(client, method, "ko")["name"] == "보툴리눔 톡신"


def test_emptying_criterion_name_in_korean_waits_while_korean_content_shows_it(
    client, refused
):
    grid = comparison_grid(methods=1, criteria=1, published=("ko",))
    botox, onset = grid.methods[0], grid.criteria[0]

    with unchanged_for_readers(client, botox, grid.comparison):
        onset.name_ko = ""
        onset.save()
        for shown_in in (botox, grid.comparison):
            with refused(f"criterion “{onset.name_en}”: name"):
                fresh(shown_in).publish("ko")

    assert fresh(onset).name_ko == ""
    assert not fresh(botox).complete_ko
    assert not fresh(grid.comparison).complete_ko
    onset.name_ko = "효과가 나타나는 때"
    onset.save()
    for shown_in in (botox, grid.comparison):
        fresh(shown_in).publish("ko")
    rows = detail(client, grid.comparison, "ko")["rows"]
    assert rows[0]["criterion"]["name"] == "효과가 나타나는 때"


def test_emptying_criterion_name_in_japanese_is_allowed_when_nothing_shows_it_there():
    grid = comparison_grid(methods=1, criteria=1, published=("ko",))
    onset = grid.criteria[0]

    onset.name_ja = ""
    onset.save()

    assert fresh(onset).name_ja == ""
    assert not fresh(grid.comparison).complete_ja
    assert not fresh(grid.methods[0]).complete_ja


# Unpublishing what published content embeds.


def article_embedding(kind: str):
    embedded = embeddable(kind, published=("en", "ko"))
    article = ArticleFactory()
    ArticleBlockFactory(article=article, position=1, **embedding_block(kind, embedded))
    article.publish("ko")
    return embedded, article


def profile_embedding(which: str):
    item_list = item_list_with_items(published=("en", "ko"))
    profile = ClinicProfileFactory(**{which: item_list})
    profile.publish("ko")
    return item_list, profile


def column_embedding():
    grid = comparison_grid(methods=1, criteria=1, published=("ko",))
    grid.methods[0].publish("en")
    return grid.methods[0], grid.comparison


EMBEDDINGS = {
    "item list in an article block": lambda: article_embedding("list"),
    "comparison in an article block": lambda: article_embedding("comparison"),
    "aftercare in an article block": lambda: article_embedding("aftercare"),
    "trust points of the clinic": lambda: profile_embedding("trust_points"),
    "care system of the clinic": lambda: profile_embedding("care_system"),
    "method as a comparison column": column_embedding,
}


@pytest.mark.parametrize("embedding", EMBEDDINGS.values(), ids=EMBEDDINGS.keys())
def test_unpublishing_embedded_object_is_refused_and_names_the_dependent(
    refused, embedding
):
    embedded, dependent = embedding()

    with refused() as messages:
        embedded.unpublish("ko")

    assert messages == [
        "Cannot unpublish in Korean: published content embeds it: "
        f"{dependent.describe()}. Unpublish those in Korean first, or remove this "
        "from them."
    ]
    assert fresh(embedded).published_ko


@pytest.mark.parametrize("embedding", EMBEDDINGS.values(), ids=EMBEDDINGS.keys())
def test_embedded_object_can_be_unpublished_once_its_dependent_is(embedding):
    embedded, dependent = embedding()

    dependent.unpublish("ko")
    embedded.unpublish("ko")

    assert "ko" not in fresh(embedded).published_languages


@pytest.mark.parametrize("embedding", EMBEDDINGS.values(), ids=EMBEDDINGS.keys())
def test_embedded_object_can_be_unpublished_where_its_dependent_is_not_published(
    embedding,
):
    embedded, dependent = embedding()
    assert not dependent.published_en

    embedded.unpublish("en")

    assert fresh(embedded).published_languages == ["ko"]


def test_unpublishing_list_embedded_twice_names_every_dependent(refused):
    item_list = item_list_with_items(published=("ko",))
    first, second = ArticleFactory(), ArticleFactory()
    for article in (first, second):
        ArticleBlockFactory(article=article, kind="list", item_list=item_list)
        article.publish("ko")

    with refused(first.describe(), second.describe()):
        item_list.unpublish("ko")


# Stored completeness flags.


def test_complete_flags_are_stored_per_language():
    method = MethodFactory(name_ja="")

    stored = fresh(method)
    assert stored.complete_languages == ["en", "ko"]
    assert list(Method.objects.incomplete("ja")) == [method]
    assert list(Method.objects.incomplete("zh-hans")) == [method]
    assert not Method.objects.incomplete("ko").exists()


def test_saving_a_part_refreshes_the_stored_flags_of_its_object():
    item_list = item_list_with_items(items=1)
    assert fresh(item_list).complete_ko

    item = ListItemFactory(item_list=item_list, text_ko="")
    assert not fresh(item_list).complete_ko

    item.text_ko = "입꼬리를 아래로 당깁니다."
    item.save()
    assert fresh(item_list).complete_ko


def test_deleting_a_part_refreshes_the_stored_flags_of_its_object():
    item_list = item_list_with_items(items=1)
    untranslated = ListItemFactory(item_list=item_list, title_ja="")
    assert not fresh(item_list).complete_ja

    untranslated.delete()

    assert fresh(item_list).complete_ja


def test_emptying_criterion_name_marks_draft_methods_incomplete_in_that_language():
    grid = comparison_grid(methods=1, criteria=1)
    onset = grid.criteria[0]
    assert fresh(grid.methods[0]).complete_ja

    onset.name_ja = ""
    onset.save()

    assert not fresh(grid.methods[0]).complete_ja


def test_deleting_a_fact_marks_a_draft_comparison_incomplete():
    grid = comparison_grid(methods=1, criteria=2)
    grid.methods[0].publish("ko")
    grid.comparison.save()
    assert fresh(grid.comparison).complete_ko

    grid.fact(grid.methods[0], grid.criteria[0]).delete()

    assert not fresh(grid.comparison).complete_ko


def test_publishing_its_methods_marks_the_comparison_complete_in_that_language():
    grid = comparison_grid(methods=2, criteria=1)
    assert not fresh(grid.comparison).complete_ko

    for method in grid.methods:
        method.publish("ko")

    assert fresh(grid.comparison).complete_ko


def test_emptying_english_text_of_a_cell_of_a_published_comparison_waits_for_it(
    client, refused
):
    """An empty English cell is an empty cell in every language (the English is
    the source): neither published language can be published again."""
    grid = comparison_grid(methods=1, criteria=1, published=("en", "ko"))
    fact = grid.fact(grid.methods[0], grid.criteria[0])
    cell = f"{grid.methods[0].name_en} × {grid.criteria[0].name_en}: the cell is empty"

    with unchanged_for_readers(client, grid.comparison, grid.methods[0]):
        fact.text_en = ""
        fact.save()
        for code in ("en", "ko"):
            with refused(cell):
                fresh(grid.comparison).publish(code)

    assert fresh(grid.comparison).complete_languages == []
    fact.text_en = "After a week"
    fact.save()
    fresh(grid.methods[0]).publish("en")
    fresh(grid.comparison).publish("en")
    assert detail(client, grid.comparison, "en")["rows"][0]["cells"] == ["After a week"]


def test_deleting_a_cell_of_a_published_comparison_waits_for_a_new_cell(
    client, refused
):
    grid = comparison_grid(methods=1, criteria=1, published=("en", "ko"))
    botox, onset = grid.methods[0], grid.criteria[0]
    cell = f"{botox.name_en} × {onset.name_en}: the cell is empty"

    with unchanged_for_readers(client, grid.comparison, botox):
        grid.fact(botox, onset).delete()
        for code in ("en", "ko"):
            with refused(cell):
                fresh(grid.comparison).publish(code)

    assert fresh(grid.comparison).complete_languages == []
    MethodFactFactory(method=botox, criterion=onset, text_en="After a week")
    fresh(botox).publish("en")
    fresh(grid.comparison).publish("en")
    assert detail(client, grid.comparison, "en")["rows"][0]["cells"] == ["After a week"]


def test_deferred_completeness_refreshes_each_object_once_at_the_end(
    monkeypatch, django_assert_max_num_queries
):
    item_list = item_list_with_items(items=1)
    refreshed = []
    original = ItemList.refresh_completeness

    def spy(self, **kwargs):
        refreshed.append(self.pk)
        original(self, **kwargs)

    monkeypatch.setattr(ItemList, "refresh_completeness", spy)

    # 20 inserts, the check below, then one refresh (read, parts, update) that also
    # looks for what embeds the list (articles, the clinic profile) to touch.
    with django_assert_max_num_queries(20 + 1 + 3 + 2), deferred_completeness():
        for position in range(20):
            ListItemFactory(item_list=item_list, position=position, title_ko="")
        assert fresh(item_list).complete_ko, "refreshed before the end"
        assert refreshed == []

    assert refreshed == [item_list.pk]
    assert not fresh(item_list).complete_ko


def test_deferred_completeness_refreshes_every_touched_object():
    lists = [item_list_with_items(items=1) for _ in range(3)]

    with deferred_completeness(), deferred_completeness():
        for item_list in lists[:2]:
            ListItemFactory(item_list=item_list, text_ja="")
        assert all(fresh(item_list).complete_ja for item_list in lists)

    assert [fresh(item_list).complete_ja for item_list in lists] == [
        False,
        False,
        True,
    ]


def test_saving_parts_outside_deferred_completeness_refreshes_after_each_save(
    monkeypatch,
):
    item_list = item_list_with_items(items=1)
    calls = []
    original = ItemList.refresh_completeness
    monkeypatch.setattr(
        ItemList,
        "refresh_completeness",
        lambda self, **kwargs: calls.append(self.pk) or original(self, **kwargs),
    )

    ListItemFactory.create_batch(3, item_list=item_list)

    assert calls == [item_list.pk] * 3


def sized_article(size: int) -> Article:
    article = ArticleFactory()
    with deferred_completeness():
        for position in range(size):
            ArticleBlockFactory(article=article, position=2 * position + 1)
            ArticleBlockFactory(
                article=article,
                position=2 * position + 2,
                kind="list",
                item_list=item_list_with_items(items=size, published=("en", "ko")),
            )
    return article


def sized_comparison(size: int) -> Comparison:
    grid = comparison_grid(methods=size, criteria=3 * size)
    for method in grid.methods:
        method.publish("ko")
    return grid.comparison


def sized_aftercare(size: int) -> Aftercare:
    return aftercare_timeline(stages=size, tracks=size).aftercare


def sized_item_list(size: int) -> ItemList:
    return item_list_with_items(items=5 * size)


def sized_method(size: int) -> Method:
    method = MethodFactory()
    MethodFactFactory.create_batch(3 * size, method=method)
    return method


SIZED = {
    "article": sized_article,
    "comparison": sized_comparison,
    "aftercare": sized_aftercare,
    "item list": sized_item_list,
    "method": sized_method,
}


@pytest.mark.parametrize("build", SIZED.values(), ids=SIZED.keys())
def test_publishing_costs_the_same_queries_however_many_parts(build):
    def queries_to_publish(obj) -> int:
        obj = fresh(obj)
        with CaptureQueriesContext(connection) as queries:
            obj.publish("ko")
        assert fresh(obj).published_ko
        return len(queries)

    assert queries_to_publish(build(1)) == queries_to_publish(build(3))


# Article blocks.


@pytest.mark.parametrize("kind", ["list", "comparison", "aftercare"])
def test_block_whose_kind_needs_a_reference_is_refused_by_the_database(kind):
    article = ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleBlock.objects.create(article=article, kind=kind, heading_en="Muscles")


@pytest.mark.parametrize(
    ("kind", "field"),
    [("list", "item_list"), ("comparison", "comparison"), ("aftercare", "aftercare")],
)
def test_block_clean_names_the_missing_reference(kind, field):
    block = ArticleBlock(article=ArticleFactory(), kind=kind, position=1)

    with pytest.raises(ValidationError) as info:
        block.clean()

    assert info.value.message_dict == {
        field: ["A block of this kind needs this field."]
    }


def test_call_to_action_block_clean_needs_label_and_link():
    block = ArticleBlock(article=ArticleFactory(), kind="cta", heading_en="Chat")

    with pytest.raises(ValidationError) as info:
        block.clean()

    assert info.value.message_dict == {
        "cta_label": ["A call to action needs a button label."],
        "cta_url": ["A call to action needs a button link."],
    }


def test_text_block_clean_accepts_no_reference():
    ArticleBlock(article=ArticleFactory(), kind="text", body_en="<p>Hi</p>").clean()


# The clinic profile.


def test_clinic_profile_is_a_singleton():
    first = ClinicProfileFactory()

    second = ClinicProfile(name_en="Another clinic", years_of_practice=3)
    second.save()

    assert first.pk == second.pk == 1
    assert ClinicProfile.objects.count() == 1
    assert ClinicProfile.load().name_en == "Another clinic"


def test_database_refuses_a_second_clinic_profile_row():
    ClinicProfileFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ClinicProfile.objects.bulk_create([ClinicProfile(pk=2, name_en="Other")])


# FAQ collections do not block the article (see tests/faq for the FAQ rules).


def test_article_with_faq_block_is_published_without_its_faq_items_published():
    article = ArticleFactory()
    ArticleBlockFactory(article=article, kind="faq", heading_en="FAQ")
    item = FAQItemFactory()
    item.articles.add(article)

    article.publish("ko")

    assert fresh(article).published_ko
    assert not fresh(item).published_ko


def test_article_with_cause_types_block_is_published_without_cause_types_published():
    article = ArticleFactory()
    ArticleBlockFactory(article=article, kind="cause_types", heading_en="Four types")
    CauseTypeFactory()

    article.publish("ja")

    assert fresh(article).published_ja


def test_refusal_lists_missing_fields_in_the_order_of_the_form(refused):
    cases = [
        (
            CauseTypeFactory(),
            ["name", "slug", "tagline", "description", "first step"],
        ),
        (
            ArticleFactory(seo_title_en="Mouth corners", meta_description_en="Why…"),
            ["title", "slug", "summary", "SEO title", "meta description"],
        ),
        (ComparisonFactory(), ["title", "slug", "introduction", "bottom line"]),
        (
            FAQItemFactory(category__name_zh_hans="嘴角不对称"),
            ["question", "slug", "answer"],
        ),
    ]
    for obj, expected in cases:
        with refused() as messages:
            obj.publish("zh-hans")
        listed = messages[0].split("Missing in Simplified Chinese: ", 1)[1]
        assert listed.removesuffix(".").split("; ") == expected


def test_a_method_scheduled_after_a_published_comparison_waits_to_be_its_column(
    client, refused
):
    grid = comparison_grid(methods=1, criteria=1, published=("en",))
    late = MethodFactory(publish_at=timezone.now() + datetime.timedelta(days=7))
    MethodFactFactory(method=late, criterion=grid.criteria[0])
    late.publish("en")

    with unchanged_for_readers(client, grid.comparison):
        ComparisonColumnFactory(comparison=grid.comparison, method=late, position=9)
        with refused("is scheduled after this one"):
            fresh(grid.comparison).publish("en")

    assert not fresh(grid.comparison).complete_en
    late.publish_at = timezone.now()
    late.save()
    fresh(late).publish("en")
    fresh(grid.comparison).publish("en")
    columns = detail(client, grid.comparison, "en")["columns"]
    assert [c["name"] for c in columns][-1] == late.name_en


@pytest.mark.parametrize(
    ("factory", "fields", "missing"),
    [
        (ArticleFactory, {"title_en": ""}, "title"),
        (ItemListFactory, {"title_en": ""}, "title"),
        (MethodFactory, {"name_en": ""}, "name"),
        (CauseTypeFactory, {"name_en": ""}, "name"),
    ],
)
def test_an_object_without_its_required_text_cannot_be_published_in_that_language(
    refused, factory, fields, missing
):
    obj = factory(**fields)

    with refused("Cannot publish in English", f"Missing in English: {missing}"):
        obj.publish("en")

    assert not fresh(obj).complete_en


@pytest.mark.parametrize(
    ("kind", "fields", "missing"),
    [
        (ArticleBlock.Kind.TEXT, {"body_ko": "<p></p>"}, "body"),
        (ArticleBlock.Kind.CALLOUT, {"body_en": "", "body_ko": ""}, "body"),
        (
            ArticleBlock.Kind.CTA,
            {"cta_label_ko": "", "cta_url_ko": "https://drtak.example/ko"},
            "button label",
        ),
    ],
)
def test_a_block_needs_the_text_its_kind_shows_in_every_published_language(
    refused, kind, fields, missing
):
    block = ArticleBlockFactory(kind=kind, **fields)

    with refused("Cannot publish in Korean", missing):
        block.article.publish("ko")

    assert not fresh(block.article).published_ko
