"""gunicorn's settings for this project, read from the working directory by every
gunicorn started here (``make serve``, the tests); command-line options win.

- Errors gunicorn answers itself, before the application sees a request (a request
  line over ``limit_request_line``, raw bytes that are no HTTP, header fields over
  their limits), are the API's one JSON error shape instead of gunicorn's HTML
  page: ``JsonErrorWorker``. The limits stay: the bound on what a request may make
  a worker hold.
- A request line may be 8,190 bytes (gunicorn's maximum; its default is 4,094):
  the method, the percent-encoded address and the protocol. A Korean or Japanese
  character of a slug or search takes 9 bytes encoded.
- No request header may set the WSGI environment's ``SCRIPT_NAME``/``PATH_INFO``
  (gunicorn takes them from loopback clients by default) nor the scheme (its
  ``X-Forwarded-Proto`` handling): the app is mounted at the root, and the scheme is
  Django's to decide (``BEHIND_HTTPS_PROXY``, ``SECURE_PROXY_SSL_HEADER``).
"""

from gunicorn.http import errors
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

limit_request_line = 8190
forwarder_headers = ""
secure_scheme_headers = {}

# What gunicorn answers for its request parsing errors (gunicorn 27:
# Worker.handle_error), as (status, reason, error code). The first match wins.
SERVER_FAULTS = (
    errors.InvalidResponseHeader,
    errors.InvalidResponseHeaderName,
    errors.ConfigurationProblem,
)
CLIENT_ERRORS = (
    (errors.LimitRequestLine, 414, "URI Too Long", "uri_too_long"),
    (
        errors.LimitRequestHeaders,
        431,
        "Request Header Fields Too Large",
        "header_fields_too_large",
    ),
    (errors.ExpectationFailed, 417, "Expectation Failed", "expectation_failed"),
    (errors.UnsupportedTransferCoding, 501, "Not Implemented", "not_implemented"),
    (errors.ForbiddenProxyRequest, 403, "Forbidden", "permission_denied"),
    (errors.ParseException, 400, "Bad Request", "bad_request"),
)
MESSAGES = {
    414: "The request line (method, address and protocol) is longer than {limit} "
    "bytes.",
    431: "The request's header fields are too many or too large.",
}


class JsonErrorWorker(ThreadWorker):
    """gunicorn's threaded worker, answering the requests it cannot parse with the
    API's JSON error shape (``api.errors``) instead of an HTML page. Only
    the page changes: the status codes are gunicorn's, and anything that is not a
    client's malformed request is left to gunicorn."""

    def handle_error(self, req, client, addr, exc):
        known = next(
            (entry for entry in CLIENT_ERRORS if isinstance(exc, entry[0])), None
        )
        if known is None or isinstance(exc, SERVER_FAULTS):
            return super().handle_error(req, client, addr, exc)
        _kind, status, reason, code = known
        # The application is loaded in this worker by now.
        from api.errors import error_body
        from api.renderers import dumps

        message = MESSAGES.get(status, "The request could not be read.")
        body = dumps(
            error_body(status, code, message.format(limit=self.cfg.limit_request_line))
        )
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Cache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "\r\n"
        )
        try:
            write_nonblock(client, head.encode("ascii") + body)
        except OSError:
            self.log.debug("Failed to send error message.")
        return None


worker_class = JsonErrorWorker
