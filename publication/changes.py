"""The changed documents of a committed change of published content: what a CDN
purge, the webhooks (``webhooks``) and the static export (``publication.export``)
react to, announced once per change, in the order the changes committed.

A change names the tags of what it touched (``publication.content_version``). When
it commits, the documents that show one of them are recorded with the ETag they
had, and so are the detail addresses of the objects it named, as the public saw
them before and after (a new slug, an unpublished language). The background worker
renders them again and sends ``documents_changed`` with those whose bytes or
status changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

# What a changed document is now at its path.
CREATED = "created"  # answers 200, and did not before (a first publication)
UPDATED = "updated"  # answers 200 with other bytes
MOVED = "moved"  # answers ``moved``: the object is at ``location`` now
REMOVED = "removed"  # answers 404 (unpublished, deleted)
STATUSES = (CREATED, UPDATED, MOVED, REMOVED)


@dataclass(frozen=True)
class ChangedDocument:
    """One public document a change altered."""

    # The absolute URL as the delivery store keys it
    # ("https://api.example.com/api/v1/faq-items/lip-care/?locale=ko").
    url: str
    # Its path and query ("/api/v1/faq-items/lip-care/?locale=ko").
    path: str
    # The ``?locale=`` code ("zh-hans"); "" for a document in no language (the
    # root, the locales).
    locale: str
    status: str
    # The ETag it answers with now (None: removed or moved).
    etag: str | None
    # The cache tags of what it shows ("faqitem-12"), before and after.
    tags: tuple[str, ...]
    # For a detail address: the sitemap type of its object ("faq_item"), its slug
    # at this path, and the slug it had before where the change moved it.
    type: str | None = None
    slug: str | None = None
    previous_slug: str | None = None
    # For a moved address: the path of the object's address now.
    location: str | None = None


# Sent by the worker once per committed change, in commit order, with ``change``
# (the change's id: unique, increasing; what makes a receiver idempotent),
# ``committed_at`` (a datetime) and ``documents`` (a list of ChangedDocument).
# Receivers run inside the transaction that marks the change announced: what they
# write (an event to deliver) commits with it, or neither does.
documents_changed = Signal()
