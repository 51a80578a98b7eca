"""History and recovery in the admin (django-reversion): what a version holds, the
history page, reverting one language of a version, reverting a whole version and
recovering a deleted object with its parts — each restoring the working copy, never
what readers see (the published versions), and moving the content version on
commit, as any admin save does."""

from __future__ import annotations

import json

import pytest
import reversion
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import constants
from django.urls import reverse
from reversion.models import Version

from content.models import (
    Aftercare,
    AftercareEntry,
    Article,
    ArticleBlock,
    Comparison,
    ItemList,
    MethodFact,
)
from faq.models import FAQCategory, FAQItem
from publication.history import HistoryAdminMixin
from publication.languages import LANGUAGE_CODES, column
from publication.models import translated_fields
from tests.conftest import fresh, publications
from tests.content.served import detail, served, unchanged_for_readers
from tests.factories import (
    ArticleBlockFactory,
    ArticleFactory,
    item_list_with_items,
)

CONTENT_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ("content", "faq")
    ),
    key=lambda pair: pair[0]._meta.label,
)


def url(obj_or_model, page: str, *args) -> str:
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def change_url(obj) -> str:
    return url(obj, "change", obj.pk)


def form_id(obj) -> str:
    return f"{obj._meta.model_name}_form"


DEMO_LOADED = "The demo content, as loaded."


def versions_of(obj) -> list[Version]:
    """The object's versions since the demo was loaded (whose first version every
    demo object has: test_the_demo_has_a_first_version_to_restore), oldest
    first."""
    return list(
        Version.objects.get_for_object(obj)
        .exclude(revision__comment=DEMO_LOADED)
        .order_by("pk")
    )


def stored(version: Version) -> dict:
    return json.loads(version.serialized_data)[0]["fields"]


def in_revision(version: Version) -> dict[tuple[type, str], Version]:
    return {
        (v.content_type.model_class(), v.object_id): v
        for v in version.revision.version_set.all()
    }


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in response.context["messages"]]


def save_in_admin(client, form_reader, obj, **edits: str):
    """Post ``obj``'s change form as rendered, with ``edits`` applied."""
    data = form_reader(client.get(change_url(obj)), form_id(obj))
    for name, value in edits.items():
        data[name] = [value]
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.context and (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"]],
    )
    return response


def publish_in_admin(client, obj, *codes: str):
    """Publish ``obj`` in ``codes`` from its change page's publication panel."""
    response = client.post(
        url(obj, "publication", obj.pk), {"languages": list(codes)}, follow=True
    )
    # The save before it left its message too.
    levels = {m.level for m in response.context["messages"]}
    assert levels == {constants.SUCCESS}, [
        m.message for m in response.context["messages"]
    ]
    return response


def block_row(data, block) -> int:
    for index in range(int(data["blocks-TOTAL_FORMS"][0])):
        if data.get(f"blocks-{index}-id") == [str(block.pk)]:
            return index
    raise AssertionError(f"block {block.pk} is not in the form")


def inline_parts(model, model_admin, obj) -> list:
    """Every row the change page of ``obj`` shows in an inline."""
    parts = []
    for inline in model_admin.inlines:
        [fk] = [
            f
            for f in inline.model._meta.fields
            if f.is_relation and f.related_model is model
        ]
        parts += inline.model._default_manager.filter(**{fk.name: obj})
    return parts


# What a version holds.


def test_every_content_admin_keeps_history_of_its_model_and_its_inline_parts():
    assert CONTENT_ADMINS
    for model, model_admin in CONTENT_ADMINS:
        assert isinstance(model_admin, HistoryAdminMixin), model
        assert reversion.is_registered(model), model
        for inline in model_admin.inlines:
            assert reversion.is_registered(inline.model), inline.model


