"""The publication panel of a change page: per language its state and what is
missing, Publish / Unpublish buttons and "publish in the selected languages" with
an optional time, posted to ``<pk>/publication/`` (CSRF, change permission), each
publish or unpublish a version in the history naming its languages."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import constants
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from content.models import Article, Comparison
from faq.models import FAQItem
from tests.conftest import fresh


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def panel_url(obj) -> str:
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_publication", args=[obj.pk]
    )


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in response.context["messages"]]


def panel_rows(response) -> dict[str, dict]:
    return {row["code"]: row for row in response.context["publication_panel"]["rows"]}


class _PanelRowLinks(HTMLParser):
    """The links of one language's row of the panel (``<tr id="publication-ja">``)
    with a given class: their attributes and text."""

    def __init__(self, code: str, css_class: str):
        super().__init__()
        self.row, self.css_class = f"publication-{code}", css_class
        self.inside, self.links, self.current = False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("id") == self.row:
            self.inside = True
        elif (
            self.inside
            and tag == "a"
            and self.css_class in attrs.get("class", "").split()
        ):
            self.current = {**attrs, "text": ""}

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data

    def handle_endtag(self, tag):
        if tag == "a" and self.current is not None:
            self.links.append(self.current)
            self.current = None
        elif tag == "tr":
            self.inside = False


def row_links(page: str, code: str, css_class: str) -> list[dict]:
    parser = _PanelRowLinks(code, css_class)
    parser.feed(page)
    return parser.links


def comments(obj) -> list[str]:
    """The comments of the object's versions, but the demo's first one."""
    return [
        v.revision.get_comment()
        for v in Version.objects.get_for_object(obj).order_by("pk")
        if v.revision.get_comment() != "The demo content, as loaded."
    ]


ARTICLE = "article “Fine in the mirror, but your smile pull…”"


def test_the_panel_shows_each_languages_state_and_what_is_missing(
    admin_client, untranslated_in_japanese
):
    item = untranslated_in_japanese

    response = admin_client.get(change_url(item))

    rows = panel_rows(response)
    assert [rows[code]["state"] for code in ("en", "ko", "ja", "zh-hans")] == [
        "published",
        "published",
        "not published: 3 fields missing",
        "not published: 3 fields missing",
    ]
    assert rows["ja"]["missing"] == ["question", "slug", "answer"]
    assert rows["en"]["missing"] == []
    page = response.content.decode()
    # Each missing field links to its form field, in its language.
    assert [
        (link["href"], link["data-lang"], link["text"])
        for link in row_links(page, "ja", "missing-field")
    ] == [
        ("#id_question_ja", "ja", "question"),
        ("#id_slug_ja", "ja", "slug"),
        ("#id_answer_ja", "ja", "answer"),
    ]
    assert row_links(page, "en", "missing-field") == []
    assert 'name="unpublish" value="en"' in page
    assert 'name="publish" value="ja"' in page
    # The old read-only table is gone.
    assert "publication-status" not in page


def test_publish_from_the_panel(admin_client, untranslated_in_japanese):
    item = untranslated_in_japanese
    item.question_ja = "腫れはどのくらい続きますか？"
    item.answer_ja = "<p>1週間ほどです。</p>"
    item.save()

    response = admin_client.post(panel_url(item), {"publish": "ja"}, follow=True)

    assert response.redirect_chain == [(change_url(item), 302)]
    assert messages_of(response) == [(constants.SUCCESS, "Published in Japanese.")]
    assert fresh(item).published_languages == ["en", "ko", "ja"]
    assert panel_rows(response)["ja"]["state"] == "published"
    assert comments(item) == ["Published in Japanese."]


def test_a_refused_publish_names_what_is_missing_and_changes_nothing(
    admin_client, untranslated_in_japanese
):
    item = untranslated_in_japanese

    response = admin_client.post(panel_url(item), {"publish": "ja"}, follow=True)

    assert messages_of(response) == [
        (constants.ERROR, "Nothing was published."),
        (
            constants.ERROR,
            "Cannot publish in Japanese: it is not complete. Missing in Japanese: "
            "question; slug; answer.",
        ),
    ]
    assert fresh(item).published_languages == ["en", "ko"]
    assert comments(item) == []


def test_unpublish_from_the_panel(admin_client, demo):
    item = FAQItem.objects.order_by("pk").first()

    response = admin_client.post(panel_url(item), {"unpublish": "ko"}, follow=True)

    assert messages_of(response) == [(constants.SUCCESS, "Unpublished in Korean.")]
    assert fresh(item).published_languages == ["en", "ja", "zh-hans"]
    assert comments(item) == ["Unpublished in Korean."]
    assert panel_rows(response)["ko"]["state"] == "ready to publish"


def test_unpublishing_what_published_content_embeds_is_refused_naming_it(
    admin_client, demo
):
    comparison = Comparison.objects.get()

    response = admin_client.post(
        panel_url(comparison), {"unpublish": "ko"}, follow=True
    )

    assert messages_of(response) == [
        (constants.ERROR, "Nothing was unpublished."),
        (
            constants.ERROR,
            f"Cannot unpublish in Korean: published content embeds it: {ARTICLE}. "
            "Unpublish those in Korean first, or remove this from them.",
        ),
    ]
    assert fresh(comparison).published_languages == ["en", "ko", "ja"]


def test_publish_in_several_languages_at_once(admin_client, demo):
    item = FAQItem.objects.order_by("pk").first()
    for code in ("ja", "zh-hans"):
        item.unpublish(code)

    response = admin_client.post(
        panel_url(item), {"languages": ["zh-hans", "ja"]}, follow=True
    )

    assert messages_of(response) == [
        (constants.SUCCESS, "Published in Japanese, Simplified Chinese.")
    ]
    assert fresh(item).published_languages == ["en", "ko", "ja", "zh-hans"]
    assert comments(item) == ["Published in Japanese, Simplified Chinese."]


def test_publishing_several_languages_is_all_or_nothing(
    admin_client, untranslated_in_japanese
):
    item = untranslated_in_japanese
    item.unpublish("ko")

    response = admin_client.post(
        panel_url(item), {"languages": ["ko", "ja"]}, follow=True
    )

    [(level, nothing), (_level, refusal)] = messages_of(response)
    assert (level, nothing) == (constants.ERROR, "Nothing was published.")
    assert refusal.startswith("Cannot publish in Japanese: it is not complete.")
    assert fresh(item).published_languages == ["en"]


def test_a_publish_with_a_time_schedules_it(admin_client, untranslated_in_japanese):
    item = untranslated_in_japanese
    item.unpublish("ko")
    when = timezone.localtime() + datetime.timedelta(days=1)
    at = when.replace(second=0, microsecond=0)

    response = admin_client.post(
        panel_url(item),
        {"languages": ["ko"], "publish_at": at.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )

    [(level, message)] = messages_of(response)
    assert level == constants.SUCCESS
    assert message.startswith("Published in Korean from ")
    item = fresh(item)
    assert item.published_languages == ["en", "ko"]
    assert item.publish_at == at
    assert not item.is_visible("ko")
    assert panel_rows(response)["ko"]["state"].startswith("scheduled for ")
    korean = admin_client.get("/api/v1/faq-items/", {"locale": "ko"}).json()
    assert item.slug_ko not in [entry["slug"] for entry in korean["results"]]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"publish": "xx"},
        {"languages": ["en", "klingon"]},
        {"publish": "en", "unpublish": "ko"},
        {"unpublish_selected": "1", "publish_at": "2030-01-01T09:00"},
        {"languages": ["en"], "publish_at": "tomorrow-ish"},
    ],
)
def test_bad_input_is_a_message_never_a_server_error(admin_client, demo, data):
    item = FAQItem.objects.order_by("pk").first()
    before = fresh(item).published_languages

    response = admin_client.post(panel_url(item), data, follow=True)

    assert response.status_code == 200
    [(level, _message)] = messages_of(response)
    assert level == constants.ERROR
    assert fresh(item).published_languages == before


def test_the_panel_only_takes_posts(admin_client, demo):
    item = FAQItem.objects.order_by("pk").first()

    assert admin_client.get(panel_url(item)).status_code == 405


def test_an_unknown_object_is_a_404(admin_client, demo):
    url = reverse("admin:faq_faqitem_publication", args=[999999])

    assert admin_client.post(url, {"publish": "en"}).status_code == 404


def test_publishing_needs_the_change_permission(client, django_user_model, demo):
    item = FAQItem.objects.order_by("pk").first()
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_faqitem"))
    client.force_login(viewer)

    page = client.get(change_url(item))
    response = client.post(panel_url(item), {"unpublish": "en"})

    assert page.status_code == 200
    assert page.context["publication_panel"]["can_change"] is False
    assert 'name="unpublish"' not in page.content.decode()
    assert response.status_code == 403
    assert "en" in fresh(item).published_languages


def test_the_panel_checks_the_csrf_token(django_user_model, demo):
    item = FAQItem.objects.order_by("pk").first()
    editor = django_user_model.objects.create_superuser("csrf", "c@example.com")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(panel_url(item), {"unpublish": "en"})

    assert response.status_code == 403
    assert "en" in fresh(item).published_languages


def test_the_article_panel_names_a_parts_missing_text(admin_client, demo):
    article = Article.objects.get()
    article.unpublish("ko")
    block = article.blocks.filter(heading_en__gt="").order_by("position").first()
    block.heading_ko = ""
    block.save()

    response = admin_client.post(panel_url(article), {"publish": "ko"}, follow=True)

    assert messages_of(response)[1] == (
        constants.ERROR,
        "Cannot publish in Korean: it is not complete. Missing in Korean: "
        "Block 5 “At rest vs. while smiling — which one t…”: heading.",
    )
    assert panel_rows(response)["ko"]["missing"] == [
        "Block 5 “At rest vs. while smiling — which one t…”: heading"
    ]


def test_the_panel_links_each_language_to_its_preview_on_the_site(
    demo, admin_client, client, settings
):
    settings.PREVIEW_URL_TEMPLATE = "https://www.example.com/draft?t={token}"
    item = FAQItem.objects.filter(published_ko=True).order_by("pk")[0]

    response = admin_client.get(change_url(item))

    rows = panel_rows(response)
    link = rows["ko"]["preview_url"]
    assert link.startswith("https://www.example.com/draft?t=")
    assert [
        preview["href"]
        for preview in row_links(response.content.decode(), "ko", "preview-link")
    ] == [link]
    token = unquote(link.partition("t=")[2])
    preview = client.get(
        f"/api/v1/preview/faq_item/{item.pk}/", {"locale": "ko", "token": token}
    )
    assert preview.status_code == 200
    # A token is one language's: Korean's does not preview Japanese.
    assert (
        client.get(
            f"/api/v1/preview/faq_item/{item.pk}/", {"locale": "ja", "token": token}
        ).status_code
        == 403
    )


def test_the_panel_warns_before_a_published_slug_moves(demo, admin_client):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    old = item.slug_en
    item.slug_en = "a-new-address"
    item.save()

    response = admin_client.get(change_url(item))

    rows = panel_rows(response)
    assert (rows["en"]["moves_from"], rows["en"]["moves_to"]) == (old, "a-new-address")
    assert rows["ko"]["moves_from"] == ""
    assert "slug-move" in response.content.decode()


def test_no_preview_link_without_a_frontend_template(demo, admin_client, settings):
    settings.PREVIEW_URL_TEMPLATE = ""
    item = FAQItem.objects.filter(published_ko=True).order_by("pk")[0]

    response = admin_client.get(change_url(item))

    assert panel_rows(response)["ko"]["preview_url"] is None
    assert 'class="preview-link"' not in response.content.decode()


def test_the_missing_fields_of_an_article_are_grouped_by_block_and_link_to_their_field(
    demo, admin_client
):
    article = Article.objects.get()
    block = article.blocks.order_by("position").first()
    block.body_ja = "<p></p>"
    block.save()

    response = admin_client.get(change_url(article))

    rows = panel_rows(response)
    assert rows["ja"]["state"] == "published — changed since published"
    # Only the block lacks Japanese: one group, naming the block, whose field
    # is found on the page by the inline's prefix and the block's key.
    groups = rows["ja"]["missing_groups"]
    assert [group["where"] for group in groups] == [block.describe()]
    assert [(f["column"], f["prefix"], f["pk"]) for f in groups[0]["fields"]] == [
        ("body_ja", "blocks", block.pk)
    ]
    links = row_links(response.content.decode(), "ja", "missing-field")
    assert [
        (link["data-field"], link["data-prefix"], link["data-pk"], link["text"])
        for link in links
    ] == [("body_ja", "blocks", str(block.pk), "body")]
    # Simplified Chinese has no text at all: the article's own fields first,
    # then block by block, every missing message listed once.
    chinese = rows["zh-hans"]
    assert (
        chinese["state"] == f"not published: {len(chinese['missing'])} fields missing"
    )
    own = chinese["missing_groups"][0]
    assert own["where"] == ""
    assert [f["column"] for f in own["fields"]][:2] == ["title_zh_hans", "slug_zh_hans"]
    blocks = list(article.blocks.order_by("position"))
    wheres = [group["where"] for group in chinese["missing_groups"][1:]]
    assert wheres[-1] == "Other content"
    # The blocks in their order (those whose own texts all follow English's
    # emptiness have no group).
    assert wheres[:-1] == [
        block.describe() for block in blocks if block.describe() in wheres
    ]
    assert len(wheres) > 10
    assert any(
        "is not published in Simplified Chinese" in other
        for other in chinese["missing_groups"][-1]["others"]
    )
    listed = sum(
        len(group.get("fields", ())) + len(group.get("others", ()))
        for group in chinese["missing_groups"]
    )
    assert listed == len(chinese["missing"])
