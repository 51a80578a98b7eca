"""The shapes of the FAQ endpoints, rendered from what ``faq/published.py``
resolves (see ``api/serializers.py``)."""

from rest_framework import serializers

from api.serializers import (
    HTML,
    ExcerptField,
    HtmlField,
    PublishedSerializer,
    RefSerializer,
    ShownSerializer,
)
from content.serializers import BlockSerializer


class TitledRefSerializer(ShownSerializer):
    slug = serializers.CharField()
    title = serializers.CharField()


class FAQItemSummarySerializer(PublishedSerializer):
    question = serializers.CharField()
    answer = HtmlField(help_text=HTML)
    excerpt = ExcerptField(source="answer", help_text="Plain text of the answer, cut.")
    category = RefSerializer()


class FAQItemDetailSerializer(FAQItemSummarySerializer):
    cause_types = RefSerializer(many=True, help_text="Published related cause types.")
    methods = RefSerializer(many=True, help_text="Published related methods.")
    articles = TitledRefSerializer(many=True, help_text="Published related articles.")


class FAQBlockSerializer(BlockSerializer):
    items = FAQItemSummarySerializer(
        many=True, help_text="The article's FAQ items published in this language."
    )


class FAQCategorySerializer(PublishedSerializer):
    name = serializers.CharField()
    item_count = serializers.IntegerField(help_text="Items published in this language.")
