"""One error shape for everything under ``/api/`` (DESIGN §5):

    {"error": {"status": 404, "code": "not_found", "message": "…", "details": {}}}

Three layers produce it, so that no path answers HTML or a traceback:

- DRF's exception handler for errors raised in API views (``api_exception_handler``);
- Django's error handlers (``handler400/403/404/500`` in ``clinic.urls``) for unknown
  URLs and for exceptions raised outside views, e.g. in middleware;
- ``ApiErrorMiddleware``, outermost, which maps database outages to 503 and rewrites
  any other non-JSON error response under ``/api/`` (e.g. Django's DEBUG pages).

A database outage (``OperationalError``, ``InterfaceError``: refused, timed out,
cut) is a 503 with ``Retry-After`` wherever it happens: in a view, in a middleware,
while opening a transaction. An ``/api/`` request's waits on the database end
``DATABASE_API_TIMEOUT`` seconds into it (``runtime.health.DatabaseDeadline``). The
outage is logged once per incident (``runtime.health``), not once per request.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.utils.translation import override
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from api.renderers import dumps
from publication.languages import DEFAULT_LANGUAGE
from runtime import health

API_PREFIX = "/api/"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# How long a client should wait after a 503 before retrying (seconds).
RETRY_AFTER_UNAVAILABLE = health.RETRY_AFTER
# What a database outage raises, once Django has wrapped the driver's error.
DATABASE_OUTAGE = (OperationalError, InterfaceError)

DEFAULT_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    412: "precondition_failed",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "service_unavailable",
}

# Every ``error.code`` the API answers with, in status order: the enum of the
# OpenAPI schema (``api.serializers.ERROR_DETAILS``). A new code is one more
# line here; ``tests/api/test_schema_strict.py`` finds a code used but not listed.
ERROR_CODES = (
    "bad_request",
    "uri_too_long",
    "header_fields_too_large",
    "expectation_failed",
    "not_implemented",
    "invalid_locale",
    "unknown_parameter",
    "invalid_parameter",
    "not_authenticated",
    "permission_denied",
    "not_found",
    "not_in_locale",
    "moved",
    "method_not_allowed",
    "not_acceptable",
    "precondition_failed",
    "unsupported_media_type",
    "throttled",
    "server_error",
    "service_unavailable",
    # A status without a code of its own.
    "error",
)

DEFAULT_MESSAGES = {
    400: "Bad request.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    412: "The resource does not match the request's precondition.",
    500: "Internal server error.",
    503: "The service is temporarily unavailable; retry shortly.",
}


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_body(
    status_code: int, code: str | None, message: str, details: dict | None = None
) -> dict:
    return {
        "error": {
            "status": status_code,
            "code": code or DEFAULT_CODES.get(status_code, "error"),
            "message": message,
            "details": details or {},
        }
    }


def json_error(
    status_code: int,
    message: str | None = None,
    *,
    code: str | None = None,
    details: dict | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    """An error response built without DRF (outside views)."""
    body = error_body(
        status_code,
        code,
        message or DEFAULT_MESSAGES.get(status_code, "Error."),
        details,
    )
    # Escaped as the renderer escapes every API answer (api.renderers).
    response = HttpResponse(
        dumps(body),
        status=status_code,
        content_type=JSON_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ApiError(exceptions.APIException):
    """An API error with a machine-readable code and structured details."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        details: dict | None = None,
        status_code: int = status.HTTP_400_BAD_REQUEST,
    ):
        super().__init__(message, code)
        self.status_code = status_code
        self.error_code = code
        self.details = details or {}


class NotFoundError(ApiError):
    def __init__(self, message: str = "Not found.", *, details: dict | None = None):
        code = "not_in_locale" if details else "not_found"
        super().__init__(message, code=code, details=details, status_code=404)


class Moved(ApiError):
    """The object at this slug moved to another (its slug changed after it was
    published): a 301 whose ``Location`` is its address now."""

    def __init__(self, message: str, *, location: str, details: dict):
        super().__init__(message, code="moved", details=details, status_code=301)
        self.location = location


def service_unavailable() -> HttpResponse:
    return json_error(
        503,
        code="service_unavailable",
        headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE)},
    )


def database_unavailable(request, exception: BaseException) -> HttpResponse:
    """The 503 of a database outage. The incident is logged once (with the first
    request's id); Django's own line per error response is left out for it
    (``runtime.health.OutageLoggedFilter``)."""
    health.database_failed(exception, request)
    return service_unavailable()


def api_exception_handler(exc, context):
    """DRF's handler, reshaped. Non-API exceptions return None and reach
    ``ApiErrorMiddleware.process_exception`` / ``handler500``."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        code, message, details = exc.error_code, str(exc.detail), exc.details
    elif isinstance(exc, exceptions.ValidationError):
        code, message = "invalid_parameter", "Invalid query parameters."
        details = {"fields": exc.detail}
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else ""
        code = DEFAULT_CODES.get(response.status_code) or getattr(detail, "code", None)
        details = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = {"retry_after": int(exc.wait)}
    response.data = error_body(response.status_code, code, message, details)
    if isinstance(exc, Moved):
        response["Location"] = exc.location
    return response


class ApiErrorMiddleware:
    """Outermost middleware for ``/api/``: English messages, 503 on database outage,
    and a JSON body on every error response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        # API messages are English whatever the browser says; the content language
        # is ?locale=, read explicitly by the views.
        with (
            override(DEFAULT_LANGUAGE),
            health.DatabaseDeadline(settings.DATABASE_API_TIMEOUT),
        ):
            response = self.get_response(request)
        if response.status_code >= 400 and not response.get(
            "Content-Type", ""
        ).startswith("application/json"):
            replacement = json_error(response.status_code)
            # Keep what the response says besides its body: Allow, Retry-After,
            # Vary, CORS and security headers.
            for name, value in response.items():
                if name.lower() not in ("content-type", "content-length"):
                    replacement[name] = value
            response = replacement
        return response

    def process_exception(self, request, exception):
        if is_api(request) and isinstance(exception, DATABASE_OUTAGE):
            return database_unavailable(request, exception)
        return None


# Django's error handlers (``clinic.urls``): JSON under /api/, Django's pages elsewhere.


def bad_request(request, exception=None):
    if is_api(request):
        return json_error(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api(request):
        return json_error(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api(request):
        return json_error(404, "No API endpoint at this address.", code="not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        # Django calls this inside its except block: the exception is at hand.
        exc = sys.exc_info()[1]
        if isinstance(exc, DATABASE_OUTAGE):
            return database_unavailable(request, exc)
        return json_error(500)
    return defaults.server_error(request)
