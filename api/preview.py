"""Draft preview (issue 19): an object's detail rendered from its working copy, in
the published shape, for an editor looking at the frontend before publishing.

The admin's publication panel gives a link per language
(``publication.preview.preview_url``): the frontend's preview route
(``PREVIEW_URL_TEMPLATE``) with a token. The token is signed with the project's
secret (``django.core.signing``), names one object and one locale, and expires
(``PREVIEW_TOKEN_LIFETIME``); the frontend passes it back to

    GET /api/v1/preview/<type>/<id>/?locale=<code>&token=<token>

which answers what the detail endpoint would answer once the working copy is
published: the same serializer reads the working copy (``Preview``: published
versions with the working copies of the object and of everything it embeds laid
over them), plus one ``preview`` member naming the working copies shown. Never
cached (``Cache-Control: no-store, private``), never stored in the delivery store
(no 200 of this view is marked cacheable) nor exported, not indexed
(``X-Robots-Tag: noindex``). Without a valid token: the JSON 401 (missing,
tampered or expired token) or 403 (a token for another object or locale).

Collections filtered by language (the FAQ items an article lists) stay those
published in the locale, shown in their working copies; an object embedded
directly (a comparison in an article block) is shown in its working copy even if
it is not published there yet, marked ``published: false``, since publishing the
article is refused until it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.urls import resolve, reverse
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from api.base import PublicView
from api.errors import ApiError, NotFoundError
from api.schema import COMMON_ERRORS, LOCALE, error
from publication.changes import ADDRESS_TYPES, AddressType
from publication.languages import LANGUAGE_CODES, column
from publication.models import PublishedVersion, published_field
from publication.preview import read_token, type_of
from publication.published import Published

TOKEN_PARAM = "token"


class Preview(Published):
    """The published versions with working copies laid over them in ``code``:
    every object read in ``code`` is read from its working copy, also one not
    published there. ``shown`` are those objects, (model, pk)."""

    def __init__(self, code: str):
        super().__init__()
        self.code = code
        self.shown: dict[tuple[type, int], dict] = {}

    def read_versions(self, model, versions) -> set[int]:
        read = super().read_versions(model, versions)
        self._lay_over(model, read)
        return read

    def prefetch(self, model, pks) -> None:
        super().prefetch(model, pks)
        self._lay_over(model, {pk for pk in pks if pk is not None})

    def _lay_over(self, model, pks) -> None:
        missing = {pk for pk in pks if (model, pk) not in self.shown}
        if not missing:
            return
        found = self._versions.setdefault(model, {})
        content_type = ContentType.objects.get_for_model(model)
        for obj in model._default_manager.filter(pk__in=missing):
            published = found.get(obj.pk, {}).get(self.code)
            found.setdefault(obj.pk, {})[self.code] = PublishedVersion(
                content_type=content_type,
                object_id=obj.pk,
                locale=self.code,
                slug=getattr(obj, column("slug", self.code), "") or ""
                if obj.has_slug
                else "",
                data=obj.snapshot(self.code),
                visible_from=published.visible_from if published else timezone.now(),
                updated_at=obj.updated_at,
            )
            self.shown[(model, obj.pk)] = {
                "published": getattr(obj, published_field(self.code)),
                "changed_since_published": published is None
                or published.data != found[obj.pk][self.code].data,
            }


class WorkingCopySerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The object's type (faq_item, article, …).")
    id = serializers.IntegerField()
    published = serializers.BooleanField(
        help_text="Whether the object is published in the locale at all."
    )
    changed_since_published = serializers.BooleanField()


class PreviewStateSerializer(serializers.Serializer):
    locale = serializers.ChoiceField(LANGUAGE_CODES)
    expires_at = serializers.DateTimeField(help_text="When the token expires.")
    working_copies = WorkingCopySerializer(
        many=True, help_text="The objects shown from their working copies."
    )


class PreviewSchema(AutoSchema):
    """The preview answers one type's detail shape, with ``preview``: a variant
    per type, read from the detail views when the schema is generated (the
    types' serializers live in the apps above this module)."""

    def get_response_serializers(self):
        variants = [
            type(
                f"{kind.model.__name__}Preview",
                (detail_view(kind).serializer_class,),
                {"preview": PreviewStateSerializer()},
            )
            for kind in ADDRESS_TYPES.values()
        ]
        return {
            200: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="PreviewDetail",
                    serializers=variants,
                    resource_type_field_name=None,
                ),
                description="The detail of the token's object in its published shape, "
                "read from working copies; Cache-Control: no-store, private and "
                "X-Robots-Tag: noindex.",
            ),
            401: error("No token, a tampered one, or an expired one."),
            403: error("A token for another object or locale."),
            404: error("No such type, or the object no longer exists."),
            **COMMON_ERRORS,
        }


@extend_schema_view(
    get=extend_schema(
        operation_id="preview",
        tags=["preview"],
        parameters=[
            OpenApiParameter(
                "type_name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The object's type, as in the sitemap: article, "
                "cause_type, method, comparison, aftercare, item_list or faq_item.",
            ),
            OpenApiParameter(
                "id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="The object's id (the preview link's {id}).",
            ),
            LOCALE,
            OpenApiParameter(
                TOKEN_PARAM,
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="The preview token the admin's preview link carries.",
            ),
        ],
    )
)
class PreviewView(PublicView):
    """An object's detail from its working copy, with a preview token
    (``api.preview``). The 200 is never cached or stored."""

    delivered = False
    query_params = (TOKEN_PARAM,)
    schema = PreviewSchema()

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # Not for the response cache, the delivery store or the export.
        response.api_cacheable = False
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex"
        return response

    def get(self, request, type_name: str, pk: int, *args, **kwargs):
        token = request.query_params.get(TOKEN_PARAM)
        if not token:
            raise ApiError(
                "A preview token is required (?token=).",
                code="not_authenticated",
                status_code=401,
            )
        try:
            scope = read_token(token)
        except signing.SignatureExpired:
            raise ApiError(
                "This preview token has expired; open the preview again from the "
                "admin.",
                code="not_authenticated",
                status_code=401,
            ) from None
        except signing.BadSignature:
            raise ApiError(
                "This preview token is not valid.",
                code="not_authenticated",
                status_code=401,
            ) from None
        kind = ADDRESS_TYPES.get(type_name)
        if kind is None:
            raise NotFoundError("No such type to preview.")
        wanted = {"m": kind.model._meta.label_lower, "pk": pk, "l": self.locale}
        if {name: scope.get(name) for name in wanted} != wanted:
            raise ApiError(
                "This preview token is for another object or language.",
                code="permission_denied",
                status_code=403,
            )
        if not kind.model._default_manager.filter(pk=pk).exists():
            raise NotFoundError("This object no longer exists.")
        detail = detail_view(kind)(request=request, locale=self.locale)
        detail.published = preview = Preview(self.locale)
        data = detail.serialize(detail.render_object(pk))
        data["preview"] = {
            "locale": self.locale,
            "expires_at": datetime.fromtimestamp(scope["exp"], UTC).isoformat(),
            "working_copies": [
                {"type": getattr(type_of(model), "name", None), "id": pk_} | state
                for (model, pk_), state in sorted(
                    preview.shown.items(),
                    key=lambda item: (item[0][0].__name__, item[0][1]),
                )
            ],
        }
        return self.respond(data)


def detail_view(kind: AddressType):
    """The detail view class of ``kind`` (what its public detail renders with)."""
    return resolve(reverse(kind.detail_route, kwargs={"slug": "x"})).func.view_class
