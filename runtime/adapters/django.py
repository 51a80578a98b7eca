"""Django (written for 5.2): whether an on_commit callback is still queued.

``publication.content_version`` makes one publication per transaction: a change joins
the callback an earlier change of the same transaction queued, unless Django has
dropped it with a rolled-back savepoint (or transaction), in which case a new one
is queued. Django offers no public way to ask; the queue is
``connection.run_on_commit``, a list of ``(savepoint ids, callback, robust)``."""

from __future__ import annotations

from collections.abc import Callable

WRITTEN_FOR = (5, 2)


def on_commit_queued(connection, callback: Callable) -> bool:
    """Whether ``callback`` waits for ``connection``'s transaction to commit."""
    return any(entry[1] == callback for entry in connection.run_on_commit)
