"""The documented shapes of the FAQ endpoints (see ``api/serializers.py``)."""

from rest_framework import serializers

from api.serializers import PublishedSerializer, RefSerializer
from content.serializers import HTML, BlockSerializer


class TitledRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()


class FAQItemSummarySerializer(PublishedSerializer):
    question = serializers.CharField()
    answer = serializers.CharField(help_text=HTML)
    excerpt = serializers.CharField(help_text="Plain text of the answer, cut.")
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
