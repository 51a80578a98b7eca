"""The locales a change reaches (publication/content_version.py): carried per tag
from ``content_changed`` to the signals, merged over one transaction."""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction

from publication.content_version import content_changed, content_published


@contextlib.contextmanager
def reaches():
    sent: list[dict] = []

    def receive(sender, tags, locales, version, **kwargs):
        sent.append(dict(locales))

    content_published.connect(receive)
    try:
        yield sent
    finally:
        content_published.disconnect(receive)


@pytest.mark.django_db(transaction=True)
def test_a_change_carries_its_locales_per_tag_and_one_naming_none_reaches_all():
    with reaches() as sent, transaction.atomic():
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
    with reaches() as sent:
        content_changed(tags=["faqitem-1"], locales=["zh-hans"])

    assert sent == [{"faqitem-1": frozenset({"zh-hans"})}]
