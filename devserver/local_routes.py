"""``/_local/*``: routes that exist only in the local server, never in the deployed API.

A route is a function of a :class:`LocalRequest` returning ``(status, json value)``; raise
:class:`LocalError` for a problem+json answer. Register it with the decorator::

    @local_route("GET", "/_local/outbox")
    def outbox(request: LocalRequest) -> tuple[int, Any]:
        return 200, {"data": [...]}

Paths may hold ``{name}`` segments (``/_local/jobs/{job}``), found in ``request.params``. Routes that
need the running server (streams, jobs) are registered by :mod:`devserver.controls` at start-up and
reach it through ``request.server``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devserver import apps
from orgplane import clock


@dataclass
class LocalRequest:
    method: str
    path: str
    json: Any = None
    query: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    server: Any = None


class LocalError(Exception):
    """Answer with a problem+json body: ``status``, ``code`` and ``detail``."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


LocalHandler = Callable[[LocalRequest], tuple[int, Any]]


@dataclass(frozen=True)
class _Entry:
    method: str
    path: str
    pattern: re.Pattern[str]
    handler: LocalHandler


_ROUTES: dict[tuple[str, str], _Entry] = {}


def register(method: str, path: str, handler: LocalHandler) -> None:
    """Add (or replace) ``method path``; ``path`` starts with ``/_local/`` and may hold ``{name}``."""
    if not path.startswith("/_local/"):
        raise ValueError(f"local routes live under /_local/, not {path!r}")
    regex = "^" + re.sub(r"\\\{([a-z_]+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$"
    _ROUTES[(method.upper(), path)] = _Entry(method.upper(), path, re.compile(regex), handler)


def local_route(method: str, path: str) -> Callable[[LocalHandler], LocalHandler]:
    def decorate(handler: LocalHandler) -> LocalHandler:
        register(method, path, handler)
        return handler

    return decorate


def resolve(method: str, path: str) -> tuple[LocalHandler | None, dict[str, str], list[str]]:
    """``(handler, params, [])`` for a match; ``(None, {}, allowed methods)`` when only the method is
    wrong; ``(None, {}, [])`` when no local route has this path."""
    allowed: list[str] = []
    # literal paths before templated ones: /_local/jobs/list would win over /_local/jobs/{job}
    for entry in sorted(_ROUTES.values(), key=lambda e: e.path.count("{")):
        match = entry.pattern.match(path)
        if match is None:
            continue
        if entry.method == method.upper():
            return entry.handler, match.groupdict(), []
        allowed.append(entry.method)
    return None, {}, sorted(set(allowed))


def routes() -> list[tuple[str, str]]:
    return sorted(_ROUTES)


# ---------------------------------------------------------------- routes without server state


@local_route("GET", "/_local/health")
def health(request: LocalRequest) -> tuple[int, Any]:
    return 200, {"status": "ok"}


@local_route("POST", "/_local/clock")
def advance_clock(request: LocalRequest) -> tuple[int, Any]:
    """Move every function's clock forward by ``advance_seconds`` (a non-negative number)."""
    body = request.json
    seconds = body.get("advance_seconds") if isinstance(body, dict) else None
    if (isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds)
            or seconds < 0):
        raise LocalError(400, "validation_error", "advance_seconds must be a non-negative number.")
    clock.advance(float(seconds))
    return 200, {"now": clock.iso(), "timestamp": clock.timestamp()}


@local_route("GET", "/_local/clock")
def read_clock(request: LocalRequest) -> tuple[int, Any]:
    return 200, {"now": clock.iso(), "timestamp": clock.timestamp()}


@local_route("GET", "/_local/issuers/{app}/.well-known/jwks.json")
def issuer_jwks(request: LocalRequest) -> tuple[int, Any]:
    """The local issuer's key set, fetched by the authorizer exactly as it fetches Cognito's."""
    app = request.params["app"]
    if app not in apps.APPS:
        raise LocalError(404, "not_found", f"No local issuer {app!r}.")
    return 200, apps.jwks(app)


@local_route("GET", "/_local/accept")
def accept_link(request: LocalRequest) -> tuple[int, Any]:
    """Where the local invitation mail's link lands: how to accept with the token it carries."""
    token = request.query.get("token", "")
    return 200, {"token": token,
                 "accept": "POST /invitations/accept with {\"token\": ...} and the invitee's bearer token",
                 "decline": "POST /invitations/decline with the same body"}
