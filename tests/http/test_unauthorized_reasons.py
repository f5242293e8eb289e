"""401s say why (RFC 6750): the class of failure in `reason` and `detail`, and a WWW-Authenticate challenge.

The local server renders the template's gateway responses, so these are the deployed API's bodies too;
only `error_description` in the header is local (a gateway response header is static in API Gateway).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devserver import apps, tokens
from orgplane.identity import rejections
from tests.http.client import Client
from tests.http.expect import assert_problem

_ROGUE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _claims(api: Client, **changes: Any) -> dict[str, Any]:
    return tokens.claims("demo", "alice", email="alice@example.com", now=api.now(), **changes)


CASES: dict[str, Callable[[Client], str]] = {
    "expired": lambda api: api.token(ttl=-3600),
    "not_yet_valid": lambda api: api.token(nbf=int(api.now()) + 3600),
    "wrong_audience": lambda api: api.token(aud="someone-else"),
    "untrusted_issuer": lambda api: api.token(iss="https://issuer.local/nobody"),
    "unknown_key": lambda api: jwt.encode(_claims(api), _ROGUE, algorithm="RS256", headers={"kid": "not-served"}),
    "invalid_signature": lambda api: jwt.encode(_claims(api), _ROGUE, algorithm="RS256",
                                                headers={"kid": apps.kid("demo")}),
    "malformed": lambda api: "not-a-jwt",
}


@pytest.mark.parametrize("reason", sorted(CASES))
def test_a_refused_token_is_a_401_naming_the_class_of_failure(api: Client, reason: str) -> None:
    token = CASES[reason](api)
    response = api.get("/me", token=token)
    body = assert_problem(response, 401, "unauthorized")
    expected = next(r for r in rejections.CLASSES if r.reason == reason)
    assert (body["reason"], body["detail"]) == (expected.reason, expected.detail)
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{expected.detail}"')
    assert token not in str(body)


def test_every_class_but_missing_has_a_case_here() -> None:
    assert set(CASES) | {"missing"} == {r.reason for r in rejections.CLASSES}


def test_no_token_is_a_401_with_a_bare_bearer_challenge(api: Client) -> None:
    response = api.get("/orgs")
    body = assert_problem(response, 401, "unauthorized")
    assert (body["reason"], body["detail"]) == (rejections.MISSING.reason, rejections.MISSING.detail)
    assert response.headers["www-authenticate"] == "Bearer"  # RFC 6750 3.1: no error code without credentials


def test_another_scheme_is_a_malformed_bearer_token(api: Client) -> None:
    body = assert_problem(api.get("/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"}), 401, "unauthorized")
    assert body["reason"] == "malformed"
