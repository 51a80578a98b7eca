"""What the database holds to now that readers see published versions: it accepts a
working copy that is incomplete where it is published, whatever writes it
(``QuerySet.update()`` skips ``save()``), and the API still serves the version
published; slugs stay unique per language (tests/content/test_slugs.py) and every
named constraint speaks to editors in their language."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import UniqueConstraint
from django.utils import translation

from content.models import Article, Method
from faq.models import FAQItem
from publication.models import (
    Publishable,
    empty_in,
    required_fields,
    sync_versions,
)
from tests.conftest import fresh, missing_in
from tests.content.served import detail, served, unchanged_for_readers
from tests.factories import (
    ArticleBlockFactory,
    ArticleFactory,
    FAQItemFactory,
    MethodFactory,
)

pytestmark = pytest.mark.django_db


def test_the_database_accepts_an_empty_answer_of_a_published_faq_item(client, refused):
    item = FAQItemFactory()
    item.publish("ko")
    answer = item.answer_ko

    with unchanged_for_readers(client, item):
        FAQItem.objects.filter(pk=item.pk).update(answer_ko="<p></p>")
        with refused("Cannot publish in Korean: it is not complete.") as messages:
            fresh(item).publish("ko")

    assert empty_in(fresh(item), "answer", "ko")
    assert detail(client, item, "ko")["answer"] == answer
    assert missing_in(messages[0], "Korean") == {"answer"}


def test_the_database_accepts_a_published_article_whose_block_lost_its_korean(
    client, refused
):
    article = ArticleFactory()
    block = ArticleBlockFactory(article=article, position=1, heading_en="Bottom line")
    article.publish("ko")
    heading = block.heading_ko

    with unchanged_for_readers(client, article):
        type(block).objects.filter(pk=block.pk).update(heading_ko="")
        with refused("Block 1 “Bottom line”: heading"):
            fresh(article).publish("ko")

    assert fresh(block).heading_ko == ""
    assert detail(client, article, "ko")["blocks"][0]["heading"] == heading


def test_a_published_method_whose_slug_update_cleared_keeps_its_address(client):
    method = MethodFactory()
    method.publish("ko")
    address = method.slug_ko

    with unchanged_for_readers(client, method):
        Method.objects.filter(pk=method.pk).update(slug_ko=None)

    assert fresh(method).slug_ko is None
    assert detail(client, method, "ko")["slug"] == address
    # A save makes the slug again from the name, as it makes every missing slug.
    fresh(method).save()
    fresh(method).publish("ko")
    assert detail(client, method, "ko")["slug"] == address


def test_a_flag_set_by_update_publishes_nothing(client):
    """The flags are the working copy's; readers see only published versions,
    which only publishing writes, after checking completeness."""
    article = ArticleFactory()
    before = served(client)

    Article.objects.filter(pk=article.pk).update(published_zh_hans=True)

    assert fresh(article).published_zh_hans
    assert not article.versions.exists()
    assert served(client) == before


def test_a_flag_set_by_update_on_an_incomplete_object_is_not_published_by_migrate(
    client,
):
    """``sync_versions`` runs after every ``migrate`` (and demo load): it must not
    publish what publishing would refuse. The article has no Chinese title, no
    Chinese slug and an untranslated block."""
    article = ArticleFactory()
    ArticleBlockFactory(article=article)
    assert not fresh(article).complete_zh_hans
    Article.objects.filter(pk=article.pk).update(published_zh_hans=True)
    before = served(client, ["zh-hans"])

    sync_versions()

    assert not article.versions.filter(locale="zh-hans").exists()
    assert served(client, ["zh-hans"]) == before


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if issubclass(m, Publishable)],
    ids=lambda m: m.__name__,
)
def test_every_publishable_type_has_a_required_text(model):
    """Completeness starts from the texts a model does not allow blank: a type
    without one could be published with nothing to show."""
    assert required_fields(model), f"{model.__name__} has no required text"


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
