from rest_framework.renderers import JSONRenderer as BaseJSONRenderer


class JSONRenderer(BaseJSONRenderer):
    """Compact UTF-8 JSON that says its charset (``application/json;
    charset=utf-8``), so no client guesses."""

    charset = "utf-8"
