"""Scheduling is a property of the published version (docs/publishing.md, decision
4): a republication at a time to come keeps what readers see now until then; a
scheduled unpublication ends a language's visibility at its time; each language has
its own times; the worker's ``time_reached`` settles them when they come.

A time cannot be waited for in a test: the versions' times are moved into the past
by hand, as the clock would, and the task is run for that time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from content.models import Comparison, Method
from faq.models import FAQItem
from publication.published import Published
from publication.tasks import time_reached
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

LABEL = "faq.FAQItem"


def answer(client, item: FAQItem, code: str):
    slug = getattr(item, f"slug_{code}")
    return client.get(f"/api/v1/faq-items/{slug}/", {"locale": code})


def demo_item() -> FAQItem:
    return FAQItem.objects.filter(published_en=True, published_ko=True).order_by("pk")[
        0
    ]


def shift(item: FAQItem, by: dt.timedelta) -> None:
    """Move every time of the item's versions by ``by`` (the clock moving on by
    ``-by``)."""
    for version in item.versions.all():
        version.visible_from += by
        if version.visible_until is not None:
            version.visible_until += by
        version.save()


def run_task_for(item: FAQItem, when: dt.datetime) -> str:
    return time_reached.call(LABEL, item.pk, when.astimezone(dt.UTC).isoformat())


def test_a_republication_at_a_time_to_come_keeps_the_live_version_until_then(
    demo, client
):
    item = demo_item()
    old = item.question_en
    later = timezone.now() + dt.timedelta(hours=1)
    item.question_en = "Scheduled question?"
    item.save()

    item.publish("en", at=later)

    assert answer(client, item, "en").json()["question"] == old
    seen_later = Published(at=later + dt.timedelta(seconds=1))
    pk = seen_later.by_slug(FAQItem, "en", item.slug_en)
    assert seen_later.row(FAQItem, pk, "en")["question_en"] == "Scheduled question?"
    # Korean is untouched by the English schedule.
    assert item.versions.filter(locale="ko").get().visible_until is None


def test_when_the_time_comes_the_new_version_replaces_the_old(demo, client):
    item = demo_item()
    later = timezone.now() + dt.timedelta(hours=1)
    item.question_en = "Scheduled question?"
    item.save()
    item.publish("en", at=later)

    shift(item, -dt.timedelta(hours=2))  # the hour has passed
    result = run_task_for(item, later - dt.timedelta(hours=2))

    assert "bumped" in result
    assert item.versions.filter(locale="en").count() == 1
    assert answer(client, item, "en").json()["question"] == "Scheduled question?"
    assert fresh(item).published_en


def test_a_scheduled_unpublication_ends_the_language_at_its_time(demo, client):
    item = demo_item()
    later = timezone.now() + dt.timedelta(hours=1)

    item.unpublish("ko", at=later)

    assert answer(client, item, "ko").status_code == 200
    assert fresh(item).published_ko
    assert item.versions.get(locale="ko").visible_until == later
    assert not Published(at=later).by_slug(FAQItem, "ko", item.slug_ko)

    shift(item, -dt.timedelta(hours=2))
    result = run_task_for(item, later - dt.timedelta(hours=2))

    assert "unpublished in ko" in result
    assert answer(client, item, "ko").status_code == 404
    assert not fresh(item).published_ko
    assert not item.versions.filter(locale="ko").exists()
    assert answer(client, item, "en").status_code == 200


def test_a_scheduled_unpublication_is_refused_while_published_content_embeds_it(
    demo,
):
    method = Method.objects.filter(
        pk__in=Comparison.objects.filter(published_en=True).values("columns__method")
    ).first()
    with pytest.raises(ValidationError, match="embeds it"):
        method.unpublish("en", at=timezone.now() + dt.timedelta(hours=1))
    assert method.versions.get(locale="en").visible_until is None


def test_republishing_now_keeps_a_scheduled_unpublication(demo):
    item = demo_item()
    later = timezone.now() + dt.timedelta(hours=1)
    item.unpublish("en", at=later)
    item = fresh(item)
    item.question_en = "Edited, published now?"
    item.save()

    item.publish("en")

    version = item.versions.get(locale="en")
    assert version.data["object"]["question"] == "Edited, published now?"
    assert version.visible_until == later


def test_a_republication_scheduled_after_the_end_never_shows(demo):
    item = demo_item()
    end = timezone.now() + dt.timedelta(hours=1)
    item.publish("en", at=end + dt.timedelta(hours=1))
    item = fresh(item)
    item.unpublish("en", at=end)
    assert list(item.versions.filter(locale="en").values_list("visible_until")) == [
        (end,)
    ]


def test_the_worker_sweep_finds_scheduled_unpublications(demo):
    item = demo_item()
    item.unpublish("ja", at=timezone.now() + dt.timedelta(hours=1))
    assert item in FAQItem.objects.scheduled()


def test_the_panel_schedules_an_unpublication_and_says_so(demo, admin_client):
    item = demo_item()
    url = reverse("admin:faq_faqitem_publication", args=[item.pk])
    later = timezone.localtime(timezone.now() + dt.timedelta(days=1)).replace(
        second=0, microsecond=0
    )

    admin_client.post(
        url,
        {
            "languages": ["ko"],
            "unpublish_selected": "1",
            "publish_at": later.strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert fresh(item).versions.get(locale="ko").visible_until == later
    page = admin_client.get(reverse("admin:faq_faqitem_change", args=[item.pk]))
    rows = {row["code"]: row for row in page.context["publication_panel"]["rows"]}
    assert rows["ko"]["state"].startswith("published until")
    assert rows["en"]["state"] == "published"


def test_one_open_version_per_language_at_most(demo):
    item = demo_item()
    item.publish("en", at=timezone.now() + dt.timedelta(hours=1))
    versions = item.versions.filter(locale="en")
    assert versions.filter(visible_until__isnull=True).count() == 1
    assert versions.count() == 2
