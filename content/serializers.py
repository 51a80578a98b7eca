"""The shapes of the content endpoints: the serializers render the JSON from the
published versions ``content/published.py`` resolves, and the OpenAPI schema is
generated from them (see ``api/serializers.py``)."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.cache import shown_type
from api.serializers import (
    HREFLANGS,
    HTML,
    AlternatesSerializer,
    DayField,
    ExcerptField,
    HtmlField,
    InstantField,
    PublishedSerializer,
    RefSerializer,
    ShownSerializer,
)
from content.models import ArticleBlock, ClinicChannel, ItemList, Method
from content.published import ImageRef
from content.structured_data import article_structured_data, open_graph
from publication.languages import LANGUAGE_CODES
from runtime.origin import media_url

# Images: ready for srcset and next/image (docs/images.md).

MEDIA_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
}


class MediaURLField(serializers.URLField):
    """A stored file's address, absolute (``runtime.origin.media_url``)."""

    def to_representation(self, value):
        return media_url(value)


class RenditionSerializer(serializers.Serializer):
    url = MediaURLField(source="file.url")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    type = serializers.SerializerMethodField(help_text="The media type.")

    def get_type(self, rendition) -> str:
        return MEDIA_TYPES[rendition.format]


class FocalPointSerializer(serializers.Serializer):
    x = serializers.FloatField(
        source="focal_x", min_value=0, max_value=1, help_text="0 left, 1 right."
    )
    y = serializers.FloatField(
        source="focal_y", min_value=0, max_value=1, help_text="0 top, 1 bottom."
    )


class PlaceholderSerializer(serializers.Serializer):
    color = serializers.RegexField(
        r"^#[0-9a-f]{6}$", source="file.color", help_text="The average colour."
    )
    data_url = serializers.CharField(
        source="file.placeholder",
        help_text="A data: URL of the image at most 10 pixels wide or high "
        "(next/image's blurDataURL).",
    )


class ImageSerializer(ShownSerializer):
    id = serializers.IntegerField(source="pk")
    url = MediaURLField(
        source="file.file.url", help_text="The image at full size (no metadata)."
    )
    type = serializers.SerializerMethodField(help_text="The media type of url.")
    width = serializers.IntegerField(source="file.width")
    height = serializers.IntegerField(source="file.height")
    alt = serializers.SerializerMethodField(
        help_text="Alt text in this language; empty for a decorative image."
    )
    decorative = serializers.BooleanField(
        help_text='Says nothing the text does not: give it alt="".'
    )
    caption = serializers.CharField(help_text="May be empty.")
    credit = serializers.CharField(help_text="May be empty.")
    focal_point = FocalPointSerializer(source="*")
    placeholder = PlaceholderSerializer(source="*")
    renditions = RenditionSerializer(
        many=True,
        help_text="The whole image at each width, in WebP and in its own format, "
        "narrowest first: a srcset per type. Made after upload; until then, empty.",
    )
    crops = serializers.SerializerMethodField(
        help_text="Per aspect ratio (16:9, 1:1, …), the image cropped around its "
        "focal point, as renditions."
    )

    def get_type(self, image) -> str:
        return MEDIA_TYPES[image.file.format]

    def get_alt(self, image) -> str:
        # A decorative image is alt="" whatever text it was given.
        return "" if image.decorative else image.alt_text

    @extend_schema_field(serializers.DictField(child=RenditionSerializer(many=True)))
    def get_crops(self, image) -> dict:
        crops: dict[str, list] = {}
        for rendition in image.crops:
            crops.setdefault(rendition.ratio, []).append(
                RenditionSerializer(rendition).data
            )
        return crops

    def to_representation(self, instance):
        if isinstance(instance, ImageRef):
            instance = instance.resolve()
            if instance is None:
                return None
        return super().to_representation(instance)


def image_field(help_text: str):
    return ImageSerializer(allow_null=True, help_text=help_text)


HERO = "Shown at the top of the page and on cards and link previews; null for none."


class MethodRefSerializer(RefSerializer):
    procedure_type = serializers.ChoiceField(Method.ProcedureType.choices)


class CriterionRefSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable identifier, e.g. recovery.")
    name = serializers.CharField(help_text="Row label in this language.")


# Methods.


class MethodSummarySerializer(PublishedSerializer):
    name = serializers.CharField()
    summary = serializers.CharField()
    procedure_type = serializers.ChoiceField(
        Method.ProcedureType.choices,
        help_text="Maps to schema.org MedicalProcedureType.",
    )
    hero_image = image_field(HERO)


class MethodFactSerializer(serializers.Serializer):
    criterion = CriterionRefSerializer()
    text = serializers.CharField()


