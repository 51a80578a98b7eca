"""Per-language roles (publication/roles.py) on every path that writes: a Japanese
translator changes Japanese texts only, adds, deletes and reorders nothing, and
publishes nothing; a Korean editor writes and publishes Korean only; a user with
only the FAQ item's change permission edits it but publishes nothing. Each path is
tried as the admin's own forms post, and crafted."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import constants
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from content.models import Article, Comparison
from faq.models import FAQItem
from publication import roles
from tests.admin.test_admin_publication import block_row
from tests.conftest import fresh
from translations.imports import can_translate


def url(obj, page: str, *args) -> str:
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args or [obj.pk]
    )


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in response.context["messages"]]


def member(group: str) -> Client:
    roles.ensure_demo_groups()
    user = get_user_model().objects.create_user(
        group.replace(" ", "-").lower(), password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def translator(demo) -> Client:
    return member("Japanese translators")


@pytest.fixture
def korean_editor(demo) -> Client:
    return member("Korean editors")


@pytest.fixture
def item(demo) -> FAQItem:
    return FAQItem.objects.order_by("position").first()


def test_the_demo_groups_hold_their_languages_permissions(demo):
    roles.ensure_demo_groups()
    roles.ensure_demo_groups()  # again: nothing doubled
    assert sorted(
        Group.objects.get(name="Korean editors").permissions.values_list(
            "codename", flat=True
        )
    ) == ["publish_ko", "translate_ko"]
    assert list(
        Group.objects.get(name="Japanese translators").permissions.values_list(
            "codename", flat=True
        )
    ) == ["translate_ja"]


def test_a_translator_sees_every_content_list_and_opens_any_object(translator, item):
    index = translator.get(reverse("admin:index")).content.decode()
    assert reverse("admin:faq_faqitem_changelist") in index
    assert reverse("admin:content_article_changelist") in index
    assert translator.get(reverse("admin:faq_faqitem_changelist")).status_code == 200
    page = translator.get(url(item, "change")).content.decode()
    # Japanese is a form field; English and Korean are shown, not editable.
    assert 'name="question_ja"' in page
    assert 'name="question_en"' not in page
    assert 'name="question_ko"' not in page
    assert item.question_en in page
    # No adding, no deleting.
    assert translator.get(reverse("admin:faq_faqitem_add")).status_code == 403
    assert translator.get(url(item, "delete")).status_code == 403


def test_a_translators_crafted_post_changes_japanese_only(
    translator, item, form_reader
):
    data = form_reader(translator.get(url(item, "change")), "faqitem_form")
    data["question_ja"] = ["新しい質問ですか？"]
    # Crafted: the other languages, the category, the publication.
    data["question_en"] = ["Hijacked English?"]
    data["question_ko"] = ["가로챈 질문?"]
    data["published_en"] = [""]
    data["position"] = ["99"]

    response = translator.post(url(item, "change"), data)

    assert response.status_code == 302
    saved = fresh(item)
    assert saved.question_ja == "新しい質問ですか？"
    assert (saved.question_en, saved.question_ko) == (
        item.question_en,
        item.question_ko,
    )
    assert saved.position == item.position
    assert saved.published_en


def test_a_translator_adds_deletes_and_moves_no_block(translator, form_reader):
    article = Article.objects.get()
    blocks = list(article.blocks.order_by("position").values_list("pk", flat=True))
    first = article.blocks.get(pk=blocks[0])
    data = form_reader(translator.get(url(article, "change")), "article_form")
    row = block_row(data, first)
    data[f"blocks-{row}-body_ja"] = ["<p>翻訳しました。</p>"]
    # Crafted: delete a block, move it, change its kind, add one.
    data[f"blocks-{row}-DELETE"] = ["on"]
    data[f"blocks-{row}-position"] = ["99"]
    data[f"blocks-{row}-kind"] = ["callout"]
    total = int(data["blocks-TOTAL_FORMS"][0])
    data["blocks-TOTAL_FORMS"] = [str(total + 1)]
    data[f"blocks-{total}-kind"] = ["text"]
    data[f"blocks-{total}-body_ja"] = ["<p>新しいブロック</p>"]
    data[f"blocks-{total}-article"] = [str(article.pk)]

    response = translator.post(url(article, "change"), data)

    assert response.status_code in (200, 302)
    assert (
        list(article.blocks.order_by("position").values_list("pk", flat=True)) == blocks
    )
    first = fresh(first)
    assert first.kind == "text"
    assert first.body_ja == "<p>翻訳しました。</p>"
    assert not article.blocks.filter(body_ja__contains="新しいブロック").exists()


def test_a_translator_saves_the_grid_of_their_language_only(translator):
    comparison = Comparison.objects.get()
    grid = url(comparison, "grid")
    assert translator.get(f"{grid}?lang=ko").status_code == 200
    assert translator.post(f"{grid}?lang=ko", {}).status_code == 403
    assert translator.post(f"{grid}?lang=ja", {}).status_code == 302


def test_a_translator_publishes_nothing(translator, item):
    response = translator.post(
        url(item, "publication"), {"unpublish": "ja"}, follow=True
    )
    assert messages_of(response) == [
        (constants.ERROR, "You may not publish or unpublish in Japanese.")
    ]
    response = translator.post(
        reverse("admin:faq_faqitem_changelist"),
        {"action": "unpublish_ja", "_selected_action": [item.pk]},
        follow=True,
    )
    assert (
        constants.ERROR,
        "You may not publish or unpublish in Japanese.",
    ) in messages_of(response)
    assert fresh(item).published_ja


def test_a_translator_reverts_their_language_only(translator, item):
    version = Version.objects.get_for_object(item).order_by("pk").first()
    question_ja = item.question_ja
    item.question_ja = "変えた質問？"
    item.question_ko = "바꾼 질문?"
    item.save()
    assert (
        translator.post(url(item, "revision", item.pk, version.pk)).status_code == 403
    )
    assert (
        translator.post(
            url(item, "revert_language", item.pk, version.pk, "ko")
        ).status_code
        == 403
    )
    allowed = translator.post(url(item, "revert_language", item.pk, version.pk, "ja"))
    assert allowed.status_code == 302
    assert (fresh(item).question_ja, fresh(item).question_ko) == (
        question_ja,
        "바꾼 질문?",
    )


def test_a_translator_confirms_outdated_translations_of_their_language_only(
    translator, item
):
    item.answer_en = "<p>Rewritten.</p>"
    item.save()
    for code, status in (("ko", 403), ("ja", 302)):
        response = translator.post(
            url(item, "outdated"), {"confirm": f"faq.faqitem:{item.pk}|answer|{code}"}
        )
        assert response.status_code == status


def test_a_translator_imports_their_language_only(demo, django_user_model):
    roles.ensure_demo_groups()
    user = django_user_model.objects.create_user("t", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Japanese translators"))
    block = Article.objects.get().blocks.first()
    assert can_translate(user, block, "ja")
    assert not can_translate(user, block, "ko")


def test_a_korean_editor_writes_and_publishes_korean_only(
    korean_editor, item, form_reader
):
    data = form_reader(korean_editor.get(url(item, "change")), "faqitem_form")
    data["question_ko"] = ["바뀐 질문인가요?"]
    saved = korean_editor.post(url(item, "change"), data, follow=True)
    assert saved.redirect_chain

    response = korean_editor.post(
        url(item, "publication"), {"publish": "ko"}, follow=True
    )
    assert messages_of(response) == [(constants.SUCCESS, "Published in Korean.")]
    response = korean_editor.post(
        url(item, "publication"), {"unpublish": "en"}, follow=True
    )
    assert messages_of(response) == [
        (constants.ERROR, "You may not publish or unpublish in English.")
    ]
    assert fresh(item).published_en


def test_changing_an_faq_item_is_not_publishing_it(item, form_reader):
    user = get_user_model().objects.create_user("faq", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_faqitem", "view_faqitem"])
    )
    client = Client()
    client.force_login(user)
    data = form_reader(client.get(url(item, "change")), "faqitem_form")
    data["question_en"] = ["A question edited by the FAQ editor?"]
    assert client.post(url(item, "change"), data, follow=True).redirect_chain
    assert fresh(item).question_en == "A question edited by the FAQ editor?"

    response = client.post(url(item, "publication"), {"unpublish": "en"}, follow=True)

    assert messages_of(response) == [
        (constants.ERROR, "You may not publish or unpublish in English.")
    ]
    assert fresh(item).published_en
