"""The grid pages: every cell of the comparison (criteria × methods) and of the
aftercare timeline (stages × tracks) edited in one language on one page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.urls import reverse
from django.utils.html import escape

from content.models import Aftercare, AftercareEntry, Comparison, MethodFact
from publication.languages import LANGUAGE_CODES, column
from tests.content.served import unchanged_for_readers

GRID_FORM = "grid-form"


def grid_url(obj, code: str | None = None) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_grid", args=[obj.pk])
    return f"{url}?lang={code}" if code else url


def every_text(model) -> dict[int, dict[str, str]]:
    """Each cell's text in every language, by pk: what a save may have touched."""
    fields = [column("text", code) for code in LANGUAGE_CODES]
    return {row["pk"]: row for row in model.objects.values("pk", *fields)}


def fact(criterion_key: str, method_slug: str) -> MethodFact:
    return MethodFact.objects.get(
        criterion__key=criterion_key, method__slug_en=method_slug
    )


def cell_name(cell) -> str:
    if isinstance(cell, MethodFact):
        return f"cell-{cell.criterion_id}-{cell.method_id}"
    return f"cell-{cell.stage_id}-{cell.track_id}"


@pytest.fixture
def comparison(demo) -> Comparison:
    return Comparison.objects.get()


@pytest.fixture
def aftercare(demo) -> Aftercare:
    return Aftercare.objects.get()


def test_comparison_grid_in_japanese_shows_every_cell_with_its_english_source(
    admin_client, form_reader, comparison
):
    response = admin_client.get(grid_url(comparison, "ja"))

    assert response.status_code == 200
    table = response.context["table"]
    assert [str(row) for row, _cells in table] == [
        "Suited to",
        "Mechanism",
        "Onset",
        "Duration",
        "Pain / anesthesia",
        "Recovery",
        "Scarring",
        "Limits",
        "Best when",
    ]
    assert [str(method) for method in response.context["columns"]] == [
        "Botox",
        "Mouth corner lift (surgery)",
        "Muscle re-education / habit",
    ]
    assert [len(cells) for _row, cells in table] == [3] * 9
    facts = MethodFact.objects.filter(method__comparison_columns__comparison=comparison)
    assert len(facts) == 27
    assert form_reader(response, GRID_FORM) == {
        cell_name(f): [f.text_ja] for f in facts
    }
    html = response.content.decode()
    for f in facts:
        assert f.text_ja
        assert f.text_en != f.text_ja
        assert f'<div class="source" lang="en">{escape(f.text_en)}</div>' in html


def test_comparison_grid_in_english_shows_no_source_line(admin_client, comparison):
    response = admin_client.get(grid_url(comparison, "en"))

    assert response.status_code == 200
    assert 'class="source"' not in response.content.decode()


def test_saving_the_comparison_grid_in_japanese_changes_exactly_the_edited_cell(
    admin_client, form_reader, comparison
):
    edited = fact("recovery", "botox")
    before = every_text(MethodFact)
    data = form_reader(admin_client.get(grid_url(comparison, "ja")), GRID_FORM)
    data[cell_name(edited)] = ["ダウンタイムはほとんどありません"]

    response = admin_client.post(grid_url(comparison, "ja"), data)

    assert response.status_code == 302
    assert response["Location"] == grid_url(comparison, "ja")
    before[edited.pk]["text_ja"] = "ダウンタイムはほとんどありません"
    assert every_text(MethodFact) == before
    comparison.refresh_from_db()
    assert comparison.published_languages == ["en", "ko", "ja"]
    assert comparison.complete_languages == ["en", "ko", "ja"]
    page = admin_client.get(response["Location"])
    assert [(m.level, m.message) for m in page.context["messages"]] == [
        (constants.SUCCESS, "Saved 1 cell(s) in Japanese.")
    ]


def publish_in_panel(client, obj, code: str) -> list[tuple[int, str]]:
    """Publish ``obj`` in ``code`` from its publication panel; the messages."""
    opts = obj._meta
    panel = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_publication", args=[obj.pk]
    )
    response = client.post(panel, {"publish": code}, follow=True)
    return [(m.level, m.message) for m in response.context["messages"]]


