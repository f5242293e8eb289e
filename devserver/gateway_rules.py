"""API Gateway's rules, as the local server applies them: matching a request to a route, reading a token
authorizer's policy and context, turning a proxy response into a reply, and the problem+json replies of the
gateway itself."""

from __future__ import annotations

import base64
import fnmatch
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from devserver import template

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    segments: tuple[str, ...]
    function: template.Function
    public: bool = False

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("+}"):
                rest = parts[index:]
                if not rest or not all(rest):
                    return None
                params[segment[1:-2]] = "/".join(rest)
                return params
            if index >= len(parts):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                if not parts[index]:
                    return None
                params[segment[1:-1]] = parts[index]
            elif segment != parts[index]:
                return None
        return params if len(parts) == len(self.segments) else None

    @property
    def specificity(self) -> tuple[int, ...]:
        """Literal segments win over parameters, from the left (API Gateway's rule)."""
        return tuple(0 if s.startswith("{") else 1 for s in self.segments)


def segments(path: str) -> list[str]:
    return [unquote(s) for s in path.strip("/").split("/")] if path.strip("/") else []


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def json_reply(status: int, value: Any, content_type: str = "application/json",
                headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"Content-Type": content_type, **(headers or {})}, json.dumps(value).encode())


def problem(status: int, code: str, title: str, detail: str, request_id: str,
            headers: dict[str, str] | None = None) -> Reply:
    body = {"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail,
            "request_id": request_id}
    return json_reply(status, body, PROBLEM_JSON, headers)


AUTHORIZER_VARIABLE = re.compile(r"\$context\.authorizer\.([A-Za-z0-9_]+)")


def json_text(value: str) -> str:
    """``value`` as it may stand inside a JSON string of a template (quotes and controls escaped)."""
    return json.dumps(value)[1:-1]


def quoted_string(value: str) -> str:
    """What RFC 6750 allows in ``error_description``: printable ASCII except ``"`` and ``\\``."""
    return "".join(c for c in value if " " <= c <= "~" and c not in '"\\')


def policy_decision(result: Any, method_arn: str) -> bool | None:
    """``True`` to allow, ``False`` to deny, ``None`` when the result is not a valid authorizer response."""
    if not isinstance(result, dict) or not result.get("principalId"):
        return None
    document = result.get("policyDocument")
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return None
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            return None
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not any(a in ("execute-api:Invoke", "execute-api:*", "*") for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(method_arn, str(r)) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def authorizer_context(result: dict[str, Any]) -> dict[str, Any] | None:
    context: dict[str, Any] = {"principalId": str(result["principalId"])}
    for key, value in (result.get("context") or {}).items():
        if isinstance(value, dict | list):
            return None
        context[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return context


def proxy_reply(response: Any) -> Reply | None:
    if not isinstance(response, dict) or not isinstance(response.get("statusCode"), int):
        return None
    headers: dict[str, str] = {}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        if isinstance(values, list) and values:
            headers[name] = ", ".join(str(v) for v in values)
    for name, value in (response.get("headers") or {}).items():
        headers[name] = str(value)
    body = response.get("body") or ""
    if not isinstance(body, str):
        return None
    data = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    return Reply(int(response["statusCode"]), headers, data)
