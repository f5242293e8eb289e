"""The token authorizer, end to end through a real JWKS endpoint on 127.0.0.1.

Every token here is signed with RSA keys generated for the test run; their public halves are served
as a JWKS by a local HTTP server, so the verifier's real fetch, cache and refetch paths run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

import functions.authorizer.app as authorizer_app
from orgplane import clock, config
from orgplane.identity import rejections, tokens
from orgplane.identity.apps import AppConfig, AppRegistry, RegistryError, load_registry
from orgplane.identity.authorizer import api_wide_resource, bearer_token
from orgplane.identity.tokens import Principal, TokenRejected, TokenVerifier, reset_key_cache

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orgs"
API_WIDE = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*/*"
DEMO_CLIENT = "demo-web"
OTHER_CLIENT = "other-web"
SIBLING_CLIENT = "sibling-web"


# --- a real JWKS endpoint -------------------------------------------------------------------------


@dataclass
class JwksServer:
    base_url: str
    key_sets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, issuer_path: str, *jwks: dict[str, Any]) -> None:
        with self.lock:
            self.key_sets[f"/{issuer_path}/.well-known/jwks.json"] = list(jwks)

    def fetches(self, issuer_path: str) -> int:
        with self.lock:
            return self.hits[f"/{issuer_path}/.well-known/jwks.json"]

    def issuer(self, issuer_path: str) -> str:
        return f"{self.base_url}/{issuer_path}"

    def jwks_url(self, issuer_path: str) -> str:
        return f"{self.base_url}/{issuer_path}/.well-known/jwks.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    def jwk(self, alg: str = "RS256") -> dict[str, Any]:
        data: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**data, "kid": self.kid, "use": "sig", "alg": alg}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def _new_key(kid: str) -> SigningKey:
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {name: _new_key(name) for name in ("demo-1", "demo-2", "other-1", "stray-1")}


@pytest.fixture(scope="module")
def server() -> Iterator[JwksServer]:
    state: dict[str, JwksServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            jwks = state["server"]
            with jwks.lock:
                jwks.hits[self.path] += 1
                keys = jwks.key_sets.get(self.path)
            if keys is None:
                self.send_error(404)
                return
            body = json.dumps({"keys": keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["server"] = JwksServer(base_url=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state["server"]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def deployment(
    server: JwksServer, keys: dict[str, SigningKey], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fresh JWKS contents, counters, key cache, clock and handler verifier for every test."""
    with server.lock:
        server.key_sets.clear()
        server.hits.clear()
    server.publish("demo", keys["demo-1"].jwk())
    server.publish("other", keys["other-1"].jwk())
    registry = {
        "demo": {
            "issuer": server.issuer("demo"),
            "jwks_url": server.jwks_url("demo"),
            "client_ids": [DEMO_CLIENT],
        },
        "sibling": {
            "issuer": server.issuer("demo"),
            "jwks_url": server.jwks_url("demo"),
            "client_ids": [SIBLING_CLIENT],
        },
        "other": {
            "issuer": server.issuer("other"),
            "jwks_url": server.jwks_url("other"),
            "client_ids": [OTHER_CLIENT],
            "support_group": "staff",
            "algorithms": ["RS256"],
        },
    }
    monkeypatch.setenv("APP_REGISTRY", json.dumps(registry))
    config.reset()
    authorizer_app.verifier.cache_clear()
    reset_key_cache()
    clock.reset()
    yield
    clock.reset()
    reset_key_cache()
    authorizer_app.verifier.cache_clear()
    config.reset()


# --- tokens in Cognito's claim formats ------------------------------------------------------------


def id_claims(
    server: JwksServer, app: str = "demo", client: str = DEMO_CLIENT, **changes: Any
) -> dict[str, Any]:
    return _cognito_claims(server, app, "id", changes, aud=client, email="alice@example.com",
                           email_verified=True, username_claim="cognito:username")