class MethodDetailSerializer(MethodSummarySerializer):
    facts = MethodFactSerializer(many=True, help_text="In criterion order.")
    cause_types = RefSerializer(
        many=True, help_text="Published cause types that usually call for it."
    )


# Comparisons.


class ComparisonSummarySerializer(PublishedSerializer):
    title = serializers.CharField()
    excerpt = ExcerptField(source="intro", help_text="Plain text of the introduction.")


class ComparisonRowSerializer(serializers.Serializer):
    criterion = CriterionRefSerializer()
    cells = serializers.ListField(
        child=serializers.CharField(), help_text="One text per column, in order."
    )


class ComparisonDetailSerializer(ComparisonSummarySerializer):
    intro = HtmlField(help_text=HTML)
    conclusion = HtmlField(help_text=HTML + " The bottom line.")
    columns = MethodRefSerializer(many=True, help_text="The methods compared.")
    rows = ComparisonRowSerializer(many=True, help_text="The criteria.")


# Aftercare.


class AftercareSummarySerializer(PublishedSerializer):
    title = serializers.CharField()
    excerpt = ExcerptField(source="intro", help_text="Plain text of the introduction.")


class AftercareTrackSerializer(serializers.Serializer):
    label = serializers.CharField()
    shared = serializers.BooleanField(
        help_text="True for the care every patient shares, false for one method's."
    )
    method = MethodRefSerializer(
        allow_null=True,
        help_text="The track's method; null for shared care and for a method not "
        "published in this language.",
    )


class AftercareStageSerializer(serializers.Serializer):
    label = serializers.CharField()
    start_day = serializers.IntegerField(help_text="The procedure day is day 0.")
    end_day = serializers.IntegerField(
        allow_null=True, help_text="Null for the open-ended last stage."
    )
    cells = serializers.ListField(
        child=serializers.CharField(), help_text="One text per track, in order."
    )


class AftercareDetailSerializer(AftercareSummarySerializer):
    intro = HtmlField(help_text=HTML)
    tracks = AftercareTrackSerializer(many=True, help_text="The columns.")
    stages = AftercareStageSerializer(many=True, help_text="The rows, in time order.")


# Item lists.


class ItemListSummarySerializer(PublishedSerializer):
    title = serializers.CharField()
    kind = serializers.ChoiceField(ItemList.Kind.choices)


class ListItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField()


class ItemListDetailSerializer(ItemListSummarySerializer):
    intro = serializers.CharField()
    items = ListItemSerializer(many=True)


# Cause types.


class CauseTypeSummarySerializer(PublishedSerializer):
    name = serializers.CharField()
    tagline = serializers.CharField()
    excerpt = ExcerptField(
        source="description", help_text="Plain text of the description."
    )
    rule_out_first = serializers.BooleanField(
        help_text="Must be excluded before anything cosmetic (e.g. nerve palsy)."
    )
    hero_image = image_field(HERO)


class CauseTypeDetailSerializer(CauseTypeSummarySerializer):
    description = HtmlField(help_text=HTML)
    first_step = serializers.CharField()
    red_flags = serializers.CharField(help_text="Signs that need a doctor now.")
    refer_to = serializers.CharField(help_text="Whom to see first.")
    methods = MethodRefSerializer(many=True, help_text="Usual methods, published.")


# Articles and their blocks.


class ArticleSummarySerializer(PublishedSerializer):
    title = serializers.CharField()
    summary = serializers.CharField()
    published_at = InstantField(source="publish_at")
    last_reviewed = DayField(allow_null=True)
    hero_image = image_field(HERO)


class BlockSerializer(serializers.Serializer):
    # Its value in each variant is the kind BLOCK_SERIALIZERS maps to it, written
    # into the schema from the discriminator (api.schema.discriminator_values).
    kind = serializers.CharField()
    heading = serializers.CharField(help_text="May be empty.")
    body = HtmlField(help_text=HTML + " May be empty.")


class TextBlockSerializer(BlockSerializer):
    pass


class CalloutBlockSerializer(BlockSerializer):
    pass


class ListBlockSerializer(BlockSerializer):
    item_list = ItemListDetailSerializer()


class CauseTypesBlockSerializer(BlockSerializer):
    cause_types = CauseTypeDetailSerializer(
        many=True, help_text="Every published cause type, in order."
    )

    def to_representation(self, instance):
        # The block lists every visible cause type: a new one changes it.
        shown_type("causetype")
        return super().to_representation(instance)


class ComparisonBlockSerializer(BlockSerializer):
    comparison = ComparisonDetailSerializer()


