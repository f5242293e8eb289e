"""Service principals in the authorizer: client-credentials access tokens of an app's service clients.

Tokens are signed with the test run's RSA keys and verified through a real JWKS fetch (the server
and keys of :mod:`tests.unit.test_authorizer`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import functions.authorizer.app as authorizer_app
from orgplane import clock, config
from orgplane.identity import scopes
from orgplane.identity.apps import RegistryError, load_registry
from orgplane.identity.tokens import TokenRejected, reset_key_cache
from tests.unit.test_authorizer import (  # noqa: F401  (pytest fixtures)
    JwksServer,
    SigningKey,
    _apply,
    allowed,
    keys,
    server,
    sign,
)

DEMO_SERVICE = "demo-backend"
OIDC_SERVICE = "oidc-backend"


@pytest.fixture(autouse=True)
def deployment(server: JwksServer, keys: dict[str, SigningKey], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
               ) -> Iterator[None]:
    server.publish("demo", keys["demo-1"].jwk())
    server.publish("other", keys["other-1"].jwk())
    registry = {
        "demo": {"issuer": server.issuer("demo"), "jwks_url": server.jwks_url("demo"),
                 "client_ids": ["demo-web"], "service_clients": [DEMO_SERVICE]},
        "other": {"issuer": server.issuer("other"), "jwks_url": server.jwks_url("other"),
                  "client_ids": ["other-web"], "service_clients": [OIDC_SERVICE], "profile": "oidc",
                  "scope_claim": "scp"},
    }
    monkeypatch.setenv("APP_REGISTRY", json.dumps(registry))
    config.reset()
    authorizer_app.verifier.cache_clear()
    reset_key_cache()
    clock.reset()
    yield
    reset_key_cache()
    authorizer_app.verifier.cache_clear()
    config.reset()


def service_claims(server: JwksServer, app: str = "demo", client: str = DEMO_SERVICE,  # noqa: F811
                   **changes: Any) -> dict[str, Any]:
    """What Cognito puts in a client-credentials access token: no username, no email, a scope string."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": client, "iss": server.issuer(app), "token_use": "access", "client_id": client,
                              "scope": "orgplane/read orgplane/write", "auth_time": now, "iat": now,
                              "exp": now + 3600, "jti": str(uuid.uuid4()), "version": 2}
    return _apply(claims, changes)


def rejection(token: str) -> str:
    with pytest.raises(TokenRejected) as raised:
        authorizer_app.verifier().verify(token)
    return raised.value.reason


def test_a_client_credentials_token_of_a_service_client_is_a_service_principal(
        server: JwksServer, keys: dict[str, SigningKey]) -> None:  # noqa: F811
    result = allowed(sign(service_claims(server), keys["demo-1"]))
    assert result["principalId"] == f"demo|service|{DEMO_SERVICE}"
    assert result["context"] == {"app_id": "demo", "sub": DEMO_SERVICE, "email": "", "email_verified": "false",
                                 "support": "false", "principal_type": "service", "client_id": DEMO_SERVICE,
                                 "scopes": "orgplane/read orgplane/write"}


@pytest.mark.parametrize(("scope", "passed"), [
    ("orgplane/read", "orgplane/read"),
    ("orgplane/write aws.cognito.signin.user.admin orgplane/admin", "orgplane/write"),
    ("", ""),
    ("other/read", ""),
])
def test_only_the_orgplane_scopes_are_passed_on(server: JwksServer, keys: dict[str, SigningKey],  # noqa: F811
                                                scope: str, passed: str) -> None:
    result = allowed(sign(service_claims(server, scope=scope), keys["demo-1"]))
    assert result["context"]["scopes"] == passed


def test_a_service_token_naming_a_user_is_refused(server: JwksServer, keys: dict[str, SigningKey]) -> None:  # noqa: F811
    assert rejection(sign(service_claims(server, username="alice"), keys["demo-1"])) == \
        "a service token names no user"


def test_a_service_client_id_token_is_refused(server: JwksServer, keys: dict[str, SigningKey]) -> None:  # noqa: F811
    assert rejection(sign(service_claims(server, token_use="id", aud=DEMO_SERVICE), keys["demo-1"])) == \
        "unsupported token_use"


def test_a_service_of_one_app_is_unknown_to_another_apps_issuer(
        server: JwksServer, keys: dict[str, SigningKey]) -> None:  # noqa: F811
    token = sign(service_claims(server, app="other", client=DEMO_SERVICE), keys["other-1"])
    assert rejection(token) == "invalid audience"  # an oidc app: not its service, so judged as a user token


def test_the_oidc_profile_reads_scopes_from_the_configured_claim(
        server: JwksServer, keys: dict[str, SigningKey]) -> None:  # noqa: F811
    claims = service_claims(server, app="other", client=OIDC_SERVICE, client_id=None, token_use=None,
                            azp=OIDC_SERVICE, scope=None, scp=["orgplane/read"], aud="https://api.example")
    result = allowed(sign(claims, keys["other-1"]))
    assert result["context"]["principal_type"] == "service"
    assert result["context"]["client_id"] == OIDC_SERVICE and result["context"]["scopes"] == "orgplane/read"


def test_a_client_cannot_be_both_a_user_client_and_a_service() -> None:
    raw = {"a": {"issuer": "https://i.example", "jwks_url": "https://i.example/jwks", "client_ids": ["x"],
                 "service_clients": ["x"]}}
    with pytest.raises(RegistryError, match="both a user client and a service"):
        load_registry(json.dumps(raw))


def test_service_clients_must_be_strings() -> None:
    raw = {"a": {"issuer": "https://i.example", "jwks_url": "https://i.example/jwks", "client_ids": ["x"],
                 "service_clients": "y"}}
    with pytest.raises(RegistryError, match="service_clients"):
        load_registry(json.dumps(raw))


@pytest.mark.parametrize(("method", "path", "needed"), [
    ("GET", "/orgs/{org_id}", "orgplane/read"),
    ("GET", "/admin/settings", "orgplane/read"),
    ("POST", "/authz/check", "orgplane/read"),
    ("POST", "/orgs", "orgplane/write"),
    ("PATCH", "/admin/settings", "orgplane/write"),
    ("DELETE", "/orgs/{org_id}", "orgplane/write"),
])
def test_scopes_map_onto_routes_by_method_and_route(method: str, path: str, needed: str) -> None:
    assert scopes.required(method, path) == needed
    assert scopes.allows([needed], method, path) and scopes.allows([scopes.WRITE], method, path)
    assert not scopes.allows([], method, path) and not scopes.allows(["other/write"], method, path)
    if needed == scopes.WRITE:
        assert not scopes.allows([scopes.READ], method, path)
