"""The database's own guard of the publication rule: a row is published in a
language only where it is complete, whatever writes it (``QuerySet.update()`` skips
``save()``)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import UniqueConstraint
from django.utils import translation

from content.models import Article, Method
from faq.models import FAQItem
from publication.languages import LANGUAGE_CODES, column
from publication.models import Publishable, required_fields
from tests.conftest import fresh
from tests.factories import (
    ArticleBlockFactory,
    ArticleFactory,
    FAQItemFactory,
    MethodFactory,
)

pytestmark = pytest.mark.django_db


def test_update_cannot_publish_an_article_with_no_chinese_title():
    article = ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(published_zh_hans=True)

    assert not fresh(article).published_zh_hans


def test_update_cannot_publish_an_article_whose_block_is_not_translated():
    article = ArticleFactory(title_zh_hans="为什么笑起来嘴角会偏向一侧？")
    ArticleBlockFactory(article=article)
    assert fresh(article).slug_zh_hans, "the title is there, so is the slug"

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(published_zh_hans=True)


def test_update_cannot_empty_the_answer_of_a_published_faq_item():
    item = FAQItemFactory()
    item.publish("ko")

    with pytest.raises(IntegrityError), transaction.atomic():
        FAQItem.objects.filter(pk=item.pk).update(answer_ko="<p></p>")

    assert fresh(item).answer_ko


def test_update_cannot_clear_the_slug_of_a_published_method():
    method = MethodFactory()
    method.publish("ko")

    with pytest.raises(IntegrityError), transaction.atomic():
        Method.objects.filter(pk=method.pk).update(slug_ko=None)


def test_update_publishes_an_object_that_is_complete():
    item = FAQItemFactory()

    FAQItem.objects.filter(pk=item.pk).update(published_ko=True)

    assert list(FAQItem.objects.published("ko")) == [item]


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if issubclass(m, Publishable)],
    ids=lambda m: m.__name__,
)
def test_the_constraints_check_every_required_text_of_the_model(model):
    required = required_fields(model)
    assert required, f"{model.__name__} has no required text"
    for code in LANGUAGE_CODES:
        suffix = f"_published_{code.replace('-', '_')}_complete"
        [constraint] = [c for c in model._meta.constraints if c.name.endswith(suffix)]
        condition = str(constraint.condition)
        for field in required:
            assert f"'{column(field, code)}'" in condition, (field, code)


def named_constraints() -> list:
    found = []
    for model in apps.get_models():
        if model._meta.app_label in ("content", "faq"):
            for constraint in model._meta.constraints:
                # Django words a unique constraint without a condition itself, on
                # its fields ("… with this … already exists.").
                if not (
                    isinstance(constraint, UniqueConstraint)
                    and constraint.condition is None
                ):
                    found.append(pytest.param(constraint, id=constraint.name))
    return found


@pytest.mark.parametrize("constraint", named_constraints())
def test_every_named_constraint_has_a_message_translated_into_korean(constraint):
    message = constraint.violation_error_message
    assert message != constraint.default_violation_error_message
    with translation.override("ko"):
        korean = str(message)
    assert korean != str(message), "no Korean translation"
    assert constraint.name not in korean
