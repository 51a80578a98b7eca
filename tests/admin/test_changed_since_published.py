""" "Changed since published" in the admin (issue 18): the changelist's status
column and its filter per language, the publication panel's state with a link to
what changed, and the changes page (``<pk>/changes/<code>/``) with the published
and the working text of every changed field."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import Article, ArticleBlock, ItemList
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES
from publication.models import changed_field
from tests.conftest import fresh
from tests.factories import FAQItemFactory

KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}
CHANGED_KO = '<span title="게시됨, 게시 후 변경됨" class="lang-status">◐</span>'
PUBLISHED_KO = '<span title="게시됨" class="lang-status">●</span>'


def url(obj_or_model, page: str, *args) -> str:
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def changes_url(obj, code: str) -> str:
    return url(obj, "changes", obj.pk, code)


def changed(obj) -> list[str]:
    row = fresh(obj)
    return [code for code in LANGUAGE_CODES if getattr(row, changed_field(code))]


def panel_rows(response) -> dict[str, dict]:
    return {row["code"]: row for row in response.context["publication_panel"]["rows"]}


def save_in_admin(client, form_reader, obj, edit) -> None:
    """Post ``obj``'s change form as rendered, after ``edit(data)``."""
    change = url(obj, "change", obj.pk)
    data = form_reader(client.get(change), f"{obj._meta.model_name}_form")
    edit(data)
    response = client.post(change, data)
    assert response.status_code == 302, response.context["errors"]


def edit_answer(item: FAQItem, code: str, answer: str) -> FAQItem:
    setattr(item, f"answer_{code}", answer)
    item.save()
    return fresh(item)


@pytest.fixture
def item(demo) -> FAQItem:
    """A demo FAQ item published in every language, unchanged since."""
    item = FAQItem.objects.order_by("pk").first()
    assert item.published_languages == list(LANGUAGE_CODES)
    assert changed(item) == []
    return item


def test_editing_a_published_answer_in_korean_flags_korean_only(
    admin_client, form_reader, item
):
    def edit(data):
        data["answer_ko"] = ["<p>새 답변입니다.</p>"]

    save_in_admin(admin_client, form_reader, item, edit)

    assert changed(item) == ["ko"]


def test_editing_a_list_item_in_the_admin_flags_its_list(
    admin_client, form_reader, demo
):
    item_list = ItemList.objects.filter(published_ja=True).order_by("pk").first()
    list_item = item_list.items.order_by("position").first()

    def edit(data):
        [row] = [
            name.removesuffix("-id")
            for name, value in data.items()
            if name.startswith("items-") and name.endswith("-id")
            if value == [str(list_item.pk)]
        ]
        data[f"{row}-text_ja"] = [data[f"{row}-text_ja"][0] + "（改）"]

    save_in_admin(admin_client, form_reader, item_list, edit)

    assert changed(item_list) == ["ja"]


def test_editing_an_article_block_flags_the_article(demo):
    article = Article.objects.get()
    block = article.blocks.filter(kind=ArticleBlock.Kind.TEXT).first()

    block.body_en = block.body_en + "<p>One more paragraph.</p>"
    block.save()

    assert changed(article) == ["en"]


def test_the_status_column_shows_the_changed_state_in_korean(admin_client, item):
    edit_answer(item, "ko", "<p>새 답변</p>")

    response = admin_client.get(url(FAQItem, "changelist"), **KOREAN)

    page = response.content.decode()
    checkbox = f'name="_selected_action" value="{item.pk}"'
    row = page[page.index(checkbox) :].split("</tr>")[0]
    # en, ko, ja, zh-hans in that order: only Korean changed.
    assert row.count("lang-status") == 4
    assert row.index(PUBLISHED_KO) < row.index(CHANGED_KO)
    assert row.count(CHANGED_KO) == 1


def test_the_filter_lists_exactly_the_objects_changed_in_that_language(
    admin_client, demo
):
    first, second, third = FAQItem.objects.order_by("pk")[:3]
    edit_answer(first, "ko", "<p>하나</p>")
    edit_answer(second, "ko", "<p>둘</p>")
    edit_answer(third, "en", "<p>Three</p>")
    changelist = url(FAQItem, "changelist")

    korean = admin_client.get(changelist, {"changed_in": "ko"}, **KOREAN)
    english = admin_client.get(changelist, {"changed_in": "en"})
    japanese = admin_client.get(changelist, {"changed_in": "ja"})

    assert set(korean.context["cl"].result_list) == {first, second}
    assert list(english.context["cl"].result_list) == [third]
    assert list(japanese.context["cl"].result_list) == []
    assert "게시 후 변경된 언어" in korean.content.decode()


def test_every_publishable_admin_has_the_filter(admin_client, demo):
    for model in (FAQItem, Article, ItemList):
        response = admin_client.get(url(model, "changelist"), {"changed_in": "ko"})

        assert response.status_code == 200
        titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
        assert "changed since published in" in titles


def test_the_changelist_costs_the_same_queries_however_many_rows_changed(
    admin_client, demo
):
    changelist = url(FAQItem, "changelist")

    def count(**params) -> tuple[int, int]:
        """Queries of the changelist page, and the rows it lists."""
        admin_client.get(changelist, params)  # per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(changelist, params)
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    def add_changed_items(n: int) -> None:
        for _ in range(n):
            item = FAQItemFactory(published_en=True, published_ko=True)
            edit_answer(item, "ko", "<p>바뀐 답변</p>")

    add_changed_items(2)
    small, small_filtered = count(), count(changed_in="ko")
    add_changed_items(4)
    large, large_filtered = count(), count(changed_in="ko")

    assert (small_filtered[1], large_filtered[1]) == (2, 6)
    assert large[1] == small[1] + 4
    assert large[0] == small[0]
    assert large_filtered[0] == small_filtered[0]


