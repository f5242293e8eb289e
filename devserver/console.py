"""The web console (``console/`` of the repository) at ``/console/``, and its local sign-in.

The console is static files: plain ES modules, no build step. The local server serves them from the
same origin as the API, with the strict Content-Security-Policy the deployed site gets from its
CloudFront response-headers policy (template.yaml), so a page that works here works there.

``/console/config.json`` tells the app how to sign in: locally ``{"mode": "local"}``, and the sign-in
page lists :data:`DEMO_USERS`, whose tokens it gets from ``POST /_local/console/token`` (so nobody
copies tokens by hand). Deployed, ``config.json`` is written by ``make console-publish`` with each
app's Cognito managed-login domain and console client id (authorization code + PKCE).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devserver import tokens
from devserver.local_routes import LocalError, LocalRequest, local_route
from devserver.template import ROOT

CONSOLE_DIR = ROOT / "console"
PREFIX = "/console/"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The local policy; the deployed one (template.yaml) adds only the Cognito domain to connect-src."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".html": "text/html; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
          ".png": "image/png"}


@dataclass(frozen=True)
class DemoUser:
    id: str
    app: str
    email: str
    label: str
    support: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("alice", "demo", "alice@example.com", "Alice: owner of the orgs she creates"),
    DemoUser("bob", "demo", "bob@example.com", "Bob: a plain member"),
    DemoUser("carol", "demo", "carol@example.com", "Carol: another user of demo"),
    DemoUser("sam", "demo", "sam@support.example.com", "Sam: support staff of demo", support=True),
    DemoUser("otto", "other", "otto@support.example.com", "Otto: support staff of the app 'other'",
             support=True),
)


def static_file(path: str) -> tuple[int, dict[str, str], bytes]:
    """``(status, headers, body)`` for ``GET path`` under ``/console/``; never a file outside ``console/``."""
    relative = path[len(PREFIX):] or "index.html"
    if relative == "config.json":
        return 200, {**SECURITY_HEADERS, "Content-Type": _TYPES[".json"]}, b'{"mode": "local"}'
    root = CONSOLE_DIR.resolve()
    candidate = (root / relative).resolve()
    if root not in candidate.parents or not candidate.is_file() or any(
            part.startswith(".") for part in candidate.relative_to(root).parts):
        return 404, {**SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8"}, b"Not found\n"
    content_type = _TYPES.get(candidate.suffix) or mimetypes.guess_type(candidate.name)[0] or (
        "application/octet-stream")
    return 200, {**SECURITY_HEADERS, "Content-Type": content_type}, Path(candidate).read_bytes()


def _user(user_id: Any) -> DemoUser:
    for user in DEMO_USERS:
        if user.id == user_id:
            return user
    raise LocalError(404, "not_found", "No such demo user; GET /_local/console/users lists them.")


@local_route("GET", "/_local/console/users")
def list_demo_users(request: LocalRequest) -> tuple[int, Any]:
    return 200, {"data": [{"id": u.id, "app": u.app, "email": u.email, "label": u.label, "support": u.support}
                          for u in DEMO_USERS]}


@local_route("POST", "/_local/console/token")
def demo_user_token(request: LocalRequest) -> tuple[int, Any]:
    """``{"user": "alice"}`` → an hour's id token of that demo user, on the server's clock."""
    from orgplane import clock

    body = request.json
    user = _user(body.get("user") if isinstance(body, dict) else None)
    ttl = 3600
    token = tokens.mint(user.app, user.id, email=user.email, groups=("support",) if user.support else (),
                        ttl=ttl, now=clock.timestamp())
    return 200, {"token": token, "token_type": "Bearer", "expires_in": ttl, "app": user.app,
                 "user_id": user.id}