class AftercareBlockSerializer(BlockSerializer):
    aftercare = AftercareDetailSerializer(
        help_text="Restricted to one method's track and the shared care when the "
        "block is for one method."
    )


class ImageBlockSerializer(BlockSerializer):
    image = ImageSerializer()
    caption = serializers.SerializerMethodField(
        help_text="The block's caption, else the image's; may be empty."
    )

    def get_caption(self, block) -> str:
        if block.caption:
            return block.caption
        image = block.image.resolve() if block.image else None
        return image.caption if image else ""


class CTABlockSerializer(BlockSerializer):
    label = serializers.CharField(source="cta_label", help_text="Button label.")
    url = serializers.URLField(source="cta_url", help_text="Button link.")


# Kind → serializer; the FAQ app registers "faq" (content never imports faq).
BLOCK_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    ArticleBlock.Kind.TEXT: TextBlockSerializer,
    ArticleBlock.Kind.CALLOUT: CalloutBlockSerializer,
    ArticleBlock.Kind.LIST: ListBlockSerializer,
    ArticleBlock.Kind.CAUSE_TYPES: CauseTypesBlockSerializer,
    ArticleBlock.Kind.COMPARISON: ComparisonBlockSerializer,
    ArticleBlock.Kind.AFTERCARE: AftercareBlockSerializer,
    ArticleBlock.Kind.CTA: CTABlockSerializer,
    ArticleBlock.Kind.IMAGE: ImageBlockSerializer,
}


def register_block_serializer(kind: str, serializer) -> None:
    BLOCK_SERIALIZERS[kind] = serializer


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="Block",
        serializers=lambda: {str(k): v for k, v in BLOCK_SERIALIZERS.items()},
        resource_type_field_name="kind",
    )
)
class BlockField(serializers.Field):
    """A block, shaped by its kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One serializer per kind, not per block: making one copies its fields.
        self.by_kind = {}

    def to_representation(self, value):
        if value.kind not in self.by_kind:
            self.by_kind[value.kind] = BLOCK_SERIALIZERS[value.kind]()
        return self.by_kind[value.kind].to_representation(value)


# The article's schema.org JSON-LD (content/structured_data.py).


class JsonLdSerializer(serializers.Serializer):
    # JSON-LD's keywords (``@type``) are not Python names: they are declared with a
    # trailing underscore (``type_``) and renamed here. (A comment, not a docstring:
    # the schema would show it as every node's description.)
    KEYWORDS = {
        "context_": "@context",
        "graph_": "@graph",
        "type_": "@type",
        "id_": "@id",
    }

    def get_fields(self):
        return {
            self.KEYWORDS.get(name, name): field
            for name, field in super().get_fields().items()
        }


class NodeRefSerializer(JsonLdSerializer):
    id_ = serializers.CharField(help_text="A node of this document: #method-botox.")


class PersonSerializer(JsonLdSerializer):
    type_ = serializers.CharField(help_text="Person")
    name = serializers.CharField()


class ImageObjectSerializer(JsonLdSerializer):
    type_ = serializers.CharField(help_text="ImageObject")
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    caption = serializers.CharField(required=False, help_text="The alt text.")


class MedicalConditionSerializer(JsonLdSerializer):
    type_ = serializers.CharField(help_text="MedicalCondition")
    name = serializers.CharField()
    possibleTreatment = NodeRefSerializer(  # noqa: N815
        many=True, required=False, help_text="The MedicalProcedures of the document."
    )


class MedicalWebPageSerializer(JsonLdSerializer):
    type_ = serializers.CharField()
    name = serializers.CharField()
    headline = serializers.CharField()
    description = serializers.CharField()
    inLanguage = serializers.ChoiceField(HREFLANGS)  # noqa: N815
    datePublished = serializers.DateTimeField()  # noqa: N815
    dateModified = serializers.DateTimeField()  # noqa: N815
    about = MedicalConditionSerializer()
    lastReviewed = serializers.DateField(required=False)  # noqa: N815
    reviewedBy = PersonSerializer(required=False)  # noqa: N815
    image = ImageObjectSerializer(
        many=True, required=False, help_text="The hero image, in each crop."
    )


class MedicalProcedureSerializer(JsonLdSerializer):
    type_ = serializers.CharField()
    id_ = serializers.CharField(help_text="e.g. #method-botox.")
    name = serializers.CharField()
    procedureType = serializers.URLField(  # noqa: N815
        help_text="A schema.org MedicalProcedureType, e.g. "
        "https://schema.org/PercutaneousProcedure."
    )
    followup = serializers.CharField(
        required=False, help_text="The method's aftercare, a line per stage."
    )


class AnswerSerializer(JsonLdSerializer):
    type_ = serializers.CharField(help_text="Answer")
    text = serializers.CharField(help_text=HTML)


class QuestionSerializer(JsonLdSerializer):
    type_ = serializers.CharField(help_text="Question")
    name = serializers.CharField()
    acceptedAnswer = AnswerSerializer()  # noqa: N815


class FAQPageSerializer(JsonLdSerializer):
    context_ = serializers.CharField(
        required=False, help_text="https://schema.org, when it is a document."
    )
    type_ = serializers.CharField()
    inLanguage = serializers.ChoiceField(HREFLANGS)  # noqa: N815
    mainEntity = QuestionSerializer(many=True)  # noqa: N815


# @type → node; their @type is written into the schema from the discriminator.
GRAPH_NODES: dict[str, type[serializers.Serializer]] = {
    "MedicalWebPage": MedicalWebPageSerializer,
    "MedicalProcedure": MedicalProcedureSerializer,
    "FAQPage": FAQPageSerializer,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="GraphNode",
        serializers=GRAPH_NODES,
        resource_type_field_name="@type",
    )
)
class GraphNodeField(serializers.Field):
    """A node of the article's graph, shaped by its @type."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_type = {}

    def to_representation(self, value):
        if value["@type"] not in self.by_type:
            self.by_type[value["@type"]] = GRAPH_NODES[value["@type"]]()
        return self.by_type[value["@type"]].to_representation(value)


