"""The origin of the absolute URLs the API writes (pagination links, the root's
endpoints) and of the HTTPS redirect.

With ``PUBLIC_ORIGIN`` set (``https://api.example.com``) every such URL starts with
it, whatever ``Host`` the request came with. Without it the request's host is used
as Django validated it (``ALLOWED_HOSTS``), but Django's check ignores the port and a
trailing dot, so neither is copied from the header: the domain loses its trailing
dot, and a port is kept only when it is the one the server answered on (a
development server on :8000) and not the scheme's default.
"""

from __future__ import annotations

import contextlib
import contextvars
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port

DEFAULT_PORTS = {"http": "80", "https": "443"}


def request_netloc(request) -> str:
    """The host of ``request`` without a trailing dot or a port nobody serves."""
    domain, port = split_domain_port(request.get_host())
    if port and (port == DEFAULT_PORTS[request.scheme] or port != request.get_port()):
        port = ""
    return f"{domain}:{port}" if port else domain


def origin(request) -> str:
    """``scheme://host[:port]`` for the absolute URLs of a response to ``request``."""
    if settings.PUBLIC_ORIGIN:
        # Checked and normalized at start-up (clinic.settings.public_origin).
        return settings.PUBLIC_ORIGIN
    return f"{request.scheme}://{request_netloc(request)}"


def absolute_url(request, path: str) -> str:
    """``path`` (with its query) as an absolute URL on the public origin."""
    return origin(request) + path


# The origin of the response being rendered, for what its serializers write
# without the request (an image's URL under a MEDIA_URL that is a path).
_serving: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "api_origin", default=None
)


@contextlib.contextmanager
def serving(request):
    """While rendering a response to ``request``: ``media_url`` knows its origin."""
    token = _serving.set(origin(request))
    try:
        yield
    finally:
        _serving.reset(token)


def media_url(url: str) -> str:
    """A stored file's URL as the API writes it: absolute, on the origin of the
    response being rendered (or PUBLIC_ORIGIN) when MEDIA_URL is a path, as
    pagination links are; as it is when MEDIA_URL or the bucket gives a whole
    address (a CDN)."""
    if not url.startswith("/"):
        return url
    base = _serving.get() or settings.PUBLIC_ORIGIN
    return base + url if base else url


class HttpsRedirectOriginMiddleware:
    """Points the HTTPS redirect of Django's SecurityMiddleware (the next
    middleware) at the public origin, or at the request's host without its port
    (a plain-HTTP port is not the HTTPS one) and trailing dot: Django writes
    ``https://`` + the raw ``Host``. Django's middleware stays in ``MIDDLEWARE``
    as it is, where ``check --deploy`` looks for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 301
            and settings.SECURE_SSL_REDIRECT
            and not settings.SECURE_SSL_HOST
            and not request.is_secure()
            and response.get("Location", "").startswith("https://")
            and response["Location"]
            == f"https://{request.get_host()}{request.get_full_path()}"
        ):
            netloc = (
                urlsplit(settings.PUBLIC_ORIGIN).netloc
                if settings.PUBLIC_ORIGIN
                else split_domain_port(request.get_host())[0]
            )
            response["Location"] = f"https://{netloc}{request.get_full_path()}"
        return response
