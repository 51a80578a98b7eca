"""``api.published.Localized``: what the serializers read of a published version in
one locale (DESIGN §3: a locale's own text, never another's)."""

from __future__ import annotations

import pytest

from api.published import Alternate, Localized

ROW = {
    "pk": 7,
    "title_en": "Botox",
    "title_ko": None,
    "kind": "checklist",
    "slug_en": "botox",
    "slug_ko": "보톡스",
    "slug_ja": "",
    "slug_zh_hans": "",
    "published_en": True,
    "published_ko": True,
    "published_ja": False,
    "published_zh_hans": False,
}


def test_a_field_reads_the_locales_column_and_an_unwritten_one_is_empty():
    assert Localized(ROW, "en").title == "Botox"
    assert Localized(ROW, "ko").title == ""


def test_a_plain_field_reads_its_column_and_an_unknown_name_is_an_error():
    shown = Localized(ROW, "ko")

    assert shown.kind == "checklist"
    assert shown.pk == 7
    with pytest.raises(AttributeError):
        getattr(shown, "summary")  # noqa: B009


def test_what_the_loader_resolved_is_an_attribute():
    items = [Localized({"pk": 1}, "ko")]

    assert Localized(ROW, "ko", items=items).items is items


def test_alternates_are_the_visible_locales_and_the_default_first():
    alternates = Localized(ROW, "ko").alternates

    assert alternates.languages == [
        Alternate("en", "en", "botox"),
        Alternate("ko", "ko", "보톡스"),
    ]
    assert alternates.x_default == Alternate("en", "en", "botox")


def test_without_the_default_locale_the_first_visible_one_is_x_default():
    row = {**ROW, "published_en": False}

    assert Localized(row, "ko").alternates.x_default == Alternate("ko", "ko", "보톡스")