@pytest.mark.parametrize(
    ("model", "model_admin"),
    CONTENT_ADMINS,
    ids=[model._meta.label for model, _admin in CONTENT_ADMINS],
)
def test_an_admin_save_keeps_every_language_column_of_the_object_and_its_parts(
    demo, admin_client, form_reader, model, model_admin
):
    obj = model._default_manager.order_by("pk").first()

    save_in_admin(admin_client, form_reader, obj)

    [version] = versions_of(obj)
    revision = in_revision(version)
    for item in [obj, *inline_parts(model, model_admin, obj)]:
        item = fresh(item)
        fields = stored(revision[(type(item), str(item.pk))])
        for name in translated_fields(type(item)):
            # modeltranslation's own column holds whichever language was active.
            assert name not in fields
            for code in LANGUAGE_CODES:
                assert fields[column(name, code)] == getattr(item, column(name, code))


def test_a_version_of_an_article_holds_its_blocks_text_in_korean(
    demo, admin_client, form_reader
):
    article = Article.objects.get()

    save_in_admin(admin_client, form_reader, article)

    [version] = versions_of(article)
    assert stored(version)["title_ko"] == article.title_ko
    assert stored(version)["title_zh_hans"] == article.title_zh_hans
    revision = in_revision(version)
    blocks = list(article.blocks.all())
    assert len(blocks) == 19
    for block in blocks:
        fields = stored(revision[(ArticleBlock, str(block.pk))])
        assert fields["heading_ko"] == block.heading_ko
        assert fields["body_ja"] == block.body_ja


def test_a_version_of_a_timeline_holds_every_cell_and_of_a_comparison_its_cells(
    demo, admin_client, form_reader
):
    aftercare, comparison = Aftercare.objects.get(), Comparison.objects.get()

    save_in_admin(admin_client, form_reader, aftercare)
    save_in_admin(admin_client, form_reader, comparison)

    entries = AftercareEntry.objects.filter(stage__aftercare=aftercare)
    assert len(entries) == 12
    [version] = versions_of(aftercare)
    kept = {pk for (model, pk) in in_revision(version) if model is AftercareEntry}
    assert kept == {str(entry.pk) for entry in entries}
    _columns, _rows, cells = comparison.grid()
    assert len(cells) == 27
    [version] = versions_of(comparison)
    facts = {pk for (model, pk) in in_revision(version) if model is MethodFact}
    assert facts == {str(cell.pk) for cell in cells.values()}


def test_a_refused_save_leaves_no_version(demo, admin_client, form_reader):
    taken = FAQItem.objects.order_by("pk").first()
    item = FAQItem.objects.create(
        category=FAQCategory.objects.first(),
        question_en="How long does the swelling last?",
        answer_en="<p>About a week.</p>",
        published_en=True,
    )
    data = form_reader(admin_client.get(change_url(item)), form_id(item))
    data["slug_en"] = [taken.slug_en]

    response = admin_client.post(change_url(item), data)

    assert response.status_code == 200
    assert "This slug is already used in this language." in response.content.decode()
    assert versions_of(item) == []


def test_a_save_leaving_a_published_language_incomplete_keeps_a_version(
    demo, admin_client, client, form_reader
):
    item = FAQItem.objects.create(
        category=FAQCategory.objects.first(),
        question_en="How long does the swelling last?",
        answer_en="<p>About a week.</p>",
        published_en=True,
    )

    with unchanged_for_readers(client, item):
        save_in_admin(admin_client, form_reader, item, question_en="")

    [version] = versions_of(item)
    assert not stored(version)["question_en"]
    assert stored(version)["published_en"] is True
    assert not fresh(item).complete_en


def test_a_refused_publish_from_the_panel_leaves_no_version(demo, admin_client):
    item = FAQItem.objects.create(
        category=FAQCategory.objects.first(),
        question_en="How long does the swelling last?",
        answer_en="<p>About a week.</p>",
        published_en=True,
    )

    response = admin_client.post(url(item, "publication", item.pk), {"publish": "ja"})

    assert response.status_code == 302
    assert versions_of(item) == []


def test_a_publish_action_keeps_a_version(demo, admin_client):
    item = FAQItem.objects.order_by("pk").first()
    item.unpublish("zh-hans")

    response = admin_client.post(
        url(FAQItem, "changelist"),
        {"action": "publish_zh_hans", "index": "0", "_selected_action": [item.pk]},
    )

    assert response.status_code == 302
    [version] = versions_of(item)
    assert stored(version)["published_zh_hans"] is True
    assert version.revision.get_comment() == "Publish in Simplified Chinese"


