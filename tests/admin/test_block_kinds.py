"""A block keeps only its kind's fields (content.admin.ArticleBlockForm): the block
editor hides the others while an editor works, and the save empties them, so that a
hidden value never counts for the publication rules."""

from __future__ import annotations

from django.urls import reverse

from content.models import Article, ArticleBlock
from publication.languages import LANGUAGE_CODES, column
from tests.admin.test_admin_publication import block_row


def change_url(article) -> str:
    return reverse("admin:content_article_change", args=[article.pk])


def post_kind(client, form_reader, article, block, kind: str) -> None:
    data = form_reader(client.get(change_url(article)), "article_form")
    data[f"blocks-{block_row(data, block)}-kind"] = [kind]
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_a_call_to_action_made_a_text_block_keeps_no_button(
    demo, admin_client, form_reader
):
    article = Article.objects.get()
    block = article.blocks.filter(kind=ArticleBlock.Kind.CTA).first()
    assert block.cta_label_en
    assert block.cta_url_ko
    headings = (block.heading_en, block.heading_ko)

    post_kind(admin_client, form_reader, article, block, ArticleBlock.Kind.TEXT)

    block.refresh_from_db()
    assert block.kind == ArticleBlock.Kind.TEXT
    for code in LANGUAGE_CODES:
        assert getattr(block, column("cta_label", code)) == ""
        assert getattr(block, column("cta_url", code)) == ""
    # The heading and the body every kind shows are kept.
    assert (block.heading_en, block.heading_ko) == headings


def test_a_list_block_made_a_callout_embeds_no_list(demo, admin_client, form_reader):
    article = Article.objects.get()
    block = article.blocks.filter(kind=ArticleBlock.Kind.LIST).first()
    assert block.item_list_id is not None

    post_kind(admin_client, form_reader, article, block, ArticleBlock.Kind.CALLOUT)

    block.refresh_from_db()
    assert (block.kind, block.item_list_id) == (ArticleBlock.Kind.CALLOUT, None)
    assert block.embedded() == []


def test_a_block_of_the_same_kind_keeps_its_fields(demo, admin_client, form_reader):
    article = Article.objects.get()
    block = article.blocks.filter(kind=ArticleBlock.Kind.AFTERCARE).first()
    aftercare, method = block.aftercare_id, block.aftercare_method_id

    data = form_reader(admin_client.get(change_url(article)), "article_form")
    data[f"blocks-{block_row(data, block)}-heading_en"] = ["Aftercare, week by week"]
    response = admin_client.post(change_url(article), data)

    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.aftercare_id, block.aftercare_method_id) == (aftercare, method)
    assert block.heading_en == "Aftercare, week by week"
