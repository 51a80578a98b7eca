"""Rich text as XLIFF 1.2 inline markup, and back.

Every element of the (sanitized) HTML becomes an inline element CAT tools protect
— ``<g>`` for an element with content, ``<x/>`` for an empty one — numbered in
document order. The tags and their attributes (a link's address) stay out of the
file: the import takes them, by number, from the current source, which is the
source of the export (a unit whose source changed is not applied). A translator
may move, repeat or drop tags; a number the source does not have is an error, and
so is other inline markup (``<ph>``, ``<bx/>``…), which the export never writes; a
segment's ``<mrk>`` (CAT tools wrap sentences in one) keeps its text.

Written with translate-toolkit's placeables (``G``, ``X``), which it serializes
into the unit's ``<source>`` and ``<target>`` and parses back.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.utils.translation import gettext
from lxml import etree
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import G, UnknownXML, X

VOID = frozenset({"br", "hr"})
# XLIFF 1.2's own ctype values where there is one, else an x- name.
CTYPES = {"strong": "bold", "em": "italic", "u": "underlined", "a": "link", "br": "lb"}


class MarkupError(ValueError):
    """A target's inline markup that cannot be turned back into HTML."""


@dataclass(frozen=True)
class Tag:
    name: str
    attrs: tuple[tuple[str, str], ...]

    def open(self) -> str:
        attrs = "".join(f' {key}="{escape(value)}"' for key, value in self.attrs)
        return f"<{self.name}{attrs}>"


class _Tree(HTMLParser):
    """HTML → placeables, numbering the tags (``tags``: number → tag)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = StringElem([])
        self.stack = [self.root]
        self.tags: dict[str, Tag] = {}

    def add(self, name: str, attrs) -> str:
        number = str(len(self.tags) + 1)
        self.tags[number] = Tag(name, tuple((k, v or "") for k, v in attrs))
        return number

    def handle_starttag(self, tag, attrs):
        number = self.add(tag, attrs)
        ctype = CTYPES.get(tag, f"x-html-{tag}")
        if tag in VOID:
            self.stack[-1].sub.append(X(id=number, xml_attrib={"ctype": ctype}))
            return
        element = G(id=number, sub=[], xml_attrib={"ctype": ctype})
        self.stack[-1].sub.append(element)
        self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        if tag in VOID:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in VOID and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].sub.append(data)


def parse(html: str) -> tuple[StringElem, dict[str, Tag]]:
    """The placeables of ``html`` and its tags by number."""
    tree = _Tree()
    tree.feed(html or "")
    tree.close()
    return tree.root, tree.tags


def to_placeables(html: str, tags: dict[str, Tag] | None = None) -> StringElem | None:
    """``html`` as placeables numbered as the source's ``tags`` (each element the
    number of an identical tag of the source, in order); None when an element of
    ``html`` has no identical tag in the source (a link of its own): such a text
    cannot go out without losing it."""
    root, own = parse(html)
    if tags is None:
        return root
    free = list(tags.items())
    renumber = {}
    for number, tag in own.items():
        match = next((n for n, t in free if t == tag), None)
        if match is None:
            match = next((n for n, t in tags.items() if t == tag), None)
        if match is None:
            return None
        free = [(n, t) for n, t in free if n != match]
        renumber[number] = match
    for element in _elements(root):
        element.id = renumber[element.id]
    return root


def _elements(root: StringElem):
    for item in root.sub:
        if isinstance(item, StringElem):
            if isinstance(item, G | X):
                yield item
            yield from _elements(item)


def to_html(target: list[StringElem], tags: dict[str, Tag]) -> str:
    """The HTML of a target's placeables, each tag taken from the source's."""
    return "".join(_html(item, tags) for item in target)


def _html(item, tags: dict[str, Tag]) -> str:
    if isinstance(item, str):
        return escape(item, quote=False)
    if isinstance(item, G | X):
        tag = tags.get(str(item.id))
        if tag is None:
            raise MarkupError(
                gettext("tag %(id)s is not in the source") % {"id": item.id}
            )
        if isinstance(item, X) or tag.name in VOID:
            return tag.open()
        inner = "".join(_html(sub, tags) for sub in item.sub)
        return f"{tag.open()}{inner}</{tag.name}>"
    name = type(item).__name__.lower()
    if isinstance(item, UnknownXML):
        name = etree.QName(item.xml_node).localname
    if type(item) is StringElem or name == "mrk":
        # Text, or a CAT tool's annotation of it (a segment's <mrk>): its text.
        return "".join(_html(sub, tags) for sub in item.sub)
    raise MarkupError(
        gettext("inline element <%(name)s> is not supported") % {"name": name}
    )
