"""Background work of publication: what must happen at a time when nobody saves.

What the public API shows of an object changes at its publication times as well as
on a save: an FAQ item published with a publish time tomorrow 09:00 appears in the
lists at 09:00 with no request or editor action. The API's cached responses are filed
under the content version (``publication.content_version``), which only a committed
change replaces, so without a bump at that time a URL cached before it would keep
the old answer until the entry expires.

So a save that commits with a publication time still to come enqueues
``time_reached`` (``schedule``) for that time on Django's tasks framework, whose
database backend keeps it in a table until the background worker (``manage.py
db_worker``) runs it, at the time or within the worker's polling interval after it.
The task does what a committed change does: it bumps the content version with the
object's cache tags (and so sends ``content_published`` for a CDN purge).

Nothing is cancelled: the task decides when it runs. A time changed again before it
(the save that moved it enqueued the new one), an object unpublished or deleted
meanwhile leaves it nothing to do, and it says so and succeeds. The interface is by
name (``app_label.Model``, primary key, ISO time), not by what the time means, so the
same task serves other kinds of timed change (a language's own publish or unpublish
time) when the objects name them in ``publication_times()``.

A time with no task — saved before this worker existed, written past ``save()`` (raw
SQL, a restore of an older backup) or lost because the enqueue after the commit
failed — is enqueued by ``schedule_pending`` (``manage.py schedule_publications``,
which ``make worker`` and the worker's systemd unit run before the worker starts):
a sweep at start rather than a data migration, because it also catches the later
cases, and a data migration would have to write the task backend's table as it is
in that migration's history rather than through the tasks API.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from publication import changes, documents
from publication.changes import announce
from publication.content_version import (
    content_changed,
    content_changing,
    content_published,
)

logger = logging.getLogger("clinic.publication")


@task()
def time_reached(model: str, pk: int, at: str) -> str:
    """A publication time of object ``pk`` of ``model`` (``faq.FAQItem``) has come:
    bump the content version with the object's tags, as its save would, if ``at``
    (ISO 8601) is still one of its times. Returns what it did, kept with the task's
    result."""
    when = datetime.fromisoformat(at)
    try:
        obj = apps.get_model(model)._default_manager.get(pk=pk)
    except (LookupError, ObjectDoesNotExist):
        return f"{model} {pk} no longer exists: nothing to do"
    if when not in obj.publication_times():
        return f"{model} {pk} is no longer due at {at}: nothing to do"
    if when > timezone.now():
        # Run before its time (a worker whose clock is behind the one that
        # enqueued it): come back then rather than bump too early.
        enqueue(model, pk, when)
        return f"{model} {pk}: {at} not reached yet, enqueued again"
    reach = locales_reached(obj, when)
    gone = obj.expire_versions(when)
    content_changed([obj, *obj.embedders(), *obj.shown_in()], locales=reach)
    if gone:
        return f"{model} {pk}: unpublished in {', '.join(gone)} at {at}"
    return f"{model} {pk}: content version bumped for {at}"


def locales_reached(obj, when: datetime) -> set[str] | None:
    """The locales whose documents change when ``when`` comes for ``obj``: those
    of the versions that take over from a version at the same address then; None
    (every locale) when the object's publish time comes, or a version starts with
    none before it, ends with none after it, or moves to another slug, since every
    locale's documents show the object's addresses (the alternates)."""
    if when == obj.publish_at:
        return None
    starting = dict(
        obj.versions.filter(visible_from=when).values_list("locale", "slug")
    )
    ending = dict(obj.versions.filter(visible_until=when).values_list("locale", "slug"))
    if not starting or set(ending) != set(starting):
        return None
    if any(ending[locale] != slug for locale, slug in starting.items()):
        return None
    return set(starting)


# Stale documents rendered again per run; a run that leaves some enqueues the next.
RENDER_BATCH = 500


@task()
def render_stale_documents() -> str:
    """Render again the delivery store's stale documents (publication/documents.py)
    from published versions, a batch at a time."""
    changes = documents.refresh_stale(limit=RENDER_BATCH)
    if len(changes) == RENDER_BATCH:
        render_stale_documents.enqueue()
        return f"{len(changes)} documents rendered again, more to come"
    changed = [change for change in changes if change.changed]
    # Every stale document is rendered again: the committed changes are announced
    # with what their documents answer now (publication/changes.py).
    announced = announce()
    return (
        f"{len(changes)} documents rendered again, {len(changed)} changed; "
        f"{announced} changes announced"
    )


def enqueue(model: str, pk, when: datetime) -> None:
    # In UTC, so that one time is one argument whatever zone the form gave it in
    # (``schedule_pending`` recognizes the tasks already waiting by their arguments).
    when = when.astimezone(UTC)
    time_reached.using(run_after=when).enqueue(model, pk, when.isoformat())


def schedule(obj, times: Iterable[datetime], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Enqueue ``time_reached`` for each of ``times`` when the current transaction
    commits (at once outside one); nothing on a rollback. A failed enqueue is logged
    and leaves the commit as it is: ``schedule_pending`` makes it up."""
    for when in times:
        transaction.on_commit(
            functools.partial(enqueue, obj._meta.label, obj.pk, when),
            using=using,
            robust=True,
        )


def schedule_pending(models: Iterable[type], *, now: datetime | None = None) -> int:
    """Enqueue ``time_reached`` for every publication time still to come of the
    objects of ``models`` that no task waits for yet; returns how many. Run again, it
    enqueues nothing new."""
    now = now or timezone.now()
    waiting = {
        tuple(args_kwargs.get("args", ()))
        for args_kwargs in DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=time_reached.module_path
        ).values_list("args_kwargs", flat=True)
    }
    count = 0
    for model in models:
        for obj in model._default_manager.scheduled(after=now):
            for when in sorted(obj.publication_times()):
                if when <= now:
                    continue
                key = (obj._meta.label, obj.pk, when.astimezone(UTC).isoformat())
                if key in waiting:
                    continue
                enqueue(obj._meta.label, obj.pk, when)
                count += 1
    return count


def documents_changing(sender, tags, locales=None, **kwargs) -> None:
    """Keep the change for the worker to announce (the documents it touched with
    their ETags, the addresses it changed: publication/changes.py), then mark
    stale the documents it touched (in the locales it reached), before the new
    content version is stored, so that no request under the new version reads
    one of them as current."""
    try:
        changes.record(tags, locales)
    except Exception:  # noqa: BLE001 — the commit stands; the store still refreshes
        logger.exception("Could not record the change of %s", " ".join(sorted(tags)))
    documents.invalidate(tags, locales)


def documents_touched(sender, tags, locales=None, **kwargs) -> None:
    """After the new content version is stored: mark stale again (a render that
    raced the change may have written one in between, under the old version, and
    its check did not see the new one yet) and have the worker render them all
    again (publication/documents.py)."""
    documents.invalidate(tags, locales)
    marked = documents.stale_count()
    if not marked and not changes.pending():
        return
    try:
        render_stale_documents.enqueue()
    except Exception:  # noqa: BLE001 — stale documents render on demand meanwhile
        logger.exception("Could not enqueue the re-render of %d documents", marked)


content_changing.connect(documents_changing, dispatch_uid="clinic_documents")
content_published.connect(documents_touched, dispatch_uid="clinic_documents")