class ArticleStructuredDataSerializer(JsonLdSerializer):
    context_ = serializers.CharField(help_text="https://schema.org")
    graph_ = serializers.ListField(
        child=GraphNodeField(),
        help_text="The MedicalWebPage, a MedicalProcedure per method, the FAQPage.",
    )


class OpenGraphImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    secure_url = serializers.URLField(
        help_text="The same address (og:image:secure_url)."
    )
    type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField()


class OpenGraphSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="article")
    title = serializers.CharField(help_text="The SEO title, else the title.")
    description = serializers.CharField(
        help_text="The meta description, else the summary."
    )
    locale = serializers.CharField(help_text="og:locale, e.g. ko_KR.")
    locale_alternate = serializers.ListField(
        child=serializers.CharField(),
        help_text="og:locale:alternate: the other languages it is published in.",
    )
    image = OpenGraphImageSerializer(
        allow_null=True,
        help_text="The hero image's 16:9 crop about 1200 pixels wide in its own "
        "format; null without a hero image.",
    )
    published_time = serializers.CharField(help_text="article:published_time")
    modified_time = serializers.CharField(help_text="article:modified_time")


class ArticleDetailSerializer(ArticleSummarySerializer):
    seo_title = serializers.CharField(help_text="May be empty: use the title.")
    meta_description = serializers.CharField(help_text="May be empty.")
    topic = serializers.CharField(help_text="The condition the article is about.")
    reviewed_by = serializers.CharField(help_text="The reviewing physician.")
    blocks = serializers.ListField(child=BlockField(), help_text="In order.")
    # Read-only: the loop over the fields skips it (the article has no such
    # attribute); it is made last, from the article as served.
    structured_data = ArticleStructuredDataSerializer(
        read_only=True,
        help_text="schema.org JSON-LD in this language: MedicalWebPage, a "
        "MedicalProcedure per method (aftercare as followup), FAQPage.",
    )
    open_graph = OpenGraphSerializer(
        read_only=True,
        help_text="Open Graph fields for link previews (og:*, article:*).",
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["structured_data"] = self.fields["structured_data"].to_representation(
            article_structured_data(data, instance.locale)
        )
        data["open_graph"] = self.fields["open_graph"].to_representation(
            open_graph(data, instance.locale)
        )
        return data


# The clinic.


class ChannelSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ClinicChannel.Kind.choices)
    label = serializers.CharField()
    description = serializers.CharField()
    url = serializers.URLField(help_text="The channel's address in this language.")


class ClinicProfileSerializer(ShownSerializer):
    locale = serializers.ChoiceField(LANGUAGE_CODES)
    alternates = AlternatesSerializer()
    updated_at = InstantField()
    name = serializers.CharField()
    slogan = serializers.CharField()
    description = HtmlField(help_text=HTML)
    years_of_practice = serializers.IntegerField()
    review_count = serializers.IntegerField()
    rating = serializers.FloatField(allow_null=True, help_text="Out of 5.")
    channels = ChannelSerializer(many=True)
    trust_points = ItemListDetailSerializer(allow_null=True)
    care_system = ItemListDetailSerializer(allow_null=True)
    logo = image_field("The clinic's logo; null for none.")
    photos = serializers.ListField(
        child=ImageSerializer(), help_text="Photos of the clinic and its doctors."
    )
