"""Two editors with the same change form open (two test clients, two accounts): a
save from the stale form is refused with what the other editor changed listed and
everything typed kept; saving again applies it. A form with no token is refused too.
The change form carries no publication state, so a stale form cannot publish or
unpublish anything (the FAQ item 2 reproduction of issue 18)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from content.models import Article, ClinicProfile, ItemList, ListItem
from faq.models import FAQCategory, FAQItem
from publication.conflicts import TOKEN_FIELD
from publication.languages import LANGUAGE_CODES
from publication.models import published_field
from tests.conftest import fresh


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def panel_url(obj) -> str:
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_publication", args=[obj.pk]
    )


def form_id(obj) -> str:
    return f"{obj._meta.model_name}_form"


def form_errors(response) -> list[str]:
    return list(response.context["adminform"].form.non_field_errors())


def changes(response) -> list[tuple[str, str, str, str | None, str]]:
    conflict = response.context["conflict"]
    return [(c.kind, c.what, c.field, c.before, c.after) for c in conflict.changes]


def without_token(data) -> dict:
    return {name: value for name, value in data.items() if name != TOKEN_FIELD}


THEIR_QUESTION = "다른 편집자가 고친 질문"
THEIR_ANSWER = "Another editor's answer."


def shown(value: str) -> str:
    """A value as the conflict table shows it: plain text, cut (conflicts.py)."""
    return Truncator(strip_tags(value).strip()).chars(80)


@pytest.fixture
def other_editor(django_user_model) -> Client:
    """A second editor, logged in in a browser of their own."""
    user = django_user_model.objects.create_superuser("bora", "bora@example.com")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def faq_item_2(demo) -> FAQItem:
    return FAQItem.objects.order_by("pk")[1]


def test_a_save_from_a_stale_form_is_refused_listing_the_other_editors_changes(
    admin_client, other_editor, form_reader, faq_item_2
):
    item = faq_item_2
    before = fresh(item)
    mine = form_reader(admin_client.get(change_url(item)), form_id(item))
    theirs = form_reader(other_editor.get(change_url(item)), form_id(item))
    theirs["question_ko"] = [THEIR_QUESTION]
    theirs["answer_en"] = ["<p>Another editor's answer.</p>"]
    assert other_editor.post(change_url(item), theirs).status_code == 302
    mine["question_en"] = ["My new question?"]
    mine["answer_ja"] = ["<p>私の答え。</p>"]

    response = admin_client.post(change_url(item), mine)

    assert response.status_code == 200
    [error] = form_errors(response)
    assert error.startswith(
        "Someone else saved this FAQ item since you opened it: bora, "
    )
    assert "Saving again overwrites their changes with yours." in error
    # The old Korean question travelled in the form; the old English answer
    # (long rich text) is known only from a version, and this item has none.
    assert sorted(changes(response)) == [
        # The long answer's old text comes from the demo's first version.
        ("changed", "", "Answer (English)", shown(before.answer_en), THEIR_ANSWER),
        ("changed", "", "Question (Korean)", before.question_ko, THEIR_QUESTION),
    ]
    page = response.content.decode()
    assert "다른 편집자가 고친 질문" in page
    # Nothing of mine was saved, theirs is intact.
    item = fresh(item)
    assert item.question_en == before.question_en
    assert item.answer_ja == before.answer_ja
    assert item.question_ko == "다른 편집자가 고친 질문"
    # Everything I typed is still in the form; only the token is new.
    again = form_reader(response, form_id(item))
    assert without_token(again) == without_token(mine)
    assert again[TOKEN_FIELD] != mine[TOKEN_FIELD]


def test_saving_the_refused_form_again_applies_it(
    admin_client, other_editor, form_reader, faq_item_2
):
    item = faq_item_2
    mine = form_reader(admin_client.get(change_url(item)), form_id(item))
    theirs = form_reader(other_editor.get(change_url(item)), form_id(item))
    theirs["question_ko"] = ["다른 편집자가 고친 질문"]
    assert other_editor.post(change_url(item), theirs).status_code == 302
    mine["question_en"] = ["My new question?"]
    refused = admin_client.post(change_url(item), mine)
    assert refused.status_code == 200

    response = admin_client.post(change_url(item), form_reader(refused, form_id(item)))

    assert response.status_code == 302
    item = fresh(item)
    assert item.question_en == "My new question?"
    # As the message said: this editor's form, their change overwritten.
    assert item.question_ko == mine["question_ko"][0]


def test_old_long_texts_are_shown_from_the_version_the_form_was_opened_with(
    admin_client, other_editor, form_reader, faq_item_2
):
    item = faq_item_2
    first = form_reader(admin_client.get(change_url(item)), form_id(item))
    # A save through the admin keeps a version: the state the next form opens.
    assert admin_client.post(change_url(item), first).status_code == 302
    old_answer = fresh(item).answer_en
    mine = form_reader(admin_client.get(change_url(item)), form_id(item))
    theirs = form_reader(other_editor.get(change_url(item)), form_id(item))
    theirs["answer_en"] = ["<p>Another editor's answer.</p>"]
    assert other_editor.post(change_url(item), theirs).status_code == 302

    response = admin_client.post(change_url(item), mine)

    [(kind, what, label, before, after)] = changes(response)
    assert (kind, what, label, after) == (
        "changed",
        "",
        "Answer (English)",
        "Another editor's answer.",
    )
    assert before.startswith("For dynamic asymmetry that appears only when smiling")
    assert old_answer.startswith("<p>For dynamic asymmetry")


def test_a_form_without_a_token_is_refused_with_a_clear_message(
    admin_client, form_reader, faq_item_2
):
    item = faq_item_2
    data = without_token(form_reader(admin_client.get(change_url(item)), form_id(item)))
    data["question_en"] = ["Typed in a form opened before the update"]

    response = admin_client.post(change_url(item), data)

    assert response.status_code == 200
    [error] = form_errors(response)
    assert error.startswith(
        "This form does not say which version of this FAQ item it was opened with"
    )
    assert fresh(item).question_en != "Typed in a form opened before the update"
    again = form_reader(response, form_id(item))
    assert without_token(again) == data
    assert admin_client.post(change_url(item), again).status_code == 302
    assert fresh(item).question_en == "Typed in a form opened before the update"


@pytest.mark.parametrize("token", ["", "garbage", "eyJvIjoiZmFxIn0:forged:sig"])
def test_an_altered_token_is_refused_never_a_server_error(
    admin_client, form_reader, faq_item_2, token
):
    item = faq_item_2
    data = form_reader(admin_client.get(change_url(item)), form_id(item))
    data[TOKEN_FIELD] = [token]

    response = admin_client.post(change_url(item), data)

    assert response.status_code == 200
    [error] = form_errors(response)
    assert "does not say which version" in error


def test_another_objects_token_is_refused(admin_client, form_reader, demo):
    first, second = FAQItem.objects.order_by("pk")[:2]
    data = form_reader(admin_client.get(change_url(second)), form_id(second))
    data[TOKEN_FIELD] = form_reader(
        admin_client.get(change_url(first)), form_id(first)
    )[TOKEN_FIELD]

    response = admin_client.post(change_url(second), data)

    assert response.status_code == 200
    assert "does not say which version" in form_errors(response)[0]


def test_a_double_click_on_save_commits_once_and_loses_nothing(
    admin_client, form_reader, faq_item_2
):
    item = faq_item_2
    data = form_reader(admin_client.get(change_url(item)), form_id(item))
    data["question_en"] = ["Saved by the first click?"]

    first = admin_client.post(change_url(item), data)
    second = admin_client.post(change_url(item), data)

    assert first.status_code == 302
    assert second.status_code == 200
    [error] = form_errors(second)
    assert error.startswith("You saved this FAQ item yourself")
    assert fresh(item).question_en == "Saved by the first click?"
    assert form_reader(second, form_id(item))["question_en"] == [
        "Saved by the first click?"
    ]


def test_a_form_saved_unchanged_twice_in_a_row_is_no_conflict(
    admin_client, form_reader, faq_item_2
):
    # Only what a save changes makes a form stale.
    item = faq_item_2
    data = form_reader(admin_client.get(change_url(item)), form_id(item))

    assert admin_client.post(change_url(item), data).status_code == 302
    assert admin_client.post(change_url(item), data).status_code == 302


def test_links_changed_by_another_editor_are_a_conflict(
    admin_client, other_editor, form_reader, faq_item_2
):
    item = faq_item_2
    mine = form_reader(admin_client.get(change_url(item)), form_id(item))
    theirs = form_reader(other_editor.get(change_url(item)), form_id(item))
    theirs["methods"] = []
    assert other_editor.post(change_url(item), theirs).status_code == 302
    mine["question_en"] = ["Mine"]

    response = admin_client.post(change_url(item), mine)

    assert response.status_code == 200
    [(kind, what, label, _before, after)] = changes(response)
    assert (kind, what, label, after) == ("changed", "", "Methods", "—")
    assert list(fresh(item).methods.all()) == []


@pytest.fixture
def item_list(demo) -> ItemList:
    return ItemList.objects.order_by("pk").first()


def test_parts_added_removed_and_changed_by_another_editor_are_listed(
    admin_client, other_editor, form_reader, inline_row_adder, item_list
):
    items = list(item_list.items.order_by("position"))
    mine = form_reader(admin_client.get(change_url(item_list)), form_id(item_list))
    theirs = form_reader(other_editor.get(change_url(item_list)), form_id(item_list))
    rows = {theirs[f"items-{i}-id"][0]: i for i in range(len(items))}
    theirs[f"items-{rows[str(items[0].pk)]}-title_ja"] = ["新しい項目名"]
    theirs[f"items-{rows[str(items[1].pk)]}-DELETE"] = ["on"]
    # Removing a part keeps the list complete; the added one is a draft's.
    assert other_editor.post(change_url(item_list), theirs).status_code == 302
    mine["title_en"] = ["My list title"]

    response = admin_client.post(change_url(item_list), mine)

    assert response.status_code == 200
    listed = changes(response)
    assert (
        "changed",
        items[0].describe(),
        "Title (Japanese)",
        items[0].title_ja,
        "新しい項目名",
    ) in listed
    assert ("removed", items[1].describe(), "", None, "") in listed
    assert len(listed) == 2
    assert not ListItem.objects.filter(pk=items[1].pk).exists()
    assert fresh(item_list).title_en != "My list title"
    page = response.content.decode()
    assert "Changed since you opened this form" in page


def test_a_part_added_by_another_editor_is_listed(
    admin_client, other_editor, form_reader, inline_row_adder, demo
):
    item_list = ItemList.objects.create(title_en="Draft list")
    mine = form_reader(admin_client.get(change_url(item_list)), form_id(item_list))
    theirs = form_reader(other_editor.get(change_url(item_list)), form_id(item_list))
    inline_row_adder(theirs, "items", {"title_en": "A new item", "position": "1"})
    assert other_editor.post(change_url(item_list), theirs).status_code == 302
    mine["title_en"] = ["My list title"]

    response = admin_client.post(change_url(item_list), mine)

    assert response.status_code == 200
    [added] = changes(response)
    assert added[:2] == ("added", item_list.items.get().describe())


def test_an_faq_category_and_the_clinic_profile_refuse_stale_saves(
    admin_client, other_editor, form_reader, demo
):
    for obj, name in (
        (FAQCategory.objects.order_by("pk").first(), "name_en"),
        (ClinicProfile.objects.get(), "name_en"),
    ):
        mine = form_reader(admin_client.get(change_url(obj)), form_id(obj))
        theirs = form_reader(other_editor.get(change_url(obj)), form_id(obj))
        theirs[name] = ["Theirs"]
        assert other_editor.post(change_url(obj), theirs).status_code == 302
        mine[name] = ["Mine"]

        response = admin_client.post(change_url(obj), mine)

        assert response.status_code == 200, obj
        assert form_errors(response)[0].startswith("Someone else saved this")
        assert ("changed", "", "Name (English)") in [c[:3] for c in changes(response)]
        assert getattr(fresh(obj), name) == "Theirs"


# Publication state is not in the change form.


@pytest.mark.parametrize("model", [FAQItem, Article, ClinicProfile])
def test_the_change_form_carries_no_publication_state(
    admin_client, form_reader, demo, model
):
    obj = model.objects.order_by("pk").first()

    data = form_reader(admin_client.get(change_url(obj)), form_id(obj))

    forbidden = {"publish_at", *(published_field(code) for code in LANGUAGE_CODES)}
    assert forbidden.isdisjoint(data)
    assert TOKEN_FIELD in data


def test_a_stale_form_cannot_publish_again_what_another_editor_unpublished(
    admin_client, other_editor, form_reader, faq_item_2
):
    # Issue 18: editor A opens FAQ item 2, editor B unpublishes English from the
    # publication panel, A saves its form: English stays unpublished.
    item = faq_item_2
    assert "en" in item.published_languages
    mine = form_reader(admin_client.get(change_url(item)), form_id(item))
    assert other_editor.post(panel_url(item), {"unpublish": "en"}).status_code == 302
    assert "en" not in fresh(item).published_languages
    mine["answer_ko"] = ["<p>A가 고친 답변.</p>"]

    response = admin_client.post(change_url(item), mine)

    # Not a conflict: the form writes no publication state, so B's unpublish
    # cannot be undone by it and A's text goes in.
    assert response.status_code == 302
    item = fresh(item)
    assert "en" not in item.published_languages
    assert item.answer_ko == "<p>A가 고친 답변.</p>"


def test_a_stale_form_cannot_unpublish_what_another_editor_published(
    admin_client, other_editor, form_reader, faq_item_2
):
    item = faq_item_2
    item.unpublish("ja")
    mine = form_reader(admin_client.get(change_url(item)), form_id(item))
    assert other_editor.post(panel_url(item), {"publish": "ja"}).status_code == 302

    assert admin_client.post(change_url(item), mine).status_code == 302

    assert "ja" in fresh(item).published_languages