# The history page.


def test_history_page_lists_each_version_with_a_revert_only_link_per_language(
    demo, admin_client, form_reader
):
    article = Article.objects.get()
    save_in_admin(admin_client, form_reader, article, title_ko="첫 번째 수정")
    save_in_admin(admin_client, form_reader, article, title_ko="두 번째 수정")

    response = admin_client.get(url(article, "history", article.pk))

    assert response.status_code == 200
    actions = response.context["action_list"]
    newest, oldest = versions_of(article)[::-1]
    # The demo's first version is listed last.
    demo_version = actions[-1]
    assert demo_version["revision"].comment == DEMO_LOADED
    actions = actions[:-1]
    assert [a["revision"] for a in actions] == [newest.revision, oldest.revision]
    assert [code for code, _name, _url in actions[1]["languages"]] == list(
        LANGUAGE_CODES
    )
    assert actions[1]["languages"][2][2] == url(
        article, "revert_language", article.pk, oldest.pk, "ja"
    )
    page = response.content.decode()
    assert url(article, "revert_language", article.pk, oldest.pk, "ja") in page
    assert url(article, "revision", article.pk, oldest.pk) in page


def test_history_page_is_in_korean_for_a_korean_editor(demo, admin_client, form_reader):
    article = Article.objects.get()
    save_in_admin(admin_client, form_reader, article)

    korean = admin_client.get(
        url(article, "history", article.pk), HTTP_ACCEPT_LANGUAGE="ko"
    )

    page = korean.content.decode()
    assert "이 언어만 되돌리기" in page
    assert "이전 버전으로 되돌리려면" in page
    # The admin's message of the save, in the reader's language.
    assert "변경된 필드가 없습니다." in page


# Reverting one language.


@pytest.fixture
def edited_article(demo, admin_client, form_reader):
    """The demo article saved once as loaded (version 1), then edited in Korean,
    Japanese and English, also in a block (version 2). Returns (article, block,
    version 1, the texts as of version 1)."""
    article = Article.objects.get()
    block = article.blocks.filter(
        kind=ArticleBlock.Kind.TEXT, heading_en__gt="", heading_ko__gt=""
    ).first()
    save_in_admin(admin_client, form_reader, article)
    [first] = versions_of(article)
    before = {
        "title_ja": article.title_ja,
        "title_ko": article.title_ko,
        "heading_ja": block.heading_ja,
        "heading_en": block.heading_en,
    }
    data = form_reader(admin_client.get(change_url(article)), form_id(article))
    row = block_row(data, block)
    data["title_ja"] = ["口元の非対称、改訂版"]
    data["title_ko"] = ["입꼬리 비대칭, 개정판"]
    data[f"blocks-{row}-heading_ja"] = ["改訂された見出し"]
    data[f"blocks-{row}-heading_en"] = ["A revised heading"]
    assert admin_client.post(change_url(article), data).status_code == 302
    return article, block, first, before


def test_revert_only_japanese_page_shows_what_would_change(
    admin_client, edited_article
):
    article, _block, first, before = edited_article

    response = admin_client.get(
        url(article, "revert_language", article.pk, first.pk, "ja")
    )

    assert response.status_code == 200
    changes = response.context["changes"]
    assert [c["object"] for c in changes][0].startswith("article")
    assert changes[0]["fields"] == [
        {"label": "title", "now": "口元の非対称、改訂版", "then": before["title_ja"]}
    ]
    assert changes[1]["fields"] == [
        {"label": "heading", "now": "改訂された見出し", "then": before["heading_ja"]}
    ]
    assert len(changes) == 2
    assert response.context["gone"] == []


