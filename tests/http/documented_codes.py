"""Every problem the HTTP tier receives from an API route carries a code that route's OpenAPI operation
lists for that status (``devserver.error_codes`` derives the lists from the code).

The check runs on every response a :class:`tests.http.client.Client` of a local server receives, so a
test that provokes an undocumented code fails at once, naming the route, the status and the code.
"""

from __future__ import annotations

from typing import Any

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
        if response.status < 400 or response.code is None:
            return
        template = self.route(path)
        declared = self.codes.get((method.upper(), template)) if template else None
        if declared is None:  # no such route or method: the gateway's 404/405, not an operation's answer
            return
        listed = declared.get(response.status, set())
        assert response.code in listed, (
            f"{method.upper()} {template} answered {response.status} {response.code!r}, which its OpenAPI "
            f"operation does not list (listed for {response.status}: {sorted(listed)}); see devserver/error_codes.py")


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
