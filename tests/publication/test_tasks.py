"""The scheduling hook of publication times (publication/tasks.py): a save that
commits with a publish time still to come enqueues ``time_reached`` for that time
(django-tasks' database backend, a row in the database); a rollback, a past time or
an unpublished object enqueue nothing; the task, when it runs, bumps the content
version with the object's tags if the time is still the object's, and otherwise
does nothing and succeeds (time moved, object unpublished or deleted).

Transactions commit for real here (``transaction=True``): the hook acts on commit.
The worker process itself is tested in tests/servers/test_scheduled_publication.py.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from faq.models import FAQItem
from publication.tasks import schedule_pending, time_reached
from tests.conftest import publications
from tests.factories import FAQItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

LABEL = "faq.FAQItem"


def queued() -> list[tuple[list, dt.datetime]]:
    """(arguments, run after) of every task waiting to run."""
    return [
        (row.args_kwargs["args"], row.run_after)
        for row in DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=time_reached.module_path
        ).order_by("run_after", "enqueued_at")
    ]


def utc(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat()


def in_an_hour() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=1)


def test_a_future_publish_time_is_enqueued_when_the_save_commits():
    at = in_an_hour()
    with transaction.atomic():
        item = FAQItemFactory(published_en=True, publish_at=at)
        assert queued() == []
    assert queued() == [([LABEL, item.pk, utc(at)], at)]


def test_a_time_given_in_another_zone_is_enqueued_in_utc():
    at = in_an_hour().astimezone(dt.timezone(dt.timedelta(hours=9)))
    item = FAQItemFactory(published_en=True, publish_at=at)
    assert queued() == [([LABEL, item.pk, utc(at)], at)]
    assert utc(at).endswith("+00:00")


def test_a_rolled_back_save_enqueues_nothing():
    with transaction.atomic():
        FAQItemFactory(published_en=True, publish_at=in_an_hour())
        transaction.set_rollback(True)
    assert queued() == []


def save_in_a_savepoint_that_fails() -> None:
    with transaction.atomic():
        FAQItemFactory(published_en=True, publish_at=in_an_hour())
        raise RuntimeError("rolled back")


def test_a_save_in_a_rolled_back_savepoint_enqueues_nothing():
    with transaction.atomic():
        kept = FAQItemFactory(published_en=True, publish_at=in_an_hour())
        with pytest.raises(RuntimeError):
            save_in_a_savepoint_that_fails()
    assert [args[1] for args, _ in queued()] == [kept.pk]


def test_a_past_time_or_no_published_language_enqueues_nothing():
    FAQItemFactory(published_en=True, publish_at=timezone.now())
    FAQItemFactory(published_en=True, publish_at=timezone.now() - dt.timedelta(days=1))
    FAQItemFactory(publish_at=in_an_hour())  # a draft: its time shows nothing
    assert queued() == []


def test_a_save_that_keeps_the_time_enqueues_no_second_task():
    item = FAQItemFactory(published_en=True, publish_at=in_an_hour())
    item.question_en = "Another question?"
    item.save()
    item.publish("ko")
    assert len(queued()) == 1


def test_a_moved_time_enqueues_the_new_one_and_the_old_task_does_nothing():
    old = in_an_hour()
    item = FAQItemFactory(published_en=True, publish_at=old)
    new = old + dt.timedelta(hours=1)
    # Publishing again with another time moves the version's time (the working
    # copy's alone would move nothing that readers see).
    item.publish("en", at=new)
    assert queued() == [
        ([LABEL, item.pk, utc(old)], old),
        ([LABEL, item.pk, utc(new)], new),
    ]

    with publications() as sent:
        result = time_reached.call(LABEL, item.pk, utc(old))
    assert sent == []
    assert "no longer due" in result


def test_the_task_bumps_the_content_version_with_the_objects_tags_at_its_time():
    at = timezone.now() + dt.timedelta(seconds=0.5)
    item = FAQItemFactory(published_en=True, publish_at=at)
    ((args, run_after),) = queued()
    assert run_after == at
    time.sleep(max((at - timezone.now()).total_seconds(), 0) + 0.05)

    with publications() as sent:
        result = time_reached.call(*args)

    assert len(sent) == 1
    assert {"faqitem", f"faqitem-{item.pk}"} <= sent[0]
    assert "bumped" in result


def test_an_unpublished_object_leaves_the_task_nothing_to_do():
    item = FAQItemFactory(published_en=True, publish_at=in_an_hour())
    ((args, _),) = queued()
    item.unpublish("en")
    with publications() as sent:
        result = time_reached.call(*args)
    assert sent == []
    assert "no longer due" in result


def test_a_deleted_object_leaves_the_task_nothing_to_do():
    item = FAQItemFactory(published_en=True, publish_at=in_an_hour())
    ((args, _),) = queued()
    item.delete()
    with publications() as sent:
        assert "no longer exists" in time_reached.call(*args)
        assert "no longer exists" in time_reached.call("faq.Gone", 1, args[2])
    assert sent == []


def test_a_task_run_before_its_time_comes_back_then_without_a_bump():
    at = in_an_hour()
    item = FAQItemFactory(published_en=True, publish_at=at)
    ((args, _),) = queued()
    with publications() as sent:
        result = time_reached.call(*args)
    assert sent == []
    assert "enqueued again" in result
    assert queued() == [([LABEL, item.pk, utc(at)], at)] * 2


def test_times_without_a_task_are_enqueued_once_by_the_sweep(capsys):
    at = in_an_hour()
    with_task = FAQItemFactory(published_en=True, publish_at=at)
    without = FAQItemFactory(published_en=True)
    # Written past save(), as raw SQL, a restore or the times of before the worker.
    FAQItem.objects.filter(pk=without.pk).update(publish_at=at)
    FAQItemFactory(publish_at=at)  # a draft: nothing to schedule
    assert len(queued()) == 1

    assert schedule_pending([FAQItem]) == 1
    assert sorted(args[1] for args, _ in queued()) == sorted([with_task.pk, without.pk])
    call_command("schedule_publications")
    assert capsys.readouterr().out == "Publication times enqueued: 0\n"
    assert len(queued()) == 2