# Committed for real: the content version moves on commit.
@pytest.mark.django_db(transaction=True)
def test_reverting_only_japanese_restores_japanese_and_keeps_the_other_languages(
    admin_client, edited_article
):
    article, block, first, before = edited_article
    revert_url = url(article, "revert_language", article.pk, first.pk, "ja")

    with publications() as sent:
        response = admin_client.post(revert_url, follow=True)

    assert response.redirect_chain == [(change_url(article), 302)]
    assert messages_of(response)[0][0] == constants.SUCCESS
    article, block = fresh(article), fresh(block)
    assert article.title_ja == before["title_ja"]
    assert block.heading_ja == before["heading_ja"]
    # Korean and English keep their later edits.
    assert article.title_ko == "입꼬리 비대칭, 개정판"
    assert block.heading_en == "A revised heading"
    assert article.published_languages == ["en", "ko", "ja"]
    # The working copy only: readers see nothing of it until it is published.
    assert sent == []
    # The restore is itself a version (it can be undone the same way).
    newest = versions_of(article)[-1]
    assert stored(newest)["title_ja"] == before["title_ja"]
    assert stored(newest)["title_ko"] == "입꼬리 비대칭, 개정판"
    assert "Restored the Japanese text" in newest.revision.get_comment()


# Committed for real: the content version moves on commit.
@pytest.mark.django_db(transaction=True)
def test_reverting_a_language_nobody_publishes_is_a_draft_change(
    demo, admin_client, form_reader
):
    article = Article.objects.get()
    assert "zh-hans" not in article.published_languages
    save_in_admin(admin_client, form_reader, article)
    [first] = versions_of(article)
    save_in_admin(admin_client, form_reader, article, title_zh_hans="口角不对称")
    updated_at = fresh(article).updated_at

    with publications() as sent:
        response = admin_client.post(
            url(article, "revert_language", article.pk, first.pk, "zh-hans")
        )

    assert response.status_code == 302
    assert fresh(article).title_zh_hans == article.title_zh_hans
    assert sent == []
    assert fresh(article).updated_at == updated_at


def test_reverting_a_published_language_to_an_empty_text_keeps_its_version(
    demo, admin_client, client, form_reader
):
    """The working copy gets the empty Japanese text back; readers keep the
    Japanese published, which cannot be published again until translated."""
    item = FAQItem.objects.create(
        category=FAQCategory.objects.first(),
        question_en="How long does the swelling last?",
        answer_en="<p>About a week.</p>",
        question_ko="붓기는 얼마나 가나요?",
        answer_ko="<p>일주일 정도예요.</p>",
        published_en=True,
        published_ko=True,
    )
    save_in_admin(admin_client, form_reader, item)
    [untranslated] = versions_of(item)
    save_in_admin(
        admin_client,
        form_reader,
        item,
        question_ja="腫れはどのくらい続きますか？",
        answer_ja="<p>約一週間です。</p>",
    )
    publish_in_admin(admin_client, item, "ja")
    assert fresh(item).published_languages == ["en", "ko", "ja"]

    with unchanged_for_readers(client, item):
        response = admin_client.post(
            url(item, "revert_language", item.pk, untranslated.pk, "ja")
        )
        refusal = admin_client.post(
            url(item, "publication", item.pk), {"publish": "ja"}, follow=True
        )

    assert response.status_code == 302
    item = fresh(item)
    assert not item.question_ja
    assert item.published_languages == ["en", "ko", "ja"]
    assert not item.complete_ja
    assert detail(client, item, "ja")["question"] == "腫れはどのくらい続きますか？"
    assert messages_of(refusal)[-1] == (
        constants.ERROR,
        "Cannot publish in Japanese: it is not complete. Missing in Japanese: "
        "question; slug; answer.",
    )
    # The revert is a version; the refused publish is none.
    assert len(versions_of(item)) == 4
    save_in_admin(
        admin_client,
        form_reader,
        item,
        question_ja="腫れはいつまで続きますか？",
        answer_ja="<p>一週間ほどです。</p>",
    )
    publish_in_admin(admin_client, item, "ja")
    assert detail(client, item, "ja")["question"] == "腫れはいつまで続きますか？"


