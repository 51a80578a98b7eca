"""The base of every public API view: anonymous, read-only, strict about its query
parameters, and explicit about the content language."""

from __future__ import annotations

import functools

from django.http import HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api import cache
from api.errors import ApiError, Moved, NotFoundError
from api.locale import LOCALE_PARAM, InvalidLocale, hreflang, parse_locale
from api.pagination import Pagination
from api.renderers import ANY_JSON
from publication import changes
from publication.languages import LANGUAGE_CODES
from publication.published import Published
from runtime.origin import serving


def check_query_params(params, allowed: list[str]) -> None:
    """A 400 for a query parameter not in ``allowed`` or given more than once."""
    unknown = sorted(name for name in params if name not in allowed)
    if unknown:
        raise ApiError(
            "Unknown query parameter(s): {names}. This endpoint accepts: "
            "{allowed}.".format(
                names=", ".join(n[:40] for n in unknown[:10]),
                allowed=", ".join(allowed) or "none",
            ),
            code="unknown_parameter",
            details={"unknown": [n[:40] for n in unknown[:10]], "allowed": allowed},
        )
    repeated = sorted(name for name in params if len(params.getlist(name)) > 1)
    if repeated:
        raise ApiError(
            "Query parameter(s) given more than once: {names}.".format(
                names=", ".join(repeated)
            ),
            code="invalid_parameter",
            details={"repeated": repeated},
        )


@functools.cache
def serializer(serializer_class, many: bool):
    """One serializer per class, made once: making one copies its declared fields
    (for an article, the whole tree of its blocks: most of its rendering time),
    and rendering keeps no state in it."""
    return serializer_class(many=many)


