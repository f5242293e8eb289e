"""A small HTTP client for black-box tests against the local server (standard library only)."""

from __future__ import annotations

import http.client
import json as jsonlib
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from devserver import tokens


class Response(NamedTuple):
    status: int
    headers: dict[str, str]  # names lower-cased
    json: Any  # the parsed body, or None when it is empty or not JSON

    @property
    def code(self) -> str | None:
        """The problem+json ``code``, if the body is a problem."""
        return self.json.get("code") if isinstance(self.json, dict) else None


class Client:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        # called with (method, path, response) after every request (tests/http/documented_codes.py)
        self.observers: list[Callable[[str, str, Response], None]] = []

    def request(self, method: str, path: str, *, token: str | None = None, json: Any = None,
                headers: dict[str, str] | None = None, body: bytes | None = None) -> Response:
        sent = dict(headers or {})
        if token is not None:
            sent.setdefault("Authorization", f"Bearer {token}")
        data = body
        if json is not None and body is None:
            data = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method.upper(), path, body=data, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            received = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        parsed: Any = None
        if raw and "json" in received.get("content-type", ""):
            try:
                parsed = jsonlib.loads(raw)
            except ValueError:
                parsed = None
        answer = Response(response.status, received, parsed)
        for observer in self.observers:
            observer(method, path, answer)
        return answer

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)

    # -------------------------------------------------------------- local contract helpers

    def now(self) -> float:
        """The server's product clock (it moves with ``POST /_local/clock``)."""
        return float(self.get("/_local/clock").json["timestamp"])

    def token(self, app: str = "demo", sub: str = "alice", email: str | None = None,
              groups: Iterable[str] = (), ttl: int = 3600, token_use: tokens.TokenUse = "id",
              **claims: Any) -> str:
        """A token of a local issuer, valid on the server's clock (email defaults to <sub>@example.com)."""
        if email is None and token_use == "id":
            email = f"{sub}@example.com"
        return tokens.mint(app, sub, email=email, groups=groups, ttl=ttl, token_use=token_use, now=self.now(),
                           **claims)

    def service_token(self, app: str = "demo", scope: str = "orgplane/read orgplane/write", ttl: int = 3600,
                      **claims: Any) -> str:
        """A client-credentials access token of ``app``'s service client ``backend``, on the server's clock."""
        return tokens.mint_service(app, "backend", scope, ttl=ttl, now=self.now(), **claims)

    def drain(self) -> int:
        """Wait until the stream consumers have processed every record written so far."""
        response = self.post("/_local/streams/drain")
        assert response.status == 200, response
        return int(response.json["processed"])

    def advance_clock(self, seconds: float) -> None:
        response = self.post("/_local/clock", json={"advance_seconds": seconds})
        assert response.status == 200, response
