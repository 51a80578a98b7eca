"""Project middleware: health probes, the admin's language and the
Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re

from csp.constants import NONE, SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.middleware.locale import LocaleMiddleware

from api.errors import is_api, json_error
from runtime import health


class AdminLocaleMiddleware(LocaleMiddleware):
    """The admin's language follows the editor's browser; the API's never does.

    Django's LocaleMiddleware would add ``Vary: Accept-Language`` and a
    ``Content-Language`` of the UI language to API responses, splitting CDN caches
    and contradicting ``?locale=`` (DESIGN §2).
    """

    def process_request(self, request):
        if not is_api(request):
            super().process_request(request)

    def process_response(self, request, response):
        if is_api(request):
            return response
        return super().process_response(request, response)


# The documentation pages (drf-spectacular's Swagger UI and Redoc templates).
DOCS_PATHS = frozenset({"/api/v1/docs/", "/api/v1/redoc/"})
# Inline scripts as those templates write them: a bare <script> element.
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
# The import map django-prose-editor's widget writes into admin pages (django-js-asset).
# CSP treats an inline import map as an inline script.
IMPORT_MAP = re.compile(rb'<script type="importmap">(.*?)</script>', re.DOTALL)
# JSON is never rendered as a document: it may load, run and embed nothing.
API_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with a policy per kind of response.

    - the admin and everything outside ``/api/``: ``CONTENT_SECURITY_POLICY``
      (self only), plus the SHA-256 of the page's import map if it has one: the rich
      text editor's modules are loaded through it. An import map only renames
      modules; what it can point to is still limited to this origin by
      ``script-src``;
    - the docs pages: that policy plus the SHA-256 of each inline script of the page
      (drf-spectacular's Swagger UI template inlines its start-up code; hashing it
      needs no change to the template, which a nonce would) and ``worker-src
      blob:``, where Redoc runs its search index. Nothing in those scripts comes
      from the request unescaped, so the hashes admit only the template's own code.
      Styles stay ``'unsafe-inline'``: Redoc's styled-components write <style>
      elements at run time, which no hash can know in advance;
    - other API responses: nothing allowed at all.
    """

    def process_response(self, request, response):
        # drf-spectacular relaxes this on Swagger UI for OAuth2 login pop-ups; the
        # API has no login.
        if (
            request.path_info in DOCS_PATHS
            and response.get("Cross-Origin-Opener-Policy") == "unsafe-none"
        ):
            response["Cross-Origin-Opener-Policy"] = "same-origin"
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        # django-csp's documented extension point (its 4.0 migration guide).
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        path = request.path_info
        html = not response.streaming and response.get("Content-Type", "").startswith(
            "text/html"
        )
        if path in DOCS_PATHS:
            if html:
                parts.update = {
                    **(parts.update or {}),
                    "script-src": _hashes(INLINE_SCRIPT, response),
                    "worker-src": [SELF, "blob:"],
                }
        elif is_api(request):
            parts.config = API_POLICY
        elif html:
            import_maps = _hashes(IMPORT_MAP, response)
            if import_maps:
                parts.update = {**(parts.update or {}), "script-src": import_maps}
        return parts


def _hashes(pattern: re.Pattern, response) -> list[str]:
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in pattern.findall(response.content)
    ]


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before anything that could refuse a load
    balancer's probe: it sits before CommonMiddleware (whose host check would
    answer 400 to a probe addressed by IP), sessions and the API's throttle and
    cache, and after the security middleware so its headers are set (the paths
    are in ``SECURE_REDIRECT_EXEMPT``: a plain-HTTP probe is not redirected)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.checks = {
            health.LIVENESS_PATH: health.liveness,
            health.READINESS_PATH: health.readiness,
        }

    def __call__(self, request):
        check = self.checks.get(request.path_info)
        if check is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return json_error(
                405,
                "Method not allowed.",
                code="method_not_allowed",
                headers={"Allow": "GET, HEAD", "Cache-Control": "no-store"},
            )
        return check(request)
