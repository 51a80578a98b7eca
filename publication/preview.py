"""Draft preview links (api/preview.py serves them): a signed, expiring token
scoped to one object and one locale, and the frontend's preview address made
from ``PREVIEW_URL_TEMPLATE``.

The token is ``django.core.signing`` with the project's secret and a salt of its
own; its expiry is inside what is signed (``exp``), so the lifetime in force when
it was made is the one that holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.utils import timezone

from publication.changes import ADDRESS_TYPES, AddressType
from publication.languages import column

SALT = "clinic.preview"


def make_token(obj, code: str, *, now: datetime | None = None) -> str:
    """A preview token for ``obj`` in locale ``code``, valid for
    ``PREVIEW_TOKEN_LIFETIME`` seconds from ``now``."""
    expires = (now or timezone.now()) + timedelta(
        seconds=settings.PREVIEW_TOKEN_LIFETIME
    )
    return signing.dumps(
        {
            "m": obj._meta.label_lower,
            "pk": obj.pk,
            "l": code,
            "exp": int(expires.timestamp()),
        },
        salt=SALT,
        compress=True,
    )


def read_token(token: str) -> dict:
    """The scope of a valid token (model label, pk, locale, expiry);
    ``signing.SignatureExpired`` past its expiry, ``signing.BadSignature`` for
    anything not signed here."""
    scope = signing.loads(token, salt=SALT)
    if not isinstance(scope, dict) or not isinstance(scope.get("exp"), int):
        raise signing.BadSignature("not a preview token")
    if scope["exp"] <= timezone.now().timestamp():
        raise signing.SignatureExpired("expired")
    return scope


def type_of(model) -> AddressType | None:
    """The public type with detail addresses of ``model``, or None."""
    return next((kind for kind in ADDRESS_TYPES.values() if kind.model is model), None)


def preview_url(obj, code: str) -> str | None:
    """The frontend's preview address of ``obj`` in ``code``
    (``PREVIEW_URL_TEMPLATE``), or None when none is configured or the type has
    no detail pages."""
    template = settings.PREVIEW_URL_TEMPLATE
    kind = type_of(type(obj))
    if not template or kind is None:
        return None
    slug = getattr(obj, column("slug", code), "") or ""
    return template.format(
        locale=code,
        type=kind.name,
        slug=quote(slug, safe=""),
        id=obj.pk,
        token=quote(make_token(obj, code), safe=""),
    )
