"""Fixtures of the admin tests: a reader that turns a rendered admin form into the
POST a browser would send (every field, every inline row and management form, as
rendered)."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from faq.models import FAQCategory, FAQItem

FormData = dict[str, list[str]]

# Inputs a browser leaves out of a plain submission.
_NOT_SUBMITTED = {"submit", "button", "image", "reset", "file"}


class _FormReader(HTMLParser):
    """Collects the successful controls of one <form> as a browser submits them."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.data: FormData = {}
        self._textarea: tuple[str, list[str]] | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in _NOT_SUBMITTED:
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self._add(name, attrs.get("value") or default)
        elif tag == "textarea" and name:
            self._textarea = (name, [])
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs}
            self._select["options"] = []
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "text": [],
            }
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # A browser drops the newline that follows <textarea>.
            self._add(name, text.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            for option in options:
                if option["value"] is None:
                    option["value"] = "".join(option["text"]).strip()
            chosen = [o["value"] for o in options if o["selected"]]
            if not self._select["multiple"]:
                chosen = chosen[-1:] or [o["value"] for o in options[:1]]
            for value in chosen:
                self._add(self._select["name"], value)
            self._select = None


def read_form(response, form_id: str) -> FormData:
    """The POST data a browser would send for the rendered form ``form_id``."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    reader.close()
    assert reader.found, f"no <form id={form_id!r}> in the page"
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


def add_inline_row(data: FormData, prefix: str, values: dict[str, str]) -> int:
    """Add a row to inline formset ``prefix`` the way the admin's "Add another"
    button does: copy the empty form, number it, raise TOTAL_FORMS. Returns the
    index of the new row."""
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    template = f"{prefix}-__prefix__-"
    for name, value in list(data.items()):
        if name.startswith(template):
            data[f"{prefix}-{index}-{name.removeprefix(template)}"] = list(value)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = [value]
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]
    return index


@pytest.fixture
def form_reader() -> Callable[..., FormData]:
    return read_form


@pytest.fixture
def inline_row_adder() -> Callable[..., int]:
    return add_inline_row


@pytest.fixture
def untranslated_in_japanese(demo) -> FAQItem:
    """An FAQ item published in en and ko with no Japanese text yet."""
    return FAQItem.objects.create(
        category=FAQCategory.objects.first(),
        position=10,
        question_en="How long does the swelling last?",
        answer_en="<p>About a week.</p>",
        question_ko="붓기는 얼마나 가나요?",
        answer_ko="<p>일주일 정도예요.</p>",
        published_en=True,
        published_ko=True,
    )
