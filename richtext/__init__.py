"""Rich text: one nh3 allow-list for every rich-text field, on save and on output.

The allow-list keeps what the seed article needs (paragraphs, headings, lists, emphasis,
links, emoji as text) and nothing that can execute. Links may only use http, https,
mailto and tel. django-prose-editor is configured with the same extensions so the
editor cannot produce what the sanitizer would strip.
"""

import functools
import re
from html import unescape

import nh3
from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorField

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "u", "s", "ul", "ol", "li",
    "a", "blockquote", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# What the editor offers; kept in step with ALLOWED_TAGS.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
}


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    """Drop an href that is not an absolute URL of an allowed scheme.

    nh3's url_schemes lets relative URLs through; DESIGN §4 allows only http, https,
    mailto and tel, so that a link means the same on every frontend.
    """
    if tag == "a" and attribute == "title" and not value.strip():
        return None  # the editor's link dialog leaves an empty title
    if tag == "a" and attribute == "href":
        scheme, sep, _rest = value.strip().partition(":")
        if not sep or scheme.lower() not in URL_SCHEMES:
            return None
    if tag == "ol" and attribute == "start" and not _NUMBER.fullmatch(value):
        # A list number, nothing else (nh3 passes any text through).
        return None
    return value


_NUMBER = re.compile(r"[0-9]{1,6}")
# A link left without an address (the editor's dialog accepts javascript:…, whose
# href is then dropped above) is a dead link for every frontend: keep its text only.
# nh3's serializer writes attributes as name="value" with quotes escaped, and an <a>
# may hold only href, title and rel, so this matches exactly the anchors without an
# href; anchors never nest.
_LINK_WITHOUT_ADDRESS = re.compile(r'<a(?: (?:title|rel)="[^"]*")*>(.*?)</a>', re.S)


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    attribute_filter=_absolute_links_only,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


# Both functions are pure, and the API applies them to the same stored texts on every
# render: the last few thousand results are kept (a few MB at most).
MEMO_SIZE = 4096


@functools.lru_cache(maxsize=MEMO_SIZE)
def sanitize(html: str | None) -> str:
    """Return safe HTML; markup with no visible content becomes ''."""
    if not html:
        return ""
    cleaned = _LINK_WITHOUT_ADDRESS.sub(r"\1", _cleaner.clean(html)).strip()
    # An editor's empty paragraph (<p></p>, <p><br></p>) is empty, not content.
    return cleaned if _shows_text(cleaned) else ""


# Characters that take no room: a paragraph of only these shows nothing. They are
# kept inside text (a zero-width joiner is part of an emoji like 👩‍⚕️).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _shows_text(html: str) -> bool:
    return bool(plain_text(html).translate(_INVISIBLE).strip())


def is_empty(value) -> bool:
    """True for None, whitespace, and rich text that shows nothing."""
    if value is None:
        return True
    text = str(value)
    if not text.translate(_INVISIBLE).strip():
        return True
    return "<" in text and not _shows_text(text)


@functools.lru_cache(maxsize=MEMO_SIZE)
def plain_text(html: str | None) -> str:
    """Text of rich text with tags removed and entities decoded, whitespace folded."""
    if not html:
        return ""
    text = strip_tags(re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", " ", html))
    return " ".join(unescape(text).split())


class RichTextField(ProseEditorField):
    """A rich-text column edited with django-prose-editor and sanitized on every save.

    Sanitizing in ``pre_save`` (not only in form cleaning) covers imports, the ORM
    and the demo loader as well as the admin.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", EDITOR_EXTENSIONS)
        kwargs.setdefault("sanitize", sanitize)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        # Read and write the stored value, not the attribute: on the untranslated
        # base field modeltranslation's descriptor would return the default
        # language's text as a fallback and write it into the active language.
        value = sanitize(model_instance.__dict__.get(self.attname))
        model_instance.__dict__[self.attname] = value
        return value

    def get_db_prep_save(self, value, connection):
        # QuerySet.update() and bulk_update() write values without pre_save():
        # sanitize every value on its way to the database. Expressions (F(),
        # Concat(), raw SQL) are not values and still bypass this; the API
        # sanitizes again on output for those.
        if isinstance(value, str):
            value = sanitize(value)
        return super().get_db_prep_save(value, connection)