def access_claims(
    server: JwksServer, app: str = "demo", client: str = DEMO_CLIENT, **changes: Any
) -> dict[str, Any]:
    return _cognito_claims(server, app, "access", changes, client_id=client, scope="aws.cognito.signin.user.admin",
                           username_claim="username")


def _cognito_claims(server: JwksServer, app: str, token_use: str, changes: dict[str, Any], *,
                    username_claim: str, **specific: Any) -> dict[str, Any]:
    """The claims Cognito puts in an id or access token (``specific`` holds the ones only that kind has)."""
    now = int(clock.timestamp())
    sub = str(uuid.uuid4())
    claims: dict[str, Any] = {
        "sub": sub,
        "iss": server.issuer(app),
        "token_use": token_use,
        **specific,
        "cognito:groups": ["readers"],
        username_claim: sub,
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "origin_jti": str(uuid.uuid4()),
    }
    return _apply(claims, changes)


def _apply(claims: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for name, value in changes.items():
        name = name.replace("__", ":")  # cognito__groups -> cognito:groups
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def sign(claims: dict[str, Any], key: SigningKey, *, kid: str | None = None, alg: str = "RS256") -> str:
    return jwt.encode(claims, key.private, algorithm=alg, headers={"kid": kid or key.kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any], header: dict[str, Any]) -> str:
    """header.payload. — what an attacker sends with alg=none."""
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def hmac_signed(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    signing_input = (
        f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': kid}).encode())}."
        f"{_b64(json.dumps(claims).encode())}"
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def event(token: str | None, *, scheme: str = "Bearer") -> dict[str, Any]:
    body: dict[str, Any] = {"type": "TOKEN", "methodArn": METHOD_ARN}
    if token is not None:
        body["authorizationToken"] = f"{scheme} {token}" if scheme else token
    return body


def allowed(token: str) -> dict[str, Any]:
    result: dict[str, Any] = authorizer_app.lambda_handler(event(token), None)
    return result


def refused(evt: dict[str, Any]) -> str | None:
    """The class of failure the authorizer refuses ``evt`` with: an explicit Deny of the whole API whose
    context names it (the ACCESS_DENIED gateway response makes it a 401), or ``None`` for API Gateway's
    plain ``Unauthorized`` (what is not the token's fault)."""
    try:
        result = authorizer_app.lambda_handler(evt, None)
    except Exception as raised:
        assert type(raised) is Exception and str(raised) == "Unauthorized"  # exactly what API Gateway maps to 401
        return None
    assert result["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": API_WIDE}]
    assert set(result["context"]) == {"reason", "detail"}  # no identity, nothing of the configuration
    reason: str = result["context"]["reason"]
    assert reason in {r.reason for r in rejections.CLASSES}
    return reason


def assert_unauthorized(evt: dict[str, Any]) -> None:
    refused(evt)


def rejection(token: str) -> str:
    """The reason the deployed verifier gives for refusing ``token`` (fails if it is accepted)."""
    with pytest.raises(TokenRejected) as raised:
        authorizer_app.verifier().verify(token)
    assert token not in raised.value.reason
    return raised.value.reason


# --- accepted tokens ------------------------------------------------------------------------------


def test_valid_id_token_is_allowed_on_every_route_with_string_context(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    claims = id_claims(server)
    result = allowed(sign(claims, keys["demo-1"]))
    assert result["principalId"] == f"demo|{claims['sub']}"
    assert result["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": API_WIDE}],
    }
    assert result["context"] == {
        "app_id": "demo",
        "sub": claims["sub"],
        "email": "alice@example.com",
        "email_verified": "true",
        "support": "false",
        "principal_type": "user",
        "client_id": "",
        "scopes": "",
    }
    assert all(isinstance(value, str) for value in result["context"].values())


def test_valid_access_token_is_allowed_without_email(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    claims = access_claims(server)
    result = allowed(sign(claims, keys["demo-1"]))
    assert result["principalId"] == f"demo|{claims['sub']}"
    assert result["context"] == {
        "app_id": "demo",
        "sub": claims["sub"],
        "email": "",
        "email_verified": "false",
        "support": "false",
        "principal_type": "user",
        "client_id": "",
        "scopes": "",
    }


def test_verifier_returns_principal_with_token_use(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    claims = access_claims(server, cognito__groups=["support"])
    principal = authorizer_app.verifier().verify(sign(claims, keys["demo-1"]))
    assert principal == Principal(
        app_id="demo", sub=claims["sub"], email=None, email_verified=False, support=True, token_use="access"
    )


def test_support_group_member_is_marked_support(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    id_token = sign(id_claims(server, cognito__groups=["readers", "support"]), keys["demo-1"])
    access_token = sign(access_claims(server, cognito__groups=["support"]), keys["demo-1"])
    assert allowed(id_token)["context"]["support"] == "true"
    assert allowed(access_token)["context"]["support"] == "true"


def test_support_group_name_is_configured_per_app(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    # app "other" names its support group "staff": membership of "support" means nothing there
    not_staff = sign(id_claims(server, "other", OTHER_CLIENT, cognito__groups=["support"]), keys["other-1"])
    staff = sign(id_claims(server, "other", OTHER_CLIENT, cognito__groups=["staff"]), keys["other-1"])
    assert allowed(not_staff)["context"]["support"] == "false"
    assert allowed(staff)["context"]["support"] == "true"


def test_groups_claim_that_is_not_a_list_grants_no_support(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = sign(id_claims(server, cognito__groups="support"), keys["demo-1"])
    assert allowed(token)["context"]["support"] == "false"


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (True, "true"),
        ("true", "true"),
        ("TRUE", "true"),
        (False, "false"),
        ("false", "false"),
        (None, "false"),
    ],
)
def test_email_verified_accepts_cognito_bool_or_string(
    server: JwksServer, keys: dict[str, SigningKey], claim: bool | str | None, expected: str
) -> None:
    token = sign(id_claims(server, email_verified=claim), keys["demo-1"])
    assert allowed(token)["context"]["email_verified"] == expected


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer"])
def test_bearer_scheme_is_case_insensitive(
    server: JwksServer, keys: dict[str, SigningKey], scheme: str
) -> None:
    result = authorizer_app.lambda_handler(
        event(sign(id_claims(server), keys["demo-1"]), scheme=scheme), None
    )
    assert result["context"]["app_id"] == "demo"


def test_jwks_is_fetched_once_and_reused_across_invocations(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    for _ in range(3):
        allowed(sign(id_claims(server), keys["demo-1"]))
    assert server.fetches("demo") == 1


def test_expiry_tolerates_small_clock_skew(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    now = int(clock.timestamp())
    token = sign(id_claims(server, exp=now - 30, iat=now - 3630, nbf=now + 30), keys["demo-1"])
    assert allowed(token)["context"]["app_id"] == "demo"


# --- malformed requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "evt",
    [
        pytest.param({"type": "TOKEN", "methodArn": METHOD_ARN}, id="no-header"),
        pytest.param(event("", scheme=""), id="empty"),
        pytest.param(event("Bearer", scheme=""), id="bearer-without-token"),
        pytest.param(event("Bearer   ", scheme=""), id="bearer-blank"),
        pytest.param(event("dXNlcjpwYXNz", scheme="Basic"), id="basic-scheme"),
        pytest.param(event("garbage"), id="garbage"),
        pytest.param(event("a.b.c"), id="three-garbage-segments"),
        pytest.param(event("Bearer a b", scheme=""), id="two-tokens"),
    ],
)
def test_missing_or_malformed_token_is_unauthorized(server: JwksServer, evt: dict[str, Any]) -> None:
    assert_unauthorized(evt)
    assert server.fetches("demo") == 0


def test_token_without_bearer_scheme_is_unauthorized(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server), keys["demo-1"])
    assert refused(event(token, scheme="")) == "malformed"
    assert allowed(token)["context"]["app_id"] == "demo"  # the same token with the scheme is fine


def test_bearer_token_extracts_the_jwt_and_rejects_other_schemes() -> None:
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("  bearer   abc.def.ghi ") == "abc.def.ghi"
    for value in (None, "", "abc.def.ghi", "Token abc", "Bearer"):
        with pytest.raises(TokenRejected):
            bearer_token(value)


def test_policy_resource_covers_every_route_of_the_stage() -> None:
    assert api_wide_resource(METHOD_ARN) == API_WIDE
    assert (
        api_wide_resource("arn:aws-cn:execute-api:cn-north-1:123456789012:xyz/v1/POST/orgs/o1/members")
        == "arn:aws-cn:execute-api:cn-north-1:123456789012:xyz/v1/*/*"
    )
    for bad in ("", "arn:aws:lambda:us-east-1:1:function:f", "arn:aws:execute-api:us-east-1:1:abc"):
        with pytest.raises(TokenRejected):
            api_wide_resource(bad)


def test_rejection_is_logged_with_reason_and_never_the_token(
    server: JwksServer, keys: dict[str, SigningKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    handler = authorizer_app.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    monkeypatch.setattr(handler, "stream", stream)
    now = int(clock.timestamp())
    token = sign(id_claims(server, exp=now - 3600), keys["demo-1"])
    assert_unauthorized(event(token))
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [record["reason"] for record in records] == ["token expired"]
    assert token not in stream.getvalue()
    assert token.split(".")[2] not in stream.getvalue()


# --- algorithm attacks ----------------------------------------------------------------------------


def test_alg_none_is_rejected(server: JwksServer) -> None:
    token = unsigned(id_claims(server), {"alg": "none", "typ": "JWT", "kid": "demo-1"})
    assert refused(event(token)) == "invalid_signature"
    assert rejection(token) == "algorithm not allowed"
    assert server.fetches("demo") == 0  # refused before any key was fetched


def test_hs256_signed_with_the_public_key_pem_is_rejected(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = hmac_signed(id_claims(server), keys["demo-1"].public_pem(), kid="demo-1")
    assert_unauthorized(event(token))
    assert rejection(token) == "algorithm not allowed"
    assert server.fetches("demo") == 0


def test_asymmetric_algorithm_the_app_does_not_pin_is_rejected(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = sign(id_claims(server), keys["demo-1"], alg="RS512")
    assert_unauthorized(event(token))
    assert rejection(token) == "algorithm not allowed"


def test_pinned_ps256_is_accepted_and_rs256_then_refused(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    server.publish("pss", keys["demo-1"].jwk(alg="PS256"))
    app = AppConfig(
        app_id="pss",
        issuer=server.issuer("pss"),
        jwks_url=server.jwks_url("pss"),
        client_ids=frozenset({"pss-web"}),
        algorithms=("PS256",),
    )
    verifier = TokenVerifier(AppRegistry([app]))
    claims = id_claims(server, "pss", "pss-web")
    assert verifier.verify(sign(claims, keys["demo-1"], alg="PS256")).app_id == "pss"
    with pytest.raises(TokenRejected, match="algorithm not allowed"):
        verifier.verify(sign(claims, keys["demo-1"], alg="RS256"))


# --- keys -----------------------------------------------------------------------------------------


def test_key_not_in_the_jwks_is_rejected_after_exactly_one_refetch(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = sign(id_claims(server), keys["stray-1"])
    assert refused(event(token)) == "unknown_key"
    assert server.fetches("demo") == 2  # the first fetch, then one refetch for the unknown kid
    assert rejection(token) == "unknown signing key"
    assert server.fetches("demo") == 2  # a kid just found missing is not refetched again at once


def test_made_up_key_ids_cost_one_refetch_per_cooldown_not_one_each(
    server: JwksServer, keys: dict[str, SigningKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kid is read before any signature is checked: anyone can send a new one with every request."""
    for n in range(20):
        assert rejection(sign(id_claims(server), keys["stray-1"], kid=f"made-up-{n}")) == "unknown signing key"
    assert server.fetches("demo") == 2  # the first fetch, then one refetch for the whole burst
    server.publish("demo", keys["demo-1"].jwk(), keys["demo-2"].jwk())
    monkeypatch.setattr(tokens, "REFETCH_COOLDOWN_SECONDS", 0.0)  # the cooldown has passed
    assert allowed(sign(id_claims(server), keys["demo-2"]))["context"]["app_id"] == "demo"  # a real rotation
    assert server.fetches("demo") == 3


def test_known_kid_with_a_signature_from_another_key_is_rejected(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = sign(id_claims(server), keys["stray-1"], kid="demo-1")
    assert refused(event(token)) == "invalid_signature"
    assert rejection(token) == "invalid signature"


def test_rotated_key_is_accepted_after_one_refetch(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    assert allowed(sign(id_claims(server), keys["demo-1"]))["context"]["app_id"] == "demo"
    assert server.fetches("demo") == 1
    server.publish("demo", keys["demo-1"].jwk(), keys["demo-2"].jwk())
    assert allowed(sign(id_claims(server), keys["demo-2"]))["context"]["app_id"] == "demo"
    assert server.fetches("demo") == 2
    allowed(sign(id_claims(server), keys["demo-2"]))
    allowed(sign(id_claims(server), keys["demo-1"]))
    assert server.fetches("demo") == 2  # both keys now come from the cache


def test_unreachable_jwks_fails_the_authorizer_instead_of_refusing_the_token(
        server: JwksServer, keys: dict[str, SigningKey]) -> None:
    with server.lock:
        server.key_sets.clear()  # the JWKS endpoint now answers 404
    token = sign(id_claims(server), keys["demo-1"])
    with pytest.raises(authorizer_app.SigningKeysUnavailable) as raised:  # API Gateway's AUTHORIZER_FAILURE:
        authorizer_app.lambda_handler(event(token), None)  # the template's 503, no Deny to cache, no 401
    assert str(raised.value) != "Unauthorized" and token not in str(raised.value)
    assert rejection(token).startswith("signing keys unavailable")


# --- time -----------------------------------------------------------------------------------------


def test_expired_token_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    now = int(clock.timestamp())
    token = sign(id_claims(server, iat=now - 7200, exp=now - 3600), keys["demo-1"])
    assert refused(event(token)) == "expired"
    assert rejection(token) == "token expired"


def test_token_not_yet_valid_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, nbf=int(clock.timestamp()) + 600), keys["demo-1"])
    assert refused(event(token)) == "not_yet_valid"
    assert rejection(token) == "token not yet valid"


def test_token_issued_in_the_future_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, iat=int(clock.timestamp()) + 600), keys["demo-1"])
    assert rejection(token) == "token issued in the future"


def test_token_without_exp_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, exp=None), keys["demo-1"])
    assert refused(event(token)) == "malformed"
    assert rejection(token) == "missing claim exp"


def test_non_numeric_exp_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, exp="9999999999"), keys["demo-1"])
    assert_unauthorized(event(token))


@pytest.mark.parametrize(("claim", "value"), [("exp", float("nan")), ("exp", float("inf")), ("nbf", float("nan")),
                                            ("iat", float("nan"))])
def test_a_time_claim_that_is_not_a_finite_number_is_rejected(
        server: JwksServer, keys: dict[str, SigningKey], claim: str, value: float) -> None:
    """JSON parsers read ``NaN``, and NaN compares false with everything: an exp of NaN would never expire."""
    token = sign({**id_claims(server), claim: value}, keys["demo-1"])
    assert rejection(token) == f"invalid claim {claim}"


def test_clock_advance_makes_a_token_expire(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    now = int(clock.timestamp())
    token = sign(id_claims(server, exp=now + 300), keys["demo-1"])
    assert allowed(token)["context"]["app_id"] == "demo"
    clock.advance(300 + 60 + 1)  # past exp and the 60 s leeway
    assert_unauthorized(event(token))
    assert rejection(token) == "token expired"


# --- issuer, audience, client and token use -------------------------------------------------------


def test_wrong_issuer_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, iss=server.issuer("demo") + "/"), keys["demo-1"])
    assert refused(event(token)) == "untrusted_issuer"
    assert rejection(token) == "untrusted issuer"
    assert server.fetches("demo") == 0


def test_token_without_issuer_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    assert rejection(sign(id_claims(server, iss=None), keys["demo-1"])) == "untrusted issuer"


def test_id_token_with_wrong_audience_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, client="someone-elses-client"), keys["demo-1"])
    assert refused(event(token)) == "wrong_audience"
    assert rejection(token) == "invalid audience"


def test_id_token_without_audience_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    assert rejection(sign(id_claims(server, aud=None), keys["demo-1"])) == "invalid audience"


def test_access_token_with_wrong_client_id_is_rejected(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = sign(access_claims(server, client="someone-elses-client"), keys["demo-1"])
    assert refused(event(token)) == "wrong_audience"
    assert rejection(token) == "invalid client_id"


def test_access_token_is_not_accepted_on_its_aud_alone(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = sign(access_claims(server, client_id=None, aud=DEMO_CLIENT), keys["demo-1"])
    assert rejection(token) == "invalid client_id"


@pytest.mark.parametrize("token_use", ["refresh", "ID", "", None])
def test_wrong_token_use_is_rejected(
    server: JwksServer, keys: dict[str, SigningKey], token_use: str | None
) -> None:
    token = sign(id_claims(server, token_use=token_use), keys["demo-1"])
    assert_unauthorized(event(token))
    assert rejection(token) in {"unsupported token_use", "missing claim token_use"}


@pytest.mark.parametrize("sub", [None, "", "  "])
def test_token_without_subject_is_rejected(
    server: JwksServer, keys: dict[str, SigningKey], sub: str | None
) -> None:
    token = sign(id_claims(server, sub=sub), keys["demo-1"])
    assert_unauthorized(event(token))


def test_tampered_payload_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    genuine = sign(id_claims(server), keys["demo-1"])
    forged_claims = sign(id_claims(server, sub="victim", cognito__groups=["support"]), keys["demo-1"])
    header, _, signature = genuine.split(".")
    tampered = f"{header}.{forged_claims.split('.')[1]}.{signature}"
    assert_unauthorized(event(tampered))
    assert rejection(tampered) == "invalid signature"


# --- apps stay apart ------------------------------------------------------------------------------


def test_other_issuer_with_a_demo_client_id_is_rejected(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    id_token = sign(id_claims(server, "other", DEMO_CLIENT), keys["other-1"])
    access_token = sign(access_claims(server, "other", DEMO_CLIENT), keys["other-1"])
    assert_unauthorized(event(id_token))
    assert_unauthorized(event(access_token))
    assert rejection(id_token) == "invalid audience"
    assert rejection(access_token) == "invalid client_id"


def test_token_of_app_other_resolves_to_other_never_demo(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    claims = id_claims(server, "other", OTHER_CLIENT)
    result = allowed(sign(claims, keys["other-1"]))
    assert result["principalId"] == f"other|{claims['sub']}"
    assert result["context"]["app_id"] == "other"
    access = access_claims(server, "other", OTHER_CLIENT)
    assert allowed(sign(access, keys["other-1"]))["context"]["app_id"] == "other"


def test_demo_key_cannot_sign_for_the_other_issuer(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, "other", OTHER_CLIENT), keys["demo-1"])
    assert_unauthorized(event(token))
    assert rejection(token) == "unknown signing key"
    assert server.fetches("demo") == 0


def test_apps_sharing_an_issuer_are_told_apart_by_client_id(
    server: JwksServer, keys: dict[str, SigningKey]
) -> None:
    sibling = allowed(sign(id_claims(server, client=SIBLING_CLIENT), keys["demo-1"]))
    demo = allowed(sign(access_claims(server, client=DEMO_CLIENT), keys["demo-1"]))
    assert sibling["context"]["app_id"] == "sibling"
    assert demo["context"]["app_id"] == "demo"
    assert [app.app_id for app in authorizer_app.verifier().registry.by_issuer(server.issuer("demo"))] == [
        "demo",
        "sibling",
    ]


# --- the registry ---------------------------------------------------------------------------------

_ISSUER = "https://idp.example.com/pool"
_APP: dict[str, Any] = {"issuer": _ISSUER, "jwks_url": f"{_ISSUER}/jwks", "client_ids": ["c1"]}


def test_registry_defaults_to_rs256_and_the_support_group() -> None:
    apps = load_registry(json.dumps({"demo": _APP}))
    assert apps == {
        "demo": AppConfig(
            app_id="demo",
            issuer=_ISSUER,
            jwks_url=f"{_ISSUER}/jwks",
            client_ids=frozenset({"c1"}),
            support_group="support",
            algorithms=("RS256",),
        )
    }


@pytest.mark.parametrize("alg", ["HS256", "HS512", "none", "None", "EdDSA", ""])
def test_registry_refuses_symmetric_none_and_unknown_algorithms(alg: str) -> None:
    with pytest.raises(RegistryError, match="not allowed"):
        load_registry(json.dumps({"demo": {**_APP, "algorithms": ["RS256", alg]}}))


def test_app_config_refuses_hs256_when_built_directly() -> None:
    with pytest.raises(RegistryError, match="HS256"):
        AppConfig("demo", _ISSUER, f"{_ISSUER}/jwks", frozenset({"c1"}), algorithms=("HS256",))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "not valid JSON"),
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        (json.dumps({"demo": []}), "JSON object"),
        (json.dumps({"demo": {**_APP, "issuer": None}}), "issuer"),
        (json.dumps({"demo": {k: v for k, v in _APP.items() if k != "jwks_url"}}), "jwks_url is required"),
        (json.dumps({"demo": {**_APP, "client_ids": []}}), "client_ids"),
        (json.dumps({"demo": {**_APP, "client_ids": "c1"}}), "client_ids"),
        (json.dumps({"demo": {**_APP, "client_id": ["c1"]}}), "unknown field"),
        (json.dumps({"demo": {**_APP, "algorithms": []}}), "algorithms"),
        (json.dumps({"demo": {**_APP, "issuer": "idp.example.com"}}), "issuer must be an http"),
        (json.dumps({"demo|x": _APP}), "app id"),
        (json.dumps({"demo": {**_APP, "support_group": ""}}), "support_group"),
    ],
)
def test_registry_refuses_malformed_configuration(raw: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        load_registry(raw)


def test_registry_refuses_apps_on_one_issuer_that_share_a_client_id() -> None:
    with pytest.raises(RegistryError, match="could not tell them apart"):
        load_registry(json.dumps({"a": _APP, "b": _APP}))


def test_registry_refuses_apps_on_one_issuer_with_different_jwks() -> None:
    with pytest.raises(RegistryError, match="jwks_url"):
        load_registry(
            json.dumps({"a": _APP, "b": {**_APP, "client_ids": ["c2"], "jwks_url": "https://x.example/j"}})
        )


def test_registry_lists_every_app_of_an_issuer_and_nothing_for_unknown_ones() -> None:
    registry = AppRegistry.from_json(json.dumps({"a": _APP, "b": {**_APP, "client_ids": ["c2"]}}))
    assert sorted(app.app_id for app in registry.by_issuer(_ISSUER)) == ["a", "b"]
    assert registry.by_issuer("https://idp.example.com/other") == []


def test_handler_fails_loudly_not_with_401_on_a_bad_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_REGISTRY", json.dumps({"demo": {**_APP, "algorithms": ["HS256"]}}))
    config.reset()
    authorizer_app.verifier.cache_clear()
    with pytest.raises(RegistryError):
        authorizer_app.lambda_handler(event("x.y.z"), None)


# --- any OpenID Connect issuer (profile "oidc") ------------------------------------------------------


def oidc_verifier(server: JwksServer, **extra: Any) -> TokenVerifier:
    return TokenVerifier(load_registry(json.dumps({"acme": {
        "issuer": server.issuer("other"), "jwks_url": server.jwks_url("other"), "client_ids": ["acme-web"],
        "profile": "oidc", **extra}})))


def oidc_claims(server: JwksServer, **changes: Any) -> dict[str, Any]:
    claims = id_claims(server, "other", "acme-web", **changes)
    for cognito_only in ("token_use", "cognito:groups", "cognito:username", "origin_jti"):
        claims.pop(cognito_only, None)
    return claims


def test_an_oidc_issuers_token_without_token_use_is_verified_on_its_audience(
        server: JwksServer, keys: dict[str, SigningKey]) -> None:
    claims = oidc_claims(server, groups=["support"])
    principal = oidc_verifier(server).verify(sign(claims, keys["other-1"]))
    assert principal == Principal(app_id="acme", sub=claims["sub"], email="alice@example.com", email_verified=True,
                                  support=True, token_use="id")


def test_an_oidc_token_for_another_audience_is_rejected(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    with pytest.raises(TokenRejected):
        oidc_verifier(server).verify(sign(oidc_claims(server, aud="someone-else"), keys["other-1"]))


def test_the_groups_claim_is_configurable(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(oidc_claims(server, roles=["support"]), keys["other-1"])
    assert oidc_verifier(server, groups_claim="roles").verify(token).support
    assert not oidc_verifier(server).verify(token).support


def test_a_cognito_app_still_requires_token_use(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    claims = id_claims(server)
    del claims["token_use"]
    with pytest.raises(TokenRejected):
        authorizer_app.verifier().verify(sign(claims, keys["demo-1"]))


def test_an_unknown_profile_is_a_registry_error(server: JwksServer) -> None:
    with pytest.raises(RegistryError):
        oidc_verifier(server, profile="saml")


# --- subjects that could never be named -----------------------------------------------------------


def test_a_token_whose_sub_is_me_is_refused_because_me_names_the_caller(
        server: JwksServer, keys: dict[str, SigningKey]) -> None:
    token = sign(id_claims(server, sub="me"), keys["demo-1"])
    assert rejection(token) == "reserved subject 'me'"
    assert_unauthorized(event(token))


@pytest.mark.parametrize("sub", ["u" * 256, "é" * 128, "alice\nadmin", "alice\x00"])
def test_a_sub_too_long_for_a_key_or_holding_control_characters_is_refused(
        server: JwksServer, keys: dict[str, SigningKey], sub: str) -> None:
    assert rejection(sign(id_claims(server, sub=sub), keys["demo-1"])) == "invalid subject"


@pytest.mark.parametrize("sub", ["service:backend", "alice\ud800"])
def test_a_sub_that_would_pass_for_a_service_or_is_no_text_is_refused(
        server: JwksServer, keys: dict[str, SigningKey], sub: str) -> None:
    """``service:<client_id>`` is a service's principal id (its audit actor index and idempotency records):
    a user called that would read as, and replay the answers of, the service; a lone surrogate is no text."""
    assert rejection(sign(id_claims(server, sub=sub), keys["demo-1"])) == "invalid subject"


def test_a_sub_of_255_bytes_is_accepted(server: JwksServer, keys: dict[str, SigningKey]) -> None:
    assert allowed(sign(id_claims(server, sub="u" * 255), keys["demo-1"]))["context"]["sub"] == "u" * 255
