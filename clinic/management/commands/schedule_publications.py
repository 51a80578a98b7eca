"""Enqueue the publication times that have no task waiting for them.

    manage.py schedule_publications

A save enqueues the background task of each publication time it leaves to come
(``publication.tasks``); times written otherwise — before the worker existed, by raw
SQL or a restore, or whose enqueue failed after the commit — have none, and a URL
cached before such a time would not change when it comes. This enqueues them; run
again, it enqueues nothing new. ``make worker`` and the worker's systemd unit run it
before the worker starts.
"""

from django.core.management.base import BaseCommand

from publication.models import publishable_models
from publication.tasks import schedule_pending


class Command(BaseCommand):
    help = (
        "Enqueue the background task of every publication time still to come that "
        "no task waits for (run before the worker starts; safe to run again)."
    )

    def handle(self, *args, **options):
        count = schedule_pending(publishable_models())
        self.stdout.write(f"Publication times enqueued: {count}")
