"""The service tier checks every problem a handler answers against its route's documented codes."""

from __future__ import annotations

from types import SimpleNamespace

from orgplane import http
from orgplane.errors import DomainError
from tests.support import documented_codes


def _app(method: str, resource: str) -> SimpleNamespace:
    event = SimpleNamespace(http_method=method, resource=resource,
                            request_context=SimpleNamespace(request_id="r-1"))
    return SimpleNamespace(current_event=event)


def test_a_problem_the_route_does_not_list_is_recorded_and_a_listed_one_is_not() -> None:
    with documented_codes.recording_handler_problems() as violations:
        http.problem(_app("GET", "/orgs/{org_id}"), DomainError("org_not_found"))  # type: ignore[arg-type]
        assert violations == []
        http.problem(_app("GET", "/me"), DomainError("slug_taken"))  # type: ignore[arg-type]
    assert len(violations) == 1 and "GET /me answered 409 'slug_taken'" in violations[0]
