"""Script typed into a plain-text field (a title, a name, a question) is shown as
text on every admin page: the changelist with its success message, the change form,
the history and the delete confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from content.models import (
    Aftercare,
    Article,
    CauseType,
    ClinicProfile,
    Comparison,
    Criterion,
    ItemList,
    Method,
)
from faq.models import FAQCategory, FAQItem
from publication.languages import LANGUAGE_CODES, column
from tests.admin.conftest import read_form
from tests.security.payloads import PLAIN_TEXT

# Each model's plain-text fields; the first one names the object (its __str__).
PLAIN_FIELDS = {
    FAQItem: ["question"],
    FAQCategory: ["name"],
    Article: ["title", "seo_title", "reviewed_by"],
    CauseType: ["name", "tagline"],
    Method: ["name", "summary"],
    Criterion: ["name"],
    Comparison: ["title"],
    Aftercare: ["title"],
    ItemList: ["title"],
    ClinicProfile: ["name", "slogan"],
}


def admin_url(obj, page: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])


def changelist_url(model) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def assert_escaped(html: str, payload: str, page: str) -> None:
    assert payload not in html, f"{page}: the payload is in the page unescaped"
    assert escape(payload) in html, f"{page}: the payload is not shown as text"


def test_the_check_fails_on_a_page_that_shows_the_payload_raw():
    payload = PLAIN_TEXT["script"]

    with pytest.raises(AssertionError, match="unescaped"):
        assert_escaped(f"<td>{payload}</td>", payload, "page")
    with pytest.raises(AssertionError, match="not shown"):
        assert_escaped("<td></td>", payload, "page")


@pytest.mark.parametrize("model", PLAIN_FIELDS, ids=lambda m: m._meta.label)
def test_payloads_in_plain_text_fields_are_escaped_on_every_admin_page(
    demo, admin_client, model
):
    obj = model._default_manager.order_by("pk").first()
    form_id = f"{model._meta.model_name}_form"
    for name, payload in PLAIN_TEXT.items():
        data = read_form(admin_client.get(admin_url(obj, "change")), form_id)
        for field in PLAIN_FIELDS[model]:
            for code in LANGUAGE_CODES:
                data[column(field, code)] = [payload]
        if model is Article:  # a block heading, shown in the form's inline rows
            for code in LANGUAGE_CODES:
                data[f"blocks-0-{column('heading', code)}"] = [payload]

        saved = admin_client.post(admin_url(obj, "change"), data, follow=True)

        assert saved.redirect_chain, (name, saved.context["adminform"].form.errors)
        assert saved.redirect_chain[-1][0].startswith(changelist_url(model))
        pages = {
            "changelist and its message": saved,
            "search": admin_client.get(changelist_url(model), {"q": payload}),
            "change form": admin_client.get(admin_url(obj, "change")),
            "history": admin_client.get(admin_url(obj, "history")),
        }
        delete = admin_client.get(admin_url(obj, "delete"))
        if delete.status_code == 200:
            pages["delete confirmation"] = delete
        for page, response in pages.items():
            assert response.status_code == 200, page
            assert_escaped(response.content.decode(), payload, f"{name}: {page}")
