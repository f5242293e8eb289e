"""Verifying identity-provider JWTs (Cognito id and access tokens) into a :class:`Principal`.

The order of checks matters: the unverified header and claims are read only to find the issuer and
the key id; the issuer must be configured and the header's ``alg`` must be one the issuer's apps pin
*before* any key is fetched or used, so ``none`` and HS* tokens never reach a verification routine.
The signature is then verified with pyjwt (algorithm pinned), and the time claims are checked here
against :func:`orgplane.clock.timestamp` so the local server can move time.

Signing keys come from the issuer's JWKS through one :class:`jwt.PyJWKClient` per JWKS URL, kept at
module level so a warm Lambda container reuses it across invocations. An unknown ``kid`` (key
rotation) refetches the JWKS once, immediately, ignoring PyJWKClient's own refresh cooldown; a kid
still unknown after that refetch is remembered for a few seconds so a client replaying a token with a
bogus kid does not hammer the identity provider, and such refetches happen at most once per
:data:`REFETCH_COOLDOWN_SECONDS` per key set, so neither do tokens each with a new made-up kid.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from orgplane import clock
from orgplane.caller import ME
from orgplane.identity import scopes as service_scopes
from orgplane.identity import subjects
from orgplane.identity.apps import AppConfig, AppRegistry

TokenUse = Literal["id", "access"]
PrincipalType = Literal["user", "service"]

MAX_TOKEN_LENGTH = 16 * 1024
JWKS_CACHE_SECONDS = 300.0
JWKS_TIMEOUT_SECONDS = 3.0  # under the authorizer function's 5 s timeout, so an outage is a 401, not a 500
UNKNOWN_KID_MEMORY_SECONDS = 10.0
REFETCH_COOLDOWN_SECONDS = 5.0
_UNKNOWN_KID_MEMORY_SIZE = 256


@dataclass(frozen=True)
class Principal:
    """Who a verified token says the caller is, in which app."""

    app_id: str
    sub: str
    email: str | None
    email_verified: bool
    support: bool
    token_use: TokenUse
    #: ``service``: an app's own backend (client-credentials token, no user); ``sub`` is then its client id
    type: PrincipalType = "user"
    client_id: str | None = None
    scopes: tuple[str, ...] = ()


class TokenRejected(Exception):
    """The token is not acceptable. ``reason`` is short and safe to log; it never contains the token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class JwksUnavailable(TokenRejected):
    """The issuer's key set could not be fetched: the token is refused, and operators should know."""


class _KeySet:
    """One issuer key set: a cached :class:`jwt.PyJWKClient` plus the one-refetch-on-unknown-kid rule."""

    def __init__(self, jwks_url: str) -> None:
        self.client = jwt.PyJWKClient(
            jwks_url,
            cache_jwk_set=True,
            lifespan=JWKS_CACHE_SECONDS,
            timeout=JWKS_TIMEOUT_SECONDS,
        )
        self._lock = threading.Lock()
        self._unknown: OrderedDict[str, float] = OrderedDict()
        self._refetched_at = float("-inf")

    def signing_key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            key = _match(self._keys(refresh=False), kid)
            if key is not None:
                return key
            # Monotonic, not the product clock: this throttles network calls, it is no token check.
            seen = self._unknown.get(kid)
            if seen is not None and time.monotonic() - seen < UNKNOWN_KID_MEMORY_SECONDS:
                raise TokenRejected("unknown signing key")
            # The kid is read before any signature is checked, so anyone can make them up: one refetch per
            # cooldown for the whole key set, or every made-up kid would cost a request to the issuer.
            if time.monotonic() - self._refetched_at < REFETCH_COOLDOWN_SECONDS:
                raise TokenRejected("unknown signing key")
            self._refetched_at = time.monotonic()
            # Key rotation: refetch once now. ``refresh=True`` bypasses PyJWKClient's cooldown,
            # which would otherwise hide a freshly rotated key for up to 30 seconds.
            key = _match(self._keys(refresh=True), kid)
            if key is not None:
                self._unknown.pop(kid, None)
                return key
            self._unknown[kid] = time.monotonic()
            self._unknown.move_to_end(kid)
            while len(self._unknown) > _UNKNOWN_KID_MEMORY_SIZE:
                self._unknown.popitem(last=False)
            raise TokenRejected("unknown signing key")

    def _keys(self, *, refresh: bool) -> list[jwt.PyJWK]:
        try:
            return self.client.get_signing_keys(refresh=refresh)
        except jwt.PyJWTError as exc:
            raise JwksUnavailable(f"signing keys unavailable ({type(exc).__name__})") from None