class PublicView(APIView):
    """Anonymous GET/HEAD only. The project's default permission is IsAdminUser
    (deny by default); public views opt in here, one by one."""

    permission_classes = [AllowAny]
    authentication_classes = []
    http_method_names = ["get", "head"]

    # Kept in the delivery store when its URL has no filter or search
    # (api/cache.py, publication/documents.py).
    delivered = True
    # Does the response depend on ?locale=? (The locale list and the root do not.)
    localized = True
    # Query parameters this view accepts besides ``locale``; anything else is a 400.
    query_params: tuple[str, ...] = ()
    pagination_class = None
    # Cache tags every response of the view carries besides the objects it shows:
    # the types whose publication can change a list (a new article changes the
    # article list, which showed no tag of it).
    cache_tags: tuple[str, ...] = ()
    # The serializer that renders the view's object (a list's items), set by the
    # view's schema decorator (api/schema.py): the schema documents what renders.
    serializer_class = None

    def dispatch(self, request, *args, **kwargs):
        tags, token = cache.collect_tags()
        try:
            with serving(request):
                response = super().dispatch(request, *args, **kwargs)
        finally:
            cache.stop_collecting(token)
        # DRF keeps the response on the view, which the response's renderer
        # context holds: a cycle (see api.renderers.JSONRenderer.render).
        self.response = None
        if response.status_code == 200:
            # ApiCacheMiddleware stores it and gives it validators and tags.
            response.api_cacheable = True
            response.api_tags = sorted({*self.cache_tags, *tags})
        return response

    def perform_authentication(self, request):
        """Nothing to authenticate: there are no authentication classes, and
        nothing here asks who the client is (the rate limit keys on the address).
        DRF would build an AnonymousUser on every request; ``request.user`` still
        works, lazily, as DRF documents for this override."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.lower() not in self.http_method_names:
            return  # DRF answers 405 next; the parameters do not matter
        self.check_query_params(request)
        if self.localized:
            try:
                self.locale = parse_locale(request.query_params.getlist(LOCALE_PARAM))
            except InvalidLocale as exc:
                raise ApiError(
                    "Unknown locale ‘{value}’. Use one of: {codes}.".format(
                        value=exc.value[:40], codes=", ".join(LANGUAGE_CODES)
                    ),
                    code="invalid_locale",
                    details={"parameter": LOCALE_PARAM, "valid": list(LANGUAGE_CODES)},
                ) from None

    def allowed_query_params(self) -> list[str]:
        allowed = list(self.query_params)
        if self.localized:
            allowed.append(LOCALE_PARAM)
        if self.pagination_class is not None:
            allowed += self.pagination_class.query_params
        return allowed

    def check_query_params(self, request) -> None:
        check_query_params(request.query_params, self.allowed_query_params())

    def perform_content_negotiation(self, request, force=False):
        if request.META.get("HTTP_ACCEPT", "*/*") in ANY_JSON:
            # What DRF's negotiation would pick, without parsing the header: what
            # almost every client (fetch, curl, CDNs) sends.
            renderer = self.renderer_classes[0]()
            return renderer, renderer.media_type
        renderer, _media_type = super().perform_content_negotiation(request, force)
        # The client's media type parameters (DRF honours ``indent=``) do not change
        # the bytes: one representation per URL, the one the cache stores.
        return renderer, renderer.media_type

    def serialize(self, instance, *, many: bool = False):
        """``instance`` (a list of them with ``many``) as ``serializer_class``
        renders it, as plain data."""
        return serializer(self.serializer_class, many).to_representation(instance)

    def respond(self, data) -> HttpResponse:
        """The 200 of ``data``, rendered here by the renderer DRF negotiated in
        ``initial()`` (a 406 was raised there), with the bytes and Content-Type
        DRF's ``Response`` would have. A ``Response`` renders the same data through
        Django's ``SimpleTemplateResponse`` machinery and its renderer context,
        which the body of a public read never uses, on every request
        (docs/performance.md)."""
        request = self.request
        renderer = request.accepted_renderer
        body = renderer.render(data, request.accepted_media_type)
        if isinstance(body, str):
            body = body.encode(renderer.charset)
        content_type = renderer.media_type
        if renderer.charset:
            content_type = f"{content_type}; charset={renderer.charset}"
        return HttpResponse(body, content_type=content_type)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        locale = getattr(self, "locale", None)
        if self.localized and locale and response.status_code < 400:
            response["Content-Language"] = hreflang(locale)
        return response

    @cached_property
    def published(self) -> Published:
        """The published versions visible now: what every public response is
        built from (never the working copy; docs/publishing.md)."""
        return Published()

    @cached_property
    def paginator(self):
        return self.pagination_class() if self.pagination_class else None


class ListView(PublicView):
    """A paginated list: ``rows()`` returns the ordered rows (a queryset, or a
    sequence the paginator can count and slice) and ``objects(rows)`` what
    ``serializer_class`` renders for one page of them."""

    pagination_class = Pagination

    def rows(self):
        raise NotImplementedError

    def objects(self, rows) -> list:
        return list(rows)

    def represent(self, rows) -> list[dict]:
        return self.serialize(self.objects(rows), many=True)

    def get(self, request, *args, **kwargs):
        page = self.paginator.paginate_queryset(self.rows(), request, view=self)
        return self.respond(self.paginator.envelope(self.represent(page)))


class DetailView(PublicView):
    """One object by its slug in the requested language.

    ``lookup(slug)`` returns the visible object (what ``serializer_class``
    renders) or None; when it is None,
    ``canonical_slug(slug)`` tells whether ``slug`` is another language's slug of an
    object visible in this language, so the 404 can name the right address.
    """

    def get(self, request, slug, *args, **kwargs):
        if "\x00" in slug:
            # No slug holds a NUL, and PostgreSQL refuses one in a query.
            raise NotFoundError(
                f"Nothing is published at this address in {self.locale}."
            )
        found = self.lookup(slug)
        if found is None:
            raise self.not_found(slug)
        return self.respond(self.serialize(found))

    # The model whose public addresses the view answers at (the old slugs of
    # its objects answer ``moved``); None for a type without versions.
    address_model = None

    def lookup(self, slug: str):
        raise NotImplementedError

    def render_object(self, pk: int):
        """What ``serializer_class`` renders of object ``pk`` (a detail by id:
        the preview, api/preview.py); views of types without versions have none."""
        raise NotImplementedError

    def canonical_slug(self, slug: str) -> str | None:
        raise NotImplementedError

    def not_found(self, slug: str) -> ApiError:
        if self.address_model is not None:
            moved = changes.moved_to(self.address_model, self.locale, slug)
            if moved is not None:
                return self.moved(moved)
        canonical = self.canonical_slug(slug)
        if canonical is None:
            return NotFoundError(
                f"Nothing is published at this address in {self.locale}."
            )
        return NotFoundError(
            f"This is not the {self.locale} address of the object; its {self.locale} "
            f"slug is ‘{canonical}’.",
            details={"locale": self.locale, "slug": canonical},
        )

    def moved(self, slug: str) -> Moved:
        """The answer at an old slug of an object: its address now."""
        path = (
            reverse(self.request.resolver_match.view_name, kwargs={"slug": slug})
            + f"?{LOCALE_PARAM}={self.locale}"
        )
        return Moved(
            f"This address moved: the {self.locale} slug is ‘{slug}’ now.",
            location=self.request.build_absolute_uri(path),
            details={"locale": self.locale, "slug": slug, "path": path},
        )
