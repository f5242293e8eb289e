"""What the HTTP tier asserts about answers, in one place: success bodies and problem+json errors."""

from __future__ import annotations

import uuid
from typing import Any

from tests.http.client import Response


def unique(prefix: str) -> str:
    """A name no other test of the shared server uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ok(response: Response, status: int = 200) -> Any:
    """The body of a success with exactly ``status``."""
    assert response.status == status, response
    return response.json


def assert_problem(response: Response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """A complete problem+json answer with ``status`` and ``code`` (and, for validation errors, the one
    offending ``field``)."""
    assert (response.status, response.code) == (status, code), response
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json
    assert body["type"] == "about:blank" and body["status"] == status, body
    assert body["title"] and body["detail"] and body["request_id"], body
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field], body
    return body
