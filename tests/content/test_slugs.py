"""Slugs per language: made from the title in its own script, unique within a
language, kept once set (DESIGN §4, Part.fill_slugs / unique_slug)."""

from __future__ import annotations

import pytest
from django.core.validators import validate_unicode_slug
from django.db import IntegrityError, transaction

from content.models import Article, Method
from faq.models import FAQItem
from tests.conftest import fresh
from tests.factories import (
    ArticleFactory,
    CauseTypeFactory,
    FAQCategoryFactory,
    FAQItemFactory,
    MethodFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "title", "slug"),
    [
        ("ko", "입꼬리 비대칭", "입꼬리-비대칭"),
        ("ja", "口角の非対称 とは？", "口角の非対称-とは"),
        ("zh-hans", "嘴角 不对称", "嘴角-不对称"),
        ("en", "Mouth Corner Asymmetry: Why?", "mouth-corner-asymmetry-why"),
    ],
)
def test_title_gives_a_slug_in_its_own_script(code, title, slug):
    column = code.replace("-", "_")
    article = ArticleFactory(**{f"title_{column}": title})

    assert getattr(fresh(article), f"slug_{column}") == slug


def test_each_language_gets_its_own_slug_from_its_own_title():
    method = MethodFactory(name_en="Botox", name_ko="보톡스", name_ja="ボトックス")

    stored = fresh(method)
    assert (stored.slug_en, stored.slug_ko, stored.slug_ja) == (
        "botox",
        "보톡스",
        "ボトックス",
    )
    assert stored.slug_zh_hans in (None, "")


@pytest.mark.parametrize("title", ["?!…", "😀😀", "— · —"])
def test_title_without_letters_still_gives_a_usable_slug(title):
    first = ArticleFactory(title_ko=title)
    second = ArticleFactory(title_ko=title)

    slugs = [fresh(first).slug_ko, fresh(second).slug_ko]
    for slug in slugs:
        assert slug
        validate_unicode_slug(slug)
    assert slugs[0] != slugs[1]


def test_slug_of_a_part_is_made_from_its_name():
    category = FAQCategoryFactory(name_en="Mouth corners", name_ko="입꼬리 비대칭")

    assert (fresh(category).slug_en, fresh(category).slug_ko) == (
        "mouth-corners",
        "입꼬리-비대칭",
    )


def test_second_object_with_the_same_title_gets_a_numbered_slug():
    first = CauseTypeFactory(name_en="Muscular type", name_ko="근육형")
    second = CauseTypeFactory(name_en="Muscular type", name_ko="근육형")
    third = CauseTypeFactory(name_en="Muscular type", name_ko="근육형")

    assert [fresh(obj).slug_ko for obj in (first, second, third)] == [
        "근육형",
        "근육형-2",
        "근육형-3",
    ]
    assert fresh(third).slug_en == "muscular-type-3"


def test_same_slug_is_allowed_in_two_languages_on_different_objects():
    english = MethodFactory(name_en="Botox", name_ko="보톡스")
    korean = MethodFactory(name_en="Botulinum toxin", name_ko="Botox")

    assert fresh(english).slug_en == "botox"
    assert fresh(korean).slug_ko == "botox"


def test_slugs_of_different_types_do_not_collide():
    MethodFactory(name_en="Botox")
    item = FAQItemFactory(question_en="Botox")

    assert fresh(item).slug_en == "botox"


def test_editor_typed_slug_is_kept():
    article = ArticleFactory(
        title_en="Fine in the mirror, but your smile pulls sideways",
        slug_en="mouth-corner-asymmetry",
        slug_ko="입꼬리-비대칭",
    )

    stored = fresh(article)
    assert (stored.slug_en, stored.slug_ko) == (
        "mouth-corner-asymmetry",
        "입꼬리-비대칭",
    )


def test_slug_stays_when_the_title_changes():
    article = ArticleFactory(title_en="Mouth corner asymmetry")

    article.title_en = "Why does my smile pull sideways?"
    article.save()

    assert fresh(article).slug_en == "mouth-corner-asymmetry"


def test_slug_of_a_long_title_fits_its_column_even_when_numbered():
    # As long as the title column allows (PostgreSQL enforces it), longer than a slug.
    title = ("입꼬리 비대칭 " * 60)[: Article._meta.get_field("title_ko").max_length]
    first, second = ArticleFactory(title_ko=title), ArticleFactory(title_ko=title)

    max_length = Article._meta.get_field("slug_ko").max_length
    assert 0 < len(fresh(first).slug_ko) <= max_length
    assert fresh(second).slug_ko.endswith("-2")
    assert len(fresh(second).slug_ko) <= max_length


def test_database_refuses_a_duplicate_slug_set_by_update():
    first = MethodFactory(name_ko="보톡스")
    second = MethodFactory(name_ko="리프팅")

    with pytest.raises(IntegrityError), transaction.atomic():
        Method.objects.filter(pk=second.pk).update(slug_ko=fresh(first).slug_ko)


def test_database_refuses_a_duplicate_slug_from_bulk_create():
    FAQItemFactory(slug_ja="ボトックスだけで")
    category = FAQCategoryFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        FAQItem.objects.bulk_create(
            [
                FAQItem(
                    category=category, question_en="Again?", slug_ja="ボトックスだけで"
                )
            ]
        )


def test_database_allows_many_objects_without_a_slug_in_a_language():
    Article.objects.bulk_create(
        [
            Article(title_en="One", slug_en="one", slug_ko=""),
            Article(title_en="Two", slug_en="two", slug_ko=""),
        ]
    )

    assert Article.objects.filter(slug_ko="").count() == 2
