"""The FAQ list's OpenAPI description: its filters and its optional JSON-LD."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from api.schema import list_schema
from api.serializers import paginated
from content.serializers import FAQPageSerializer
from faq.filters import FAQItemFilter


def faq_list_schema(item):
    filters = [
        OpenApiParameter(
            name,
            {"type": "string", "maxLength": f.extra["max_length"]},
            OpenApiParameter.QUERY,
            description=str(f.extra.get("help_text", "")),
        )
        for name, f in FAQItemFilter.base_filters.items()
    ]
    structured = OpenApiParameter(
        "structured_data",
        OpenApiTypes.BOOL,
        OpenApiParameter.QUERY,
        description="true adds `structured_data`: schema.org FAQPage JSON-LD of "
        "the items on this page.",
    )
    envelope = type(
        "PaginatedFAQItemListSerializer",
        (paginated(item),),
        {
            "structured_data": FAQPageSerializer(
                required=False,
                help_text="schema.org FAQPage JSON-LD of this page's items; only "
                "with structured_data=true.",
            ),
            "__module__": item.__module__,
        },
    )
    return list_schema(
        item, tag="faq", parameters=[*filters, structured], envelope=envelope
    )
