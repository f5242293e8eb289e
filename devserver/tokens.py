"""Cognito-shaped RS256 tokens signed by the local issuers (:mod:`devserver.apps`).

``mint("demo", "alice", email="alice@example.com")`` returns an id token the local server accepts;
``token_use="access"`` gives an access token (``client_id``, ``scope``, ``username``, no email), as
Cognito issues them. A negative ``ttl`` gives a token that expired ``-ttl`` seconds ago (the
authorizer allows 60 seconds of clock skew, so use ``ttl <= -61`` for a token it must refuse).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
import uuid
from collections.abc import Iterable
from typing import Any, Literal

import jwt

from devserver import apps

TokenUse = Literal["id", "access"]

ACCESS_SCOPE = "aws.cognito.signin.user.admin"


def _times(now: float | None, ttl: int) -> tuple[int, int]:
    """(iat, exp); a non-positive ``ttl`` gives a token that expired ``-ttl`` seconds ago, issued an hour
    before it expired."""
    issued = int(time.time() if now is None else now)
    expires = issued + int(ttl)
    return (expires - 3600 if expires <= issued else issued), expires


def _finish(body: dict[str, Any], issued: int, expires: int, extra_claims: dict[str, Any]) -> dict[str, Any]:
    body.update({"auth_time": issued, "iat": issued, "exp": expires, "jti": str(uuid.uuid4())})
    for name, value in extra_claims.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def claims(app: str, sub: str, email: str | None = None, groups: Iterable[str] = (), ttl: int = 3600,
           token_use: TokenUse = "id", *, now: float | None = None, **extra_claims: Any) -> dict[str, Any]:
    """The claims :func:`mint` signs (``extra_claims`` override or add; a value of ``None`` removes)."""
    if token_use not in ("id", "access"):
        raise ValueError("token_use must be 'id' or 'access'")
    group_list = list(groups)
    body: dict[str, Any] = {"sub": sub, "iss": apps.issuer(app), "token_use": token_use}
    if group_list:
        body["cognito:groups"] = group_list
    if token_use == "id":
        body.update({"aud": apps.client_id(app), "cognito:username": sub})
        if email is not None:
            body.update({"email": email, "email_verified": True})
    else:
        body.update({"client_id": apps.client_id(app), "scope": ACCESS_SCOPE, "username": sub})
    return _finish(body, *_times(now, ttl), extra_claims)


def service_claims(app: str, client: str = "backend", scope: str = " ".join(apps.SERVICE_SCOPES),
                   ttl: int = 3600, *, now: float | None = None, **extra_claims: Any) -> dict[str, Any]:
    """A Cognito client-credentials access token's claims: ``client_id`` and ``scope``, no user."""
    client_id = apps.service_client_id(app, client)
    body: dict[str, Any] = {"sub": client_id, "iss": apps.issuer(app), "token_use": "access", "client_id": client_id,
                            "scope": scope, "version": 2}
    return _finish(body, *_times(now, ttl), extra_claims)


def mint_service(app: str, client: str = "backend", scope: str = " ".join(apps.SERVICE_SCOPES), ttl: int = 3600,
                 *, now: float | None = None, **extra_claims: Any) -> str:
    """A signed client-credentials access token of ``app``'s service client ``client``."""
    return sign(app, service_claims(app, client, scope, ttl, now=now, **extra_claims))


def server_clock(base_url: str, timeout: float = 0.5) -> float | None:
    """The local server's clock (``GET /_local/clock``), which ``POST /_local/clock`` moves, so a token
    minted after moving it is valid for the server; ``None`` when no server answers there."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        connection.request("GET", "/_local/clock")
        response = connection.getresponse()
        return float(json.loads(response.read())["timestamp"]) if response.status == 200 else None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    finally:
        connection.close()


def mint(app: str, sub: str, email: str | None = None, groups: Iterable[str] = (), ttl: int = 3600,
         token_use: TokenUse = "id", *, now: float | None = None, **extra_claims: Any) -> str:
    """A signed token of ``app``'s local issuer; keyword claims are added (``None`` drops a claim).

    ``now`` (epoch seconds) replaces the wall clock for ``iat``/``exp``: pass the server's clock
    (``GET /_local/clock``) after ``POST /_local/clock`` has moved it.
    """
    payload = claims(app, sub, email=email, groups=groups, ttl=ttl, token_use=token_use, now=now,
                     **extra_claims)
    return sign(app, payload)


def sign(app: str, payload: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
    """Sign arbitrary claims with ``app``'s key (``kid`` set to its thumbprint unless ``headers`` say)."""
    return jwt.encode(payload, apps.private_key(app), algorithm=apps.ALGORITHM,
                      headers={"kid": apps.kid(app), **(headers or {})})