def _match(keys: list[jwt.PyJWK], kid: str) -> jwt.PyJWK | None:
    return next((key for key in keys if key.key_id == kid), None)


_KEY_SETS: dict[str, _KeySet] = {}
_KEY_SETS_LOCK = threading.Lock()


def _key_set(jwks_url: str) -> _KeySet:
    with _KEY_SETS_LOCK:
        key_set = _KEY_SETS.get(jwks_url)
        if key_set is None:
            key_set = _KEY_SETS[jwks_url] = _KeySet(jwks_url)
        return key_set


def reset_key_cache() -> None:
    """Forget every cached key set (tests and the local server)."""
    with _KEY_SETS_LOCK:
        _KEY_SETS.clear()


class TokenVerifier:
    """Verifies a bearer JWT against the app registry; :meth:`verify` returns a :class:`Principal`."""

    def __init__(self, registry: AppRegistry | Mapping[str, AppConfig], leeway_seconds: float = 60) -> None:
        self.registry = registry if isinstance(registry, AppRegistry) else AppRegistry(registry)
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        self.leeway_seconds = float(leeway_seconds)

    def verify(self, token: str) -> Principal:
        if not isinstance(token, str) or not token:
            raise TokenRejected("missing token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenRejected("token too large")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise TokenRejected("malformed token") from None

        issuer = unverified.get("iss")
        apps = self.registry.by_issuer(issuer) if isinstance(issuer, str) else []
        if not apps:
            raise TokenRejected("untrusted issuer")
        # Apps sharing an issuer share its jwks_url and algorithms (enforced by the registry).
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in apps[0].algorithms:
            raise TokenRejected("algorithm not allowed")
        if "crit" in header:
            raise TokenRejected("unsupported critical header")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected("missing key id")

        jwk = _key_set(apps[0].jwks_url).signing_key(kid)
        oidc = apps[0].profile == "oidc"  # apps sharing an issuer share its profile (registry rule)
        claims = self._verified_claims(token, jwk, alg, require_token_use=not oidc)
        if claims.get("iss") != issuer:
            raise TokenRejected("untrusted issuer")
        self._check_times(claims)

        service = _service_app(apps, claims, oidc)
        if service is not None:
            return _service_principal(service, claims, oidc)
        token_use = "id" if oidc else claims.get("token_use")
        if token_use == "id":
            app = _app_for_audience(apps, claims.get("aud"))
        elif token_use == "access":
            app = _app_for_client(apps, claims.get("client_id"))
        else:
            raise TokenRejected("unsupported token_use")

        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.strip():
            raise TokenRejected("missing subject")
        _check_subject(sub)
        groups = claims.get(app.groups_claim_name)
        support = isinstance(groups, list) and app.support_group in groups
        email: str | None = None
        email_verified = False
        if token_use == "id":
            raw_email = claims.get("email")
            email = raw_email if isinstance(raw_email, str) and raw_email else None
            email_verified = email is not None and _truthy(claims.get("email_verified"))
        return Principal(
            app_id=app.app_id,
            sub=sub,
            email=email,
            email_verified=email_verified,
            support=support,
            token_use="id" if token_use == "id" else "access",
        )

    @staticmethod
    def _verified_claims(token: str, jwk: jwt.PyJWK, alg: str, *, require_token_use: bool = True) -> dict[str, Any]:
        expected_type = rsa.RSAPublicKey if alg[:2] in ("RS", "PS") else ec.EllipticCurvePublicKey
        if not isinstance(jwk.key, expected_type):
            raise TokenRejected("signing key does not fit algorithm")
        try:
            claims = jwt.decode(
                token,
                key=jwk.key,
                algorithms=[alg],
                options={
                    # Time claims are checked against the product clock below; issuer and audience
                    # by the registry rules. Everything else (signature, claim types) stays on.
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_iss": False,
                    "verify_aud": False,
                    "require": ["exp", "iss", "sub", *(["token_use"] if require_token_use else [])],
                },
            )
        except jwt.InvalidSignatureError:
            raise TokenRejected("invalid signature") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRejected(f"missing claim {exc.claim}") from None
        except (jwt.PyJWTError, TypeError, ValueError):
            raise TokenRejected("invalid token") from None
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = clock.timestamp()
        leeway = self.leeway_seconds
        exp = _numeric(claims, "exp")
        if exp is None:
            raise TokenRejected("missing claim exp")
        if exp <= now - leeway:
            raise TokenRejected("token expired")
        nbf = _numeric(claims, "nbf")
        if nbf is not None and nbf > now + leeway:
            raise TokenRejected("token not yet valid")
        iat = _numeric(claims, "iat")
        if iat is not None and iat > now + leeway:
            raise TokenRejected("token issued in the future")


def _numeric(claims: Mapping[str, Any], name: str) -> float | None:
    if name not in claims:
        return None
    value = claims[name]
    # NaN (which Python's JSON parser reads) compares false with everything: an exp of NaN would never expire
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TokenRejected(f"invalid claim {name}")
    return float(value)


def _service_app(apps: list[AppConfig], claims: Mapping[str, Any], oidc: bool) -> AppConfig | None:
    """The app whose service client the token was issued to (``None``: not a service's token)."""
    client_id = claims.get("client_id")
    if oidc and client_id is None:
        client_id = claims.get("azp")
    if not isinstance(client_id, str):
        return None
    matches = [app for app in apps if client_id in app.service_clients]
    if len(matches) > 1:  # the registry keeps (issuer, client id) unique; never guess
        raise TokenRejected("invalid client_id")
    return matches[0] if matches else None


def _service_principal(app: AppConfig, claims: Mapping[str, Any], oidc: bool) -> Principal:
    """A client-credentials access token: no user, scopes instead of groups."""
    if not oidc and claims.get("token_use") != "access":
        raise TokenRejected("unsupported token_use")
    if "username" in claims or "cognito:username" in claims:
        raise TokenRejected("a service token names no user")
    client_id = str(claims.get("client_id") or claims.get("azp"))
    return Principal(app_id=app.app_id, sub=client_id, email=None, email_verified=False, support=False,
                     token_use="access", type="service", client_id=client_id,
                     scopes=service_scopes.parse(claims.get(app.scope_claim)))


def _app_for_audience(apps: list[AppConfig], aud: Any) -> AppConfig:
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not audiences or not all(isinstance(a, str) for a in audiences):
        raise TokenRejected("invalid audience")
    matches = [app for app in apps if app.client_ids.intersection(audiences)]
    if len(matches) != 1:
        raise TokenRejected("invalid audience")
    return matches[0]


def _app_for_client(apps: list[AppConfig], client_id: Any) -> AppConfig:
    matches = [app for app in apps if isinstance(client_id, str) and client_id in app.client_ids]
    if len(matches) != 1:
        raise TokenRejected("invalid client_id")
    return matches[0]


def _truthy(value: Any) -> bool:
    """Cognito sends ``email_verified`` as a JSON boolean or as the string ``"true"``."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _check_subject(sub: str) -> None:
    """A ``sub`` no user id can be (:mod:`orgplane.identity.subjects`) is refused, and logged by its reason."""
    if sub == ME:
        raise TokenRejected("reserved subject 'me'")
    if not subjects.could_be(sub):
        raise TokenRejected("invalid subject")