def test_emptying_a_cell_of_the_comparison_published_in_korean_saves_the_draft(
    admin_client, client, form_reader, comparison
):
    """The cell is emptied in the working copy; readers keep the Korean published,
    and Korean cannot be published again until the cell is written."""
    emptied = fact("mechanism", "mouth-corner-lift")
    retyped = fact("suited_to", "botox")
    before = every_text(MethodFact)
    data = form_reader(admin_client.get(grid_url(comparison, "ko")), GRID_FORM)
    data[cell_name(emptied)] = [""]
    data[cell_name(retyped)] = ["새로 쓴 내용"]

    with unchanged_for_readers(client, comparison, emptied.method, retyped.method):
        response = admin_client.post(grid_url(comparison, "ko"), data, follow=True)
        refusals = [
            publish_in_panel(admin_client, obj, "ko")
            for obj in (comparison, emptied.method)
        ]

    assert response.redirect_chain == [(grid_url(comparison, "ko"), 302)]
    assert [(m.level, m.message) for m in response.context["messages"]] == [
        (constants.SUCCESS, "Saved 2 cell(s) in Korean.")
    ]
    before[emptied.pk]["text_ko"] = ""
    before[retyped.pk]["text_ko"] = "새로 쓴 내용"
    assert every_text(MethodFact) == before
    assert '<td class="missing">' in response.content.decode()
    missing = "Missing in Korean: Mouth corner lift (surgery) × Mechanism: text."
    for refusal in refusals:
        assert refusal == [
            (constants.ERROR, "Nothing was published."),
            (
                constants.ERROR,
                f"Cannot publish in Korean: it is not complete. {missing}",
            ),
        ]
    comparison.refresh_from_db()
    assert comparison.published_languages == ["en", "ko", "ja"]
    assert comparison.complete_languages == ["en", "ja"]


@pytest.mark.parametrize(
    "model", [Comparison, Aftercare], ids=["comparison", "aftercare"]
)
def test_emptying_an_english_cell_of_a_published_grid_saves_the_draft(
    demo, admin_client, client, form_reader, model
):
    """An empty English cell is an empty cell in every language: none of the
    published languages can be published again, and readers keep them all."""
    obj = model.objects.get()
    cell_model = MethodFact if model is Comparison else AftercareEntry
    _rows, _columns, cells = obj.grid()
    emptied = next(iter(cells.values()))
    before = every_text(cell_model)
    data = form_reader(admin_client.get(grid_url(obj, "en")), GRID_FORM)
    data[cell_name(emptied)] = [""]

    with unchanged_for_readers(client, obj):
        response = admin_client.post(grid_url(obj, "en"), data, follow=True)
        refusals = [publish_in_panel(admin_client, obj, c) for c in ("en", "ko", "ja")]

    assert response.redirect_chain == [(grid_url(obj, "en"), 302)]
    before[emptied.pk]["text_en"] = ""
    assert every_text(cell_model) == before
    obj.refresh_from_db()
    assert obj.published_languages == ["en", "ko", "ja"]
    assert obj.complete_languages == []
    for refusal in refusals:
        assert refusal[0] == (constants.ERROR, "Nothing was published.")
        assert refusal[1][1].endswith(": the cell is empty."), refusal


def test_saving_the_aftercare_grid_in_korean_changes_exactly_the_edited_cell(
    admin_client, form_reader, aftercare
):
    edited = AftercareEntry.objects.get(
        stage__label_en="Week 1", track__label_en="Shared care"
    )
    before = every_text(AftercareEntry)
    data = form_reader(admin_client.get(grid_url(aftercare, "ko")), GRID_FORM)
    assert len(data) == 4 * 3
    data[cell_name(edited)] = ["가벼운 산책은 괜찮아요"]

    response = admin_client.post(grid_url(aftercare, "ko"), data)

    assert response.status_code == 302
    assert response["Location"] == grid_url(aftercare, "ko")
    before[edited.pk]["text_ko"] = "가벼운 산책은 괜찮아요"
    assert every_text(AftercareEntry) == before
    aftercare.refresh_from_db()
    assert aftercare.complete_languages == ["en", "ko", "ja"]


def test_saving_an_unchanged_grid_changes_nothing(
    admin_client, form_reader, comparison
):
    before = every_text(MethodFact)
    data = form_reader(admin_client.get(grid_url(comparison, "ko")), GRID_FORM)

    response = admin_client.post(grid_url(comparison, "ko"), data, follow=True)

    assert [m.message for m in response.context["messages"]] == [
        "Saved 0 cell(s) in Korean."
    ]
    assert every_text(MethodFact) == before


def test_grid_in_an_unknown_language_is_not_found(admin_client, comparison):
    response = admin_client.get(grid_url(comparison, "fr"))

    assert response.status_code == 404


def test_grid_of_an_unknown_object_is_not_found(admin_client, demo):
    response = admin_client.get(
        reverse("admin:content_comparison_grid", args=[999]), {"lang": "ja"}
    )

    assert response.status_code == 404


def test_grid_redirects_a_non_staff_user_to_the_login_page(client, comparison):
    user = get_user_model().objects.create_user(username="patient")
    client.force_login(user)

    response = client.get(grid_url(comparison, "ja"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_grid_refuses_staff_without_the_change_permission(client, comparison):
    user = get_user_model().objects.create_user(username="intern", is_staff=True)
    client.force_login(user)
    before = every_text(MethodFact)

    get = client.get(grid_url(comparison, "ja"))
    post = client.post(grid_url(comparison, "ja"), {"cell-1-1": "x"})

    assert get.status_code == post.status_code == 403
    assert every_text(MethodFact) == before
