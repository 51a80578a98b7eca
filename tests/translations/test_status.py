"""The translation status page: every publishable object × language with one
state per cell, counts per language, links to the publication panel; linked from
the admin's index; a query per type whatever the number of objects."""

from __future__ import annotations

from django.urls import reverse

from content.models import Article
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES
from publication.models import publishable_models


def cells(response) -> dict[tuple[str, str], str]:
    """(object's str, language) → state, over every section."""
    return {
        (str(row["object"]), cell["code"]): cell["state"]
        for section in response.context["sections"]
        for row in section["rows"]
        for cell in row["cells"]
    }


def counts(response, code: str) -> dict[str, int]:
    language = next(x for x in response.context["languages"] if x["code"] == code)
    return {str(label): count for label, count in language["counts"]}


def test_each_cell_is_one_state_and_the_counts_add_up(demo, admin_client):
    item = FAQItem.objects.order_by("position")[2]
    item.answer_en = "<p>Rewritten.</p>"
    item.save()
    article = Article.objects.get()

    response = admin_client.get(reverse("translations-status"))

    assert response.status_code == 200
    states = cells(response)
    assert states[(str(item), "en")] == "changed"
    assert states[(str(item), "ko")] == "outdated"
    assert states[(str(item), "zh-hans")] == "outdated"
    assert states[(str(article), "ko")] == "published"
    assert states[(str(article), "zh-hans")] == "missing"
    objects = sum(model.objects.count() for model in publishable_models())
    for code in LANGUAGE_CODES:
        assert sum(counts(response, code).values()) == objects
    assert counts(response, "ko")["outdated"] == 1
    assert counts(response, "en")["changed since published"] == 1
    page = response.content.decode()
    assert f'/admin/faq/faqitem/{item.pk}/change/#publication-ko"' in page


def test_the_page_costs_the_same_queries_for_more_objects(
    demo, admin_client, django_assert_max_num_queries
):
    url = reverse("translations-status")
    admin_client.get(url)
    with django_assert_max_num_queries(50) as before:
        admin_client.get(url)
    template = FAQItem.objects.first()
    for position in range(20):
        FAQItem.objects.create(
            category=template.category,
            position=100 + position,
            question_en=f"Question {position}?",
            answer_en="<p>Answer.</p>",
        )
    with django_assert_max_num_queries(50) as after:
        admin_client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_index_links_to_the_translation_pages(demo, admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("translations-status")}"' in page
    assert f'href="{reverse("translations")}"' in page


def test_a_user_who_may_view_no_content_is_refused(demo, client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("translations-status")).status_code == 403
