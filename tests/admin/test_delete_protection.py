"""Deleting something that published content depends on is refused, never cascaded:
foreign keys to what a part shows are PROTECT (Django's delete page names what
depends on the object), and many-to-many links from published content are checked
by the admin, on the delete page and in the "delete selected" action."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.messages import constants
from django.db import models
from django.urls import reverse

from content.models import (
    Article,
    CauseType,
    ClinicProfile,
    Comparison,
    Criterion,
    ItemList,
    Method,
)
from faq.models import FAQCategory, FAQItem
from tests.factories import (
    CauseTypeFactory,
    FAQItemFactory,
    MethodFactory,
    comparison_grid,
)

# The foreign keys from a part to the object it belongs to: deleting the object
# deletes its parts. Every other foreign key between content models is PROTECT.
PART_OF = {
    "content.MethodFact.method",
    "content.ComparisonColumn.comparison",
    "content.ComparisonRow.comparison",
    "content.AftercareStage.aftercare",
    "content.AftercareTrack.aftercare",
    "content.AftercareEntry.stage",
    "content.AftercareEntry.track",
    "content.ListItem.item_list",
    "content.ArticleBlock.article",
    "content.ClinicChannel.profile",
    # A rendition is a file made from its image.
    "content.Rendition.image",
}


def url(obj_or_model, page: str, *args) -> str:
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in response.context["messages"]]


def delete_selected(client, model, objects):
    return client.post(
        url(model, "changelist"),
        {
            "action": "delete_selected",
            "index": "0",
            "post": "yes",
            "_selected_action": [obj.pk for obj in objects],
        },
        follow=True,
    )


def test_only_a_part_cascades_with_what_it_belongs_to():
    found = {}
    for model in [*apps.get_app_config("content").get_models()] + [
        *apps.get_app_config("faq").get_models()
    ]:
        for field in model._meta.fields:
            if isinstance(field, models.ForeignKey) and (
                field.related_model._meta.app_label in ("content", "faq")
            ):
                name = f"{model._meta.label}.{field.name}"
                found[name] = field.remote_field.on_delete

    assert {name for name, rule in found.items() if rule is models.CASCADE} == (PART_OF)
    assert {name for name, rule in found.items() if rule is not models.CASCADE} == {
        name for name, rule in found.items() if rule is models.PROTECT
    }


# Many-to-many links from published content.


@pytest.fixture
def listed_method(demo) -> tuple[Method, FAQItem]:
    """A method listed by an FAQ item published in English and Korean."""
    method = MethodFactory(name_en="Filler")
    item = FAQItemFactory(category=FAQCategory.objects.first())
    item.methods.add(method)
    item.publish("en")
    item.publish("ko")
    return method, item


def test_deleting_a_method_a_published_faq_item_lists_is_refused(
    admin_client, listed_method
):
    method, item = listed_method

    page = admin_client.get(url(method, "delete", method.pk), follow=True)
    response = admin_client.post(
        url(method, "delete", method.pk), {"post": "yes"}, follow=True
    )

    for refused in (page, response):
        assert refused.redirect_chain == [(url(method, "change", method.pk), 302)]
        [(level, message)] = messages_of(refused)
        assert level == constants.ERROR
        assert message == (
            "Cannot delete method “Filler”: published content lists it: "
            f"FAQ item “{item.question_en}” (published in English, Korean). "
            "Remove it from those first, or unpublish them."
        )
    assert Method.objects.filter(pk=method.pk).exists()
    assert list(item.methods.all()) == [method]


def test_deleting_a_method_only_a_draft_lists_removes_it_from_the_draft(
    admin_client, listed_method
):
    method, item = listed_method
    item.unpublish("en")
    item.unpublish("ko")

    response = admin_client.post(url(method, "delete", method.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Method.objects.filter(pk=method.pk).exists()
    assert list(item.methods.all()) == []


def test_bulk_deleting_a_cause_type_a_published_faq_item_lists_is_refused(
    admin_client, demo
):
    listed = CauseTypeFactory(name_en="Listed type")
    unlisted = CauseTypeFactory(name_en="Unlisted type")
    item = FAQItemFactory(category=FAQCategory.objects.first())
    item.cause_types.add(listed)
    item.publish("ja")

    response = delete_selected(admin_client, CauseType, [listed, unlisted])

    [(level, message)] = messages_of(response)
    assert level == constants.ERROR
    assert message.startswith(
        "Cannot delete cause type “Listed type”: published content lists it: "
        f"FAQ item “{item.question_en}” (published in Japanese)."
    )
    # Nothing of the selection is deleted.
    assert CauseType.objects.filter(pk__in=[listed.pk, unlisted.pk]).count() == 2


def test_bulk_deleting_methods_no_published_content_lists_deletes_them(
    admin_client, demo
):
    methods = [MethodFactory(), MethodFactory()]

    response = delete_selected(admin_client, Method, methods)

    assert messages_of(response)[0][0] == constants.SUCCESS
    assert not Method.objects.filter(pk__in=[m.pk for m in methods]).exists()


def test_deleting_the_article_published_faq_items_list_is_refused(admin_client, demo):
    article = Article.objects.get()

    response = admin_client.post(
        url(article, "delete", article.pk), {"post": "yes"}, follow=True
    )

    [(level, message)] = messages_of(response)
    assert level == constants.ERROR
    assert message.startswith("Cannot delete article “Fine in the mirror")
    assert message.count("FAQ item “") == 5
    assert Article.objects.filter(pk=article.pk).exists()


# Foreign keys: PROTECT, and the page says what depends on the object.


@pytest.mark.parametrize(
    ("model", "dependent"),
    [
        (Comparison, "Block 8 “"),
        (ItemList, "Block 2 “"),
        (Criterion, "Botox × Suited to of method “Botox”, comparison “Correction"),
        (FAQCategory, "FAQ item “"),
    ],
    ids=["Comparison", "ItemList", "Criterion", "FAQCategory"],
)
def test_deleting_what_published_content_shows_is_refused_by_name(
    admin_client, demo, model, dependent
):
    obj = model._default_manager.order_by("pk").first()

    page = admin_client.get(url(obj, "delete", obj.pk))
    response = admin_client.post(url(obj, "delete", obj.pk), {"post": "yes"})

    assert page.status_code == response.status_code == 200
    protected = response.context["protected"]
    assert protected
    assert any(name.startswith(dependent) for name in protected), protected
    assert "would require deleting the following protected" in (
        response.content.decode()
    )
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_method_a_published_comparison_shows_cannot_be_deleted(admin_client, db):
    grid = comparison_grid(methods=2, criteria=1, published=("en",))
    method = grid.methods[0]

    response = admin_client.post(url(method, "delete", method.pk), {"post": "yes"})

    assert response.status_code == 200
    assert response.context["protected"] == [
        f"comparison column “{method.name_en}” of comparison "
        f"“{grid.comparison.title_en}”"
    ]
    assert Method.objects.filter(pk=method.pk).exists()


def test_an_item_list_the_clinic_profile_shows_cannot_be_deleted(admin_client, demo):
    profile = ClinicProfile.load()
    item_list = profile.trust_points

    response = admin_client.post(
        url(item_list, "delete", item_list.pk), {"post": "yes"}
    )

    assert response.status_code == 200
    assert "clinic profile “" in " ".join(response.context["protected"])
    assert ItemList.objects.filter(pk=item_list.pk).exists()
