"""The locales a change reaches (publication/content_version.py): carried per tag
from ``content_changed`` to the signals, merged over one transaction; and those a
scheduled time reaches (``publication.tasks.locales_reached``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from faq.models import FAQItem
from publication.content_version import content_changed
from publication.tasks import locales_reached
from tests.conftest import publications


@pytest.mark.django_db(transaction=True)
def test_a_change_carries_its_locales_per_tag_and_one_naming_none_reaches_all():
    with publications(locales=True) as sent, transaction.atomic():
        content_changed(tags=["faqitem-1"], locales=["en"])
        content_changed(tags=["faqitem-1", "article-2"], locales=["ko"])
        content_changed(tags=["article-3"], locales=["ja"])
        content_changed(tags=["article-3", "sitemap"])

    assert sent == [
        {
            "faqitem-1": frozenset({"en", "ko"}),
            "article-2": frozenset({"ko"}),
            "article-3": None,
            "sitemap": None,
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_a_change_outside_a_transaction_carries_its_locales():
    with publications(locales=True) as sent:
        content_changed(tags=["faqitem-1"], locales=["zh-hans"])

    assert sent == [{"faqitem-1": frozenset({"zh-hans"})}]


def scheduled_item() -> FAQItem:
    return FAQItem.objects.filter(published_en=True, published_ko=True).order_by("pk")[
        0
    ]


@pytest.mark.django_db
def test_a_scheduled_republication_at_the_same_address_reaches_its_locale(demo):
    item = scheduled_item()
    later = timezone.now() + dt.timedelta(hours=1)
    item.question_en = "Scheduled question?"
    item.save()
    item.publish("en", at=later)
    # The object's own publish time is that time too, which reaches every locale;
    # moved on, the version's time is left.
    assert locales_reached(item, later) is None
    item.publish_at = timezone.now()

    assert locales_reached(item, later) == {"en"}


@pytest.mark.django_db
def test_a_scheduled_unpublication_or_a_new_slug_reaches_every_locale(demo):
    item = scheduled_item()
    later = timezone.now() + dt.timedelta(hours=1)
    item.unpublish("ko", at=later)
    assert locales_reached(item, later) is None

    item.slug_en = "a-new-english-slug"
    item.save()
    item.publish("en", at=later + dt.timedelta(hours=1))
    item.publish_at = timezone.now()

    assert locales_reached(item, later + dt.timedelta(hours=1)) is None
