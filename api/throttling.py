"""Who a request comes from, behind trusted proxies: the key of the API rate limit
and of the admin login lockout (django-axes), so both count the same client.

Apart from ``clinic.middleware`` because DRF imports the throttle class while
``rest_framework.views`` loads, which ``api.errors`` (and so the middleware)
imports.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


def client_ip(request) -> str:
    """The client's address: the ``NUM_PROXIES``-th entry of X-Forwarded-For from
    the right (what the last trusted proxy saw), else the connecting address.

    Entries further left were written by the client and are never trusted. This is
    DRF's reading of ``NUM_PROXIES``; django-ipware's ``proxy_count`` counts proxy
    addresses *inside* the header instead, so one proxy that appends the client's
    address (nginx's ``$proxy_add_x_forwarded_for``) would give no address at all.
    An entry that is not an IP address (a proxy missing from the path) falls back
    to the connecting address, which is what django-axes can store.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not hops or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote
    candidate = addresses[-min(hops, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class ApiRateThrottle(AnonRateThrottle):
    """``API_THROTTLE_RATE`` per client address (``client_ip``); no limit while the
    setting is empty. The rate is read per request rather than at import, as DRF's
    ``THROTTLE_RATES`` class attribute is, so a deployment (and a test) sets it in one
    place."""

    def __init__(self):
        self.rate = settings.API_THROTTLE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_ident(self, request) -> str:
        return client_ip(request)

    def get_cache_key(self, request, view):
        # The public API is anonymous (no authentication classes): every client is
        # keyed by address. Not asking ``request.user`` also lets the API cache's
        # middleware, which runs before authentication, use this throttle.
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }

    def allow_request(self, request, view):
        if getattr(request, "api_throttle_counted", False):
            return True  # counted already, before the response cache
        return super().allow_request(request, view)


def throttle_api_read(request):
    """Count an anonymous API read against ``API_THROTTLE_RATE`` before any cache
    answers it (``ApiCacheMiddleware`` calls this first), so a burst of one cached URL
    is limited like any other. Returns the JSON 429 when over the rate, else None.
    The view's own throttle then lets the request through uncounted."""
    from rest_framework.exceptions import Throttled

    from api.errors import json_error

    if not settings.API_THROTTLE_RATE:
        return None
    throttle = ApiRateThrottle()
    if throttle.allow_request(request, None):
        request.api_throttle_counted = True
        return None
    refused = Throttled(throttle.wait())  # what DRF's views raise: the same text
    seconds = max(1, refused.wait or 1)
    return json_error(
        429,
        str(refused.detail),
        code="throttled",
        details={"retry_after": seconds},
        headers={"Retry-After": str(seconds), "Cache-Control": "no-store"},
    )
