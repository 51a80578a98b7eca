"""The small things editors notice (issue 20): the Korean strings of the rich-text
editor's script, "View site", the grid in the editor's language, the status
legend, the icon. The reorder's confirmation: tests/browser/test_ordering.py."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from content.models import Comparison

pytestmark = pytest.mark.django_db

KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}


def test_the_admin_javascript_catalog_has_the_rich_text_editors_korean(admin_client):
    response = admin_client.get(reverse("admin:jsi18n"), **KOREAN)

    text = response.content.decode()
    # The library's own strings and the menu's (clinic/static/admin/clinic/).
    for english, korean in [("Edit Link", "링크 편집"), ("bold", "굵게")]:
        assert f"{json.dumps(english)}: {json.dumps(korean)}" in text


def test_view_site_is_not_shown_without_a_frontend(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.context["site_url"] is None
    assert b"View site" not in response.content


@pytest.mark.parametrize(
    ("accept_language", "grid_language"),
    [("ko", "ko"), ("ja", "ja"), ("en", "en"), ("fr", "en")],
)
def test_the_grid_opens_in_the_editors_language(
    admin_client, demo, accept_language, grid_language
):
    comparison = Comparison.objects.get()
    grid = reverse("admin:content_comparison_grid", args=[comparison.pk])

    change = admin_client.get(
        reverse("admin:content_comparison_change", args=[comparison.pk]),
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )
    opened = admin_client.get(grid, HTTP_ACCEPT_LANGUAGE=accept_language)

    assert f'href="{grid}?lang={grid_language}"' in change.content.decode()
    assert opened.context["language"] == grid_language


def test_changelists_with_status_columns_explain_the_symbols(admin_client, demo):
    faq = admin_client.get(reverse("admin:faq_faqitem_changelist"), **KOREAN)
    criteria = admin_client.get(reverse("admin:content_criterion_changelist"))
    users = admin_client.get(reverse("admin:auth_user_changelist"))

    legend = faq.content.decode().split('class="language-status-legend"')[1]
    legend = legend.split("</ul>")[0]
    for symbol, text in [
        ("●", "게시됨"),
        ("◐", "게시됨, 게시 후 변경됨"),
        ("◷", "게시 예약됨"),
        ("○", "번역 완료, 게시되지 않음"),
        ("✕", "번역 누락"),
    ]:
        assert f'aria-hidden="true">{symbol}</span>{text}</li>' in legend
    assert [symbol for symbol, _text in criteria.context["legend"]] == ["✓", "✕"]
    assert b"language-status-legend" not in users.content


def test_the_site_icon_is_served(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")