def test_the_panel_says_changed_and_links_to_the_changes_in_korean(admin_client, item):
    edit_answer(item, "ko", "<p>새 답변</p>")

    response = admin_client.get(url(item, "change", item.pk), **KOREAN)

    rows = panel_rows(response)
    assert rows["ko"]["state"] == "게시됨 — 게시 후 변경됨"
    assert rows["ko"]["changes_url"] == changes_url(item, "ko")
    assert [rows[code]["state"] for code in ("en", "ja", "zh-hans")] == ["게시됨"] * 3
    assert not any(rows[code]["changed"] for code in ("en", "ja", "zh-hans"))
    page = response.content.decode()
    assert (
        f'<a href="{changes_url(item, "ko")}" class="changes-link">변경 내용 보기</a>'
        in page
    )
    assert page.count('class="changes-link"') == 1


def test_the_changes_page_shows_the_published_and_the_working_text(admin_client, item):
    published = item.answer_ko
    item = edit_answer(item, "ko", "<p>새 답변은 <strong>짧습니다</strong>.</p>")

    response = admin_client.get(changes_url(item, "ko"), **KOREAN)

    assert response.status_code == 200
    assert response.context["changes"] == [
        {
            "where": "답변",
            "published": published,
            "working": "<p>새 답변은 <strong>짧습니다</strong>.</p>",
        }
    ]
    page = response.content.decode()
    # Rich text as its source, escaped: the tags show as text.
    assert "&lt;p&gt;새 답변은 &lt;strong&gt;짧습니다&lt;/strong&gt;.&lt;/p&gt;" in page
    assert "<strong>짧습니다</strong>" not in page
    assert published[3:40] in page
    assert "한국어 게시 후 변경 내용" in page
    assert "작업 사본" in page


def test_the_changes_page_names_a_changed_block_and_an_added_one(admin_client, demo):
    article = Article.objects.get()
    block = article.blocks.filter(kind=ArticleBlock.Kind.TEXT).first()
    old = block.body_en
    block.body_en = old + "<p>One more paragraph.</p>"
    block.save()

    response = admin_client.get(changes_url(article, "en"))

    assert response.context["changes"] == [
        {
            "where": f"block {block.pk}: body",
            "published": old,
            "working": old + "<p>One more paragraph.</p>",
        }
    ]
    assert response.context["version"] is not None


def test_the_changes_page_says_when_nothing_changed_or_nothing_is_published(
    admin_client, untranslated_in_japanese
):
    item = untranslated_in_japanese

    unchanged = admin_client.get(changes_url(item, "ko"))
    unpublished = admin_client.get(changes_url(item, "ja"))

    assert unchanged.context["changes"] == []
    assert "Nothing has changed in Korean since it was published." in (
        unchanged.content.decode()
    )
    assert unpublished.context["version"] is None
    assert (
        "Not published in Japanese: there is no published version to compare with."
        in unpublished.content.decode()
    )


def test_republishing_from_the_panel_clears_the_changed_state(admin_client, item):
    edit_answer(item, "ko", "<p>새 답변</p>")

    response = admin_client.post(
        url(item, "publication", item.pk), {"publish": "ko"}, follow=True
    )

    assert changed(item) == []
    assert panel_rows(response)["ko"]["state"] == "published"
    assert panel_rows(response)["ko"]["changed"] is False
    assert fresh(item).changes_since_published("ko") == []


def test_unpublishing_from_the_panel_clears_the_changed_state(admin_client, item):
    edit_answer(item, "ko", "<p>새 답변</p>")

    response = admin_client.post(
        url(item, "publication", item.pk), {"unpublish": "ko"}, follow=True
    )

    assert changed(item) == []
    assert panel_rows(response)["ko"]["state"] == "ready to publish"


def test_the_changes_page_needs_the_view_permission(client, django_user_model, item):
    edit_answer(item, "ko", "<p>새 답변</p>")
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    client.force_login(staff)

    refused = client.get(changes_url(item, "ko"))
    staff.user_permissions.add(Permission.objects.get(codename="view_faqitem"))
    allowed = client.get(changes_url(item, "ko"))

    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert [c["where"] for c in allowed.context["changes"]] == ["answer"]


def test_the_changes_page_refuses_what_it_cannot_show(admin_client, item):
    assert admin_client.get(changes_url(item, "xx")).status_code == 404
    missing = reverse("admin:faq_faqitem_changes", args=[999999, "ko"])
    assert admin_client.get(missing).status_code == 404
    assert admin_client.post(changes_url(item, "ko")).status_code == 405


def test_a_changed_language_has_a_publish_again_button_that_publishes_the_edit(
    admin_client, demo
):
    item = FAQItem.objects.filter(published_en=True).order_by("pk").first()
    item.question_en = "Edited, then published again?"
    item.save()
    change = reverse("admin:faq_faqitem_change", args=[item.pk])
    page = admin_client.get(change).content.decode()
    assert 'name="publish" value="en"' in page
    assert 'name="publish" value="ko"' not in page  # Korean did not change

    admin_client.post(
        reverse("admin:faq_faqitem_publication", args=[item.pk]), {"publish": "en"}
    )

    detail = admin_client.get(f"/api/v1/faq-items/{item.slug_en}/", {"locale": "en"})
    assert detail.json()["question"] == "Edited, then published again?"
    assert 'name="publish" value="en"' not in admin_client.get(change).content.decode()
