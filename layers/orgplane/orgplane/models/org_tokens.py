"""Org tokens (token exchange) and the key set that verifies them."""

from __future__ import annotations

from typing import Literal

from orgplane.models.common import Response


class OrgToken(Response):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class Jwk(Response):
    kty: str
    n: str
    e: str
    kid: str
    alg: str
    use: str


class Jwks(Response):
    keys: list[Jwk]