def test_reverting_one_language_of_a_grid_save_restores_the_cells(
    demo, admin_client, form_reader
):
    comparison = Comparison.objects.get()
    save_in_admin(admin_client, form_reader, comparison)
    [first] = versions_of(comparison)
    _columns, _rows, cells = comparison.grid()
    cell = next(iter(cells.values()))
    before = cell.text_ja
    grid = url(comparison, "grid", comparison.pk)
    form = form_reader(admin_client.get(grid, {"lang": "ja"}), "grid-form")
    form[f"cell-{cell.criterion_id}-{cell.method_id}"] = ["改訂されたセル"]
    assert admin_client.post(f"{grid}?lang=ja", form).status_code == 302
    assert fresh(cell).text_ja == "改訂されたセル"
    assert len(versions_of(comparison)) == 2

    response = admin_client.post(
        url(comparison, "revert_language", comparison.pk, first.pk, "ja")
    )

    assert response.status_code == 302
    assert fresh(cell).text_ja == before


def test_revert_only_a_language_needs_the_change_permission(
    client, django_user_model, edited_article
):
    article, _block, first, before = edited_article
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    revert_url = url(article, "revert_language", article.pk, first.pk, "ja")

    assert client.get(revert_url).status_code == 403
    assert client.post(revert_url).status_code == 403
    assert fresh(article).title_ja == "口元の非対称、改訂版"


# Reverting a whole version.


# Committed for real: the content version moves on commit.
@pytest.mark.django_db(transaction=True)
def test_reverting_a_whole_version_restores_every_language_of_the_working_copy(
    admin_client, form_reader, edited_article
):
    article, block, first, before = edited_article
    revision_url = url(article, "revision", article.pk, first.pk)
    page = admin_client.get(revision_url)
    assert page.status_code == 200
    data = form_reader(page, form_id(article))
    assert data["title_ko"] == [before["title_ko"]]
    # Viewing a version changes nothing.
    assert fresh(article).title_ko == "입꼬리 비대칭, 개정판"

    with publications() as sent:
        response = admin_client.post(revision_url, data)

    assert response.status_code == 302
    article, block = fresh(article), fresh(block)
    assert article.title_ko == before["title_ko"]
    assert article.title_ja == before["title_ja"]
    assert block.heading_en == before["heading_en"]
    # The working copy only: nothing readers see moved.
    assert sent == []


