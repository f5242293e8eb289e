"""Every problem a route answers in the test suites carries a code that route's OpenAPI operation lists
for that status (``devserver.error_codes`` derives the lists from the code).

Two tiers check it: the HTTP tier on every response a :class:`tests.http.client.Client` of a local server
receives (:func:`watch`), and the service and DynamoDB Local tiers on every problem a handler answers
(:func:`recording_handler_problems`). A test that provokes an undocumented code fails, naming the route,
the status and the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import pytest

from tests.http.client import Client, Response


class DocumentedCodes:
    """The ``code`` enum of each (method, path template, status) of an OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.codes: dict[tuple[str, str], dict[int, set[str]]] = {}
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                per_status = self.codes.setdefault((method.upper(), path), {})
                for status, response in operation["responses"].items():
                    if status.isdigit() and int(status) >= 400:
                        per_status[int(status)] = _code_enum(response)
        # literal segments win over parameters, from the left (API Gateway's rule)
        self.templates = sorted({path for _, path in self.codes}, reverse=True,
                                key=lambda p: tuple(0 if s.startswith("{") else 1 for s in _segments(p)))

    def route(self, path: str) -> str | None:
        parts = _segments(path.split("?", 1)[0])
        for template in self.templates:
            segments = _segments(template)
            if len(segments) == len(parts) and all(
                    s == p or (s.startswith("{") and p) for s, p in zip(segments, parts, strict=True)):
                return template
        return None

    def check(self, method: str, path: str, response: Response) -> None:
        if response.status >= 400 and response.code is not None:
            template = self.route(path)
            if template is not None:
                self.check_code(method, template, response.status, response.code)

    def check_code(self, method: str, template: str, status: int, code: str) -> None:
        declared = self.codes.get((method.upper(), template))
        if declared is None:  # no such route or method: the gateway's 404/405, not an operation's answer
            return
        listed = declared.get(status, set())
        assert code in listed, (
            f"{method.upper()} {template} answered {status} {code!r}, which its OpenAPI operation does not "
            f"list (listed for {status}: {sorted(listed)}); see devserver/error_codes.py")


def _code_enum(response: dict[str, Any]) -> set[str]:
    content: dict[str, Any] = response.get("content", {})
    media: dict[str, Any] = next(iter(content.values()), {})
    schema: dict[str, Any] = media.get("schema", {})
    for part in schema.get("allOf", []):
        enum = part.get("properties", {}).get("code", {}).get("enum")
        if enum:
            return set(enum)
    return set()


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def watch(client: Client) -> Client:
    """Make ``client`` check every answer against the OpenAPI document its server serves."""
    documented = DocumentedCodes(client.get("/openapi.json").json)
    client.observers.append(documented.check)
    return client


@cache
def built() -> DocumentedCodes:
    """The codes of the OpenAPI document built in this process (``devserver.openapi.build``)."""
    from devserver import openapi

    return DocumentedCodes(openapi.build())


@contextmanager
def recording_handler_problems() -> Iterator[list[str]]:
    """While active, every problem a handler answers (``orgplane.http.problem``) is checked against its
    route's codes; the violations are collected (a handler's own error handling cannot swallow them)."""
    from orgplane import http

    violations: list[str] = []
    real = getattr(http.problem, "unchecked", http.problem)  # nested: only the innermost one records

    def problem(app: Any, error: Any) -> Any:
        event = app.current_event
        try:
            built().check_code(str(event.http_method), str(event.resource), error.status, error.code)
        except AssertionError as violation:
            violations.append(str(violation))
        return real(app, error)

    problem.unchecked = real  # type: ignore[attr-defined]
    outer = http.problem
    http.problem = problem
    try:
        yield violations
    finally:
        http.problem = outer


@pytest.fixture(autouse=True)
def documented_problems() -> Iterator[None]:
    """Every problem a handler answers in the test is one its route's OpenAPI operation lists (a tier's
    conftest imports this fixture to turn the check on)."""
    with recording_handler_problems() as violations:
        yield
    assert not violations, "\n".join(violations)
