"""Fixtures of the API tests: a client that returns parsed JSON and checks that
every API answer is JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client


class ApiResponse:
    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        assert response["Content-Type"] == "application/json; charset=utf-8", (
            f"not JSON: {response['Content-Type']}"
        )
        self.body = json.loads(response.content) if response.content else None

    def __getitem__(self, header: str) -> str:
        return self.response[header]

    def get(self, header: str, default=None):
        return self.response.get(header, default)


@pytest.fixture
def api(db) -> Callable[..., ApiResponse]:
    """``api("/api/v1/articles/", locale="ko")`` → ApiResponse (status, body,
    headers). Extra keyword arguments become the query string."""
    client = Client()

    def call(path: str, *, method: str = "get", headers=None, **params):
        url = path + ("?" + urlencode(params) if params else "")
        response = getattr(client, method)(url, headers=headers or {})
        return ApiResponse(response)

    return call