def test_reverting_a_whole_version_keeps_the_publication_as_it_is(
    demo, admin_client, form_reader
):
    """A revert restores content, never publication: a version saved before
    Japanese was published does not unpublish Japanese (which an article
    embeds), and its Japanese text, complete, is what the working copy gets."""
    item_list = item_list_with_items(published=("en", "ko"))
    save_in_admin(admin_client, form_reader, item_list, title_ja="前の題名")
    [english_and_korean] = versions_of(item_list)
    save_in_admin(admin_client, form_reader, item_list, title_ja="新しい題名")
    publish_in_admin(admin_client, item_list, "ja")
    article = ArticleFactory()
    ArticleBlockFactory(
        article=article, kind=ArticleBlock.Kind.LIST, item_list=item_list
    )
    article.publish("ja")
    revision_url = url(item_list, "revision", item_list.pk, english_and_korean.pk)
    data = form_reader(admin_client.get(revision_url), form_id(item_list))
    assert "published_ja" not in data

    response = admin_client.post(revision_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    item_list = fresh(item_list)
    assert item_list.title_ja == "前の題名"
    assert item_list.published_languages == ["en", "ko", "ja"]
    assert item_list.versions.filter(locale="ja").exists()


def test_reverting_a_whole_version_never_publishes(demo, admin_client, form_reader):
    """A version saved while Japanese was published, reverted after Japanese was
    unpublished, leaves Japanese unpublished (no published version either)."""
    item_list = item_list_with_items(published=("en", "ko", "ja"))
    save_in_admin(admin_client, form_reader, item_list, title_en="Before")
    [published_in_japanese] = versions_of(item_list)
    item_list.unpublish("ja")
    revision_url = url(item_list, "revision", item_list.pk, published_in_japanese.pk)
    data = form_reader(admin_client.get(revision_url), form_id(item_list))

    response = admin_client.post(revision_url, data)

    assert response.status_code == 302
    item_list = fresh(item_list)
    assert item_list.title_en == "Before"
    assert item_list.published_languages == ["en", "ko"]
    assert not item_list.versions.filter(locale="ja").exists()


# Recovering a deleted object.


@pytest.fixture
def deleted_article(demo, admin_client):
    """A published article with three blocks, deleted in the admin. Returns the
    article and its blocks as they were."""
    article = ArticleFactory()
    blocks = [
        ArticleBlockFactory(article=article, position=n, heading_ko=f"제목 {n}")
        for n in range(1, 4)
    ]
    for code in ("en", "ko", "ja"):
        article.publish(code)
    article = fresh(article)
    response = admin_client.post(url(article, "delete", article.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not ArticleBlock.objects.filter(article_id=article.pk).exists()
    return article, blocks


def test_a_deleted_article_is_listed_for_recovery(admin_client, deleted_article):
    article, _blocks = deleted_article

    response = admin_client.get(url(Article, "recoverlist"))

    assert response.status_code == 200
    [deleted] = response.context["deleted"]
    assert deleted.object_repr == article.title_en
    assert url(Article, "recover", deleted.pk) in response.content.decode()
    # On every list, drag-and-drop ones too.
    for model in (Article, FAQItem):
        changelist = admin_client.get(url(model, "changelist")).content.decode()
        assert url(model, "recoverlist") in changelist


# Committed for real: the content version moves on commit.
@pytest.mark.django_db(transaction=True)
def test_recovering_a_deleted_article_brings_it_back_unpublished_with_its_blocks(
    admin_client, client, form_reader, deleted_article
):
    """Its published versions went with it; readers see it again only once it is
    published again."""
    article, blocks = deleted_article
    [deleted] = Version.objects.get_deleted(Article)
    recover_url = url(Article, "recover", deleted.pk)
    page = admin_client.get(recover_url)
    assert page.status_code == 200
    data = form_reader(page, form_id(article))
    assert data["blocks-TOTAL_FORMS"] == ["3"]
    assert not Article.objects.filter(pk=article.pk).exists()
    before = served(client)

    with publications() as sent:
        response = admin_client.post(recover_url, data)

    assert response.status_code == 302
    recovered = Article.objects.get(pk=article.pk)
    for name in translated_fields(Article):
        for code in LANGUAGE_CODES:
            # (An empty text is None or "", as the form or the factory left it.)
            assert (getattr(recovered, column(name, code)) or "") == (
                getattr(article, column(name, code)) or ""
            )
    assert recovered.published_languages == []
    assert not recovered.versions.exists()
    assert recovered.complete_languages == ["en", "ko", "ja"]
    assert [
        (b.pk, b.heading_en, b.heading_ko, b.body_ja) for b in recovered.blocks.all()
    ] == [(b.pk, b.heading_en, b.heading_ko, b.body_ja) for b in blocks]
    # Nothing public changed: no content version moved.
    assert sent == []
    assert served(client) == before
    assert Version.objects.get_deleted(Article).count() == 0
    publish_in_admin(admin_client, recovered, "ko")
    assert detail(client, recovered, "ko")["title"] == article.title_ko


def test_recovering_an_item_list_brings_back_its_items(admin_client, form_reader, demo):
    item_list = item_list_with_items(items=3)
    items = list(item_list.items.values_list("pk", "title_ja"))
    response = admin_client.post(
        url(item_list, "delete", item_list.pk), {"post": "yes"}
    )
    assert response.status_code == 302
    [deleted] = Version.objects.get_deleted(ItemList)
    recover_url = url(ItemList, "recover", deleted.pk)
    data = form_reader(admin_client.get(recover_url), "itemlist_form")

    assert admin_client.post(recover_url, data).status_code == 302

    assert list(fresh(item_list).items.values_list("pk", "title_ja")) == items


def test_the_demo_has_a_first_version_to_restore(demo):
    """The original demo text can always be restored: the loader leaves one
    version of every object in the history."""
    from reversion.models import Version

    from content.models import Article

    article = Article.objects.get()
    versions = Version.objects.get_for_object(article)
    assert [v.revision.comment for v in versions] == [DEMO_LOADED]
    assert versions[0].field_dict["title_en"] == article.title_en
    blocks = Version.objects.get_for_model(type(article.blocks.first()))
    assert blocks.count() == article.blocks.count()
