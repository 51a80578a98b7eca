"""The translation files in the admin: the list action, the export of everything
missing or outdated, and the import's upload → preview → apply, in Korean."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from reversion.models import Revision
from translate.storage.po import pofile
from translate.storage.xliff import xlifffile

from content.models import Article, ArticleBlock
from faq.models import FAQItem
from publication.models import publishable_models
from tests.conftest import fresh
from tests.translations.conftest import all_units, content_digest, fill_po
from translations import files

pytestmark = pytest.mark.django_db

KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}


@pytest.fixture
def client(editor, client):
    client.force_login(editor)
    return client


def test_the_list_action_asks_for_language_and_format_then_sends_the_file(demo, client):
    article = Article.objects.first()
    url = reverse("admin:content_article_changelist")
    selected = {
        "action": "export_for_translation",
        "_selected_action": [article.pk],
    }

    page = client.post(url, {**selected, "index": "0"}, **KOREAN)
    sent = client.post(
        url, {**selected, "export": "1", "language": "ja", "format": "xliff"}
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "번역용으로 내보내기" in html
    assert "파일 내려받기" in html
    assert sent.status_code == 200
    assert sent["Content-Type"] == "application/x-xliff+xml"
    assert sent["Content-Disposition"].startswith('attachment; filename="article-ja-')
    store = xlifffile.parsestring(sent.content)
    ids = [unit.xmlelement.get("id") for unit in store.units]
    assert f"content.article:{article.pk}:title" in ids
    # The article's own texts, its blocks' and its images' alt texts and captions.
    assert {i.split(":")[0] for i in ids} == {
        "content.article",
        "content.articleblock",
        "content.image",
    }


def test_every_publishable_list_has_the_action(demo, rf, editor):
    request = rf.get("/")
    request.user = editor
    for model in publishable_models():
        actions = admin.site.get_model_admin(model).get_actions(request)
        assert "export_for_translation" in actions, model


def test_the_page_exports_everything_missing_or_outdated(demo, client):
    item = FAQItem.objects.order_by("position").first()
    item.answer_en = "<p>Rewritten.</p>"
    item.save()

    page = client.get(reverse("translations"), **KOREAN)
    sent = client.post(
        reverse("translations"), {"export": "1", "language": "ja", "format": "po"}
    )

    assert "번역 파일: 내보내기와 가져오기" in page.content.decode()
    store = pofile.parsestring(sent.content)
    [unit] = [u for u in store.units if not u.isheader()]
    assert unit.getcontext() == f"faq.faqitem:{item.pk}:answer"
    # The Japanese written for the old English goes out to be reviewed.
    assert unit.target == item.answer_ja
    assert unit.isfuzzy()
    assert "Outdated: the English text changed" in unit.getnotes()


def test_an_import_is_previewed_then_applied_in_one_version(demo, client, editor):
    data = fill_po(files.export(all_units(), "ja", files.PO))
    item = FAQItem.objects.order_by("position").first()
    before = content_digest()

    preview = client.post(
        reverse("translations"),
        {
            "preview": "1",
            "language": "ja",
            "file": SimpleUploadedFile("clinic-ja.po", data),
        },
        **KOREAN,
    )

    html = preview.content.decode()
    assert "미리 보기: 일본어에서 필드" in html
    assert "적용" in html
    assert item.question_ja in html
    # A block is named with the article it is edited in.
    block = ArticleBlock.objects.order_by("pk").first()
    with translation.override("ko"):
        assert escape(f"{block.article.describe()} › {block.describe()}") in html
    assert content_digest() == before
    key = preview.context["key"]
    revisions = Revision.objects.count()

    applied = client.post(reverse("translations-apply"), {"key": key}, **KOREAN)

    assert applied.status_code == 200
    assert "일본어로 가져왔습니다" in applied.content.decode()
    assert fresh(item).question_ja.startswith("訳")
    assert Revision.objects.count() == revisions + 1
    # The key is used up: applying again asks for the file again.
    again = client.post(reverse("translations-apply"), {"key": key}, follow=True)
    assert "The preview expired" in again.content.decode()


def test_a_refused_file_is_an_error_on_the_form_and_changes_nothing(demo, client):
    before = content_digest()

    response = client.post(
        reverse("translations"),
        {
            "preview": "1",
            "language": "ja",
            "file": SimpleUploadedFile(
                "evil.xlf", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            ),
        },
        **KOREAN,
    )

    assert response.status_code == 200
    assert "문서 형식이나 엔티티를 선언" in response.content.decode()
    assert "key" not in response.context
    assert content_digest() == before


def test_the_pages_need_an_admin_login(demo, client):
    client.logout()
    response = client.get(reverse("translations"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
