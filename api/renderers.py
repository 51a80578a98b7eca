import orjson
from rest_framework.renderers import JSONRenderer as BaseJSONRenderer

# orjson writes what DRF's compact UTF-8 JSON writes for plain data (str, int, float,
# bool, None, list, dict), in C: serializing is on every uncached read, and a detail
# is tens of kilobytes (docs/performance.md). Anything else (datetimes, decimals,
# lazy translations, str subclasses) is passed through and left to DRF's encoder;
# both outputs then get the same escapes.
PLAIN_ONLY = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
# Accept headers that select the one JSON renderer whatever DRF's negotiation weighs
# (PublicView.perform_content_negotiation). Only these are answered from a cache:
# any other is negotiated, and may be a 406.
ANY_JSON = frozenset(["", "*/*", "application/json"])
# Characters written as \uXXXX escapes. U+2028 and U+2029 as DRF does, so the JSON
# is valid JavaScript. <, > and & as Django's json_script does: the frontends embed
# `structured_data` in <script type="application/ld+json">, and an editor's
# "</script>" or "<!--" in a plain-text field must not end or change that element.
# In JSON output these can only occur inside strings, where the escape parses back
# to the same character. Chained replace() calls: a tenth of the time of one regex
# pass with a replacement function on rich text, where < and > are everywhere.
ESCAPES = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def escape(out: bytes) -> bytes:
    """JSON bytes with no raw ``<``, ``>``, ``&``, U+2028 or U+2029: the same value
    once parsed, safe inside an HTML script element."""
    for raw, escaped in ESCAPES:
        out = out.replace(raw, escaped)
    return out


def dumps(data) -> bytes:
    """Compact UTF-8 JSON of plain data, escaped: what every JSON answer of the API
    is written with, errors rendered outside DRF included."""
    return escape(orjson.dumps(data))


class JSONRenderer(BaseJSONRenderer):
    """Compact UTF-8 JSON that says its charset (``application/json;
    charset=utf-8``), so no client guesses."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if renderer_context:
            # DRF puts the response into its own renderer context just before
            # calling this (``context["response"] = self``) and never reads it after:
            # a reference cycle that kept every response, and the whole tree of data
            # it rendered, alive until the cyclic collector's next pass. Broken here
            # (and the view's end in PublicView.dispatch), a response is freed when
            # it is sent, and the collector has less to walk (docs/performance.md).
            renderer_context.pop("response", None)
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            out = super().render(data, accepted_media_type, renderer_context)
        else:
            try:
                out = orjson.dumps(data, option=PLAIN_ONLY)
            except TypeError:
                out = super().render(data, accepted_media_type, renderer_context)
        return escape(out)
