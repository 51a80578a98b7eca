"""A scheduled publish reaches URLs that are already cached, with no request or
editor action at its time: the background worker (`manage.py db_worker`, a real
process) runs the task the save enqueued (publication.tasks) and bumps the content
version, so the next request renders the list anew.

Each test caches the FAQ list with the demo's items, publishes one more item with a
publish time a few seconds ahead, reads the list once more before that time (still
the cached answer), then waits — sending nothing — until the time plus the worker's
polling interval and a margin, and reads it once: it must hold the new item under a
new ETag. Without the worker's bump the entry cached before the time would be served
until it expires (API_CACHE_TIMEOUT, a day).

On the embedded default (SQLite and the file cache shared by the processes of one
machine; the edit made by a `manage.py shell` process) and on PostgreSQL + Redis with
two gunicorn servers (the edit made by this test process, which commits for real).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.utils import timezone

from faq.models import FAQCategory, FAQItem
from tests.servers.conftest import (
    ROOT,
    WORKER_INTERVAL,
    Embedded,
    Server,
    database_url,
    stop_process,
)

LIST = "/api/v1/faq-items/"
AHEAD = 3.0  # seconds from the save to the publish time
MARGIN = 2.0  # seconds past the time and the worker's interval before the check
QUESTION = "Can I eat right after the treatment?"


def read_list(server: Server) -> tuple[list[str], str]:
    """The questions of the FAQ list (one page holds the demo's) and its ETag."""
    response = server.get(LIST, params={"page_size": "100"})
    assert response.status_code == 200, response.text
    questions = [item["question"] for item in json.loads(response.content)["results"]]
    return questions, response.headers["ETag"]


def wait_until(moment: dt.datetime) -> None:
    time.sleep(max((moment - timezone.now()).total_seconds(), 0))


def check_scheduled_publish(servers: list[Server], publish, worker_log) -> None:
    before = {}
    for server in servers:
        questions, etag = read_list(server)
        assert QUESTION not in questions
        # Cached: the same answer again.
        assert read_list(server) == (questions, etag)
        before[server.name] = (questions, etag)

    publish_at = publish()

    for server in servers:
        # Before its time the item is in no list: the answer is the one cached.
        assert read_list(server) == before[server.name]
        assert timezone.now() < publish_at, "the check before the time came too late"

    wait_until(publish_at + dt.timedelta(seconds=WORKER_INTERVAL + MARGIN))
    for server in servers:
        questions, etag = read_list(server)
        old_questions, old_etag = before[server.name]
        assert questions == [*old_questions, QUESTION], worker_log()
        assert etag != old_etag


def test_a_scheduled_publish_reaches_a_cached_list_on_the_embedded_default(
    embedded: Embedded,
):
    embedded.start_worker()
    # The worker is up when it has claimed nothing for a moment; the test's timing
    # starts after that (a cold Python start takes a second or two).
    time.sleep(3)

    def publish() -> dt.datetime:
        code = (
            "import datetime as dt\n"
            "from django.utils import timezone\n"
            "from faq.models import FAQCategory, FAQItem\n"
            "item = FAQItem(category=FAQCategory.objects.first(),\n"
            f"    question_en={QUESTION!r}, answer_en='<p>Wait two hours.</p>',\n"
            "    position=10_000, published_en=True,\n"
            f"    publish_at=timezone.now() + dt.timedelta(seconds={AHEAD}))\n"
            "item.save()\n"
            "print(item.publish_at.isoformat())\n"
        )
        output = embedded.manage("shell", "-c", code)
        return dt.datetime.fromisoformat(output.strip().splitlines()[-1])

    check_scheduled_publish([embedded.server], publish, embedded.worker_log)


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two gunicorn servers need a shared database: run on PostgreSQL "
    "(DATABASE_URL) with Redis (REDIS_URL)",
)
def test_a_scheduled_publish_reaches_both_servers_on_postgresql_and_redis(
    demo, two_servers, tmp_path
):
    a, b = two_servers
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": a.redis_url,
        "CACHE_KEY_PREFIX": a.cache_prefix,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                str(WORKER_INTERVAL),
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        time.sleep(3)

        def publish() -> dt.datetime:
            # Committed by this process: the save enqueues the task on commit into
            # the database the worker polls.
            item = FAQItem(
                category=FAQCategory.objects.first(),
                question_en=QUESTION,
                answer_en="<p>Wait two hours.</p>",
                position=10_000,
                published_en=True,
                publish_at=timezone.now() + dt.timedelta(seconds=AHEAD),
            )
            item.save()
            return item.publish_at

        check_scheduled_publish(
            [a, b], publish, lambda: log.read_text(errors="replace")
        )
    finally:
        stop_process(worker)
