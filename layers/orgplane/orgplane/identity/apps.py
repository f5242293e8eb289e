"""The app registry: which issuers (and client ids) this deployment trusts, and as which app.

An *app* is one identity space: one issuer (typically one Cognito user pool). Several apps may share
an issuer when they are told apart by client id. The registry is deploy-time configuration (the
``APP_REGISTRY`` parameter, JSON), never an API call::

    {"demo": {"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC",
              "jwks_url": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC/.well-known/jwks.json",
              "client_ids": ["3n4b5urk1ft4fl3mg5e62d9ado"],
              "support_group": "support",
              "algorithms": ["RS256"]}}

``profile`` says how tokens carry identity: ``"cognito"`` (the default: ``token_use`` ``id`` tokens
checked on ``aud``, ``access`` tokens on ``client_id``, groups in ``cognito:groups``) or ``"oidc"`` (any
other OpenID Connect issuer: ``aud`` must name a client id, no ``token_use``, groups in ``groups``).
``groups_claim`` overrides the claim that holds the caller's groups.
``console`` (optional) is the app's web-console client: ``{"client_id": ..., "domain":
"https://<prefix>.auth.<region>.amazoncognito.com"}``, a public app client (no secret) with the
authorization code grant and PKCE whose id tokens the authorizer accepts (so ``client_id`` is one of
``client_ids``); ``make console-publish`` writes it into the console's ``config.json``.

``service_clients`` (optional) are the client ids of the app's own backends: OAuth2 client-credentials
access tokens (no user) issued to them are accepted as *service* principals, with the scopes of the
token's ``scope`` claim (``scope_claim`` overrides it; a space-separated string or a list). They are
disjoint from ``client_ids``: a client is either a sign-in client of users or a service. With the
``oidc`` profile a token is a service's when its ``client_id`` (else ``azp``) claim names one.

Everything is validated when it is loaded, so a bad configuration fails the deployment's first cold
start loudly instead of accepting or refusing tokens in surprising ways later.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

#: Asymmetric JWS algorithms an app may pin. ``none`` and every HS* (shared-secret) algorithm are absent
#: on purpose: a verifier that accepts them can be fooled with the public key as the HMAC secret.
ALLOWED_ALGORITHMS: frozenset[str] = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
DEFAULT_ALGORITHMS: tuple[str, ...] = ("RS256",)
DEFAULT_SUPPORT_GROUP = "support"
PROFILES = ("cognito", "oidc")
DEFAULT_GROUPS_CLAIM = {"cognito": "cognito:groups", "oidc": "groups"}

# App ids end up inside table keys (``APP#<id>#...``) and principal ids (``<id>|<sub>``).
_APP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_KNOWN_FIELDS = frozenset({"issuer", "jwks_url", "client_ids", "support_group", "algorithms", "profile",
                           "groups_claim", "service_clients", "scope_claim", "console"})
DEFAULT_SCOPE_CLAIM = "scope"


class RegistryError(ValueError):
    """The app registry configuration is invalid; the message says where and why."""


@dataclass(frozen=True)
class ConsoleClient:
    """The app's web-console sign-in: a Cognito managed-login domain and its public client id."""

    client_id: str
    domain: str


@dataclass(frozen=True)
class AppConfig:
    app_id: str
    issuer: str
    jwks_url: str
    client_ids: frozenset[str]
    support_group: str = DEFAULT_SUPPORT_GROUP
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    profile: str = "cognito"
    groups_claim: str = ""
    service_clients: frozenset[str] = frozenset()
    scope_claim: str = DEFAULT_SCOPE_CLAIM
    console: ConsoleClient | None = None

    @property
    def groups_claim_name(self) -> str:
        return self.groups_claim or DEFAULT_GROUPS_CLAIM.get(self.profile, "groups")

    def __post_init__(self) -> None:
        _check_app(self)


class AppRegistry:
    """The loaded registry, looked up by issuer (the only claim available before verification)."""

    def __init__(self, apps: Mapping[str, AppConfig] | Iterable[AppConfig]) -> None:
        values = list(apps.values()) if isinstance(apps, Mapping) else list(apps)
        by_id: dict[str, AppConfig] = {}
        for app in values:
            if app.app_id in by_id:
                raise RegistryError(f"app {app.app_id!r} is configured twice")
            by_id[app.app_id] = app
        if isinstance(apps, Mapping):
            for key, app in apps.items():
                if key != app.app_id:
                    raise RegistryError(f"registry key {key!r} does not match app_id {app.app_id!r}")
        _check_shared_issuers(by_id.values())
        self._apps = by_id
        self._by_issuer: dict[str, list[AppConfig]] = {}
        for app in by_id.values():
            self._by_issuer.setdefault(app.issuer, []).append(app)

    @classmethod
    def from_json(cls, raw: str) -> AppRegistry:
        return cls(load_registry(raw))

    def by_issuer(self, issuer: str) -> list[AppConfig]:
        """Every app whose tokens this issuer signs (empty when the issuer is not trusted)."""
        return list(self._by_issuer.get(issuer, ()))

    def get(self, app_id: str) -> AppConfig | None:
        return self._apps.get(app_id)

    @property
    def apps(self) -> dict[str, AppConfig]:
        return dict(self._apps)

    def __len__(self) -> int:
        return len(self._apps)


def load_registry(raw: str) -> dict[str, AppConfig]:
    """Parse and validate the ``APP_REGISTRY`` JSON; raise :class:`RegistryError` on any problem."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, TypeError) as exc:
        raise RegistryError(f"app registry is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RegistryError("app registry must be a JSON object mapping app id to app settings")
    apps: dict[str, AppConfig] = {}
    for app_id, spec in data.items():
        apps[app_id] = _parse_app(app_id, spec)
    _check_shared_issuers(apps.values())
    return apps


def _parse_app(app_id: str, spec: Any) -> AppConfig:
    where = f"app {app_id!r}"
    if not isinstance(spec, dict):
        raise RegistryError(f"{where}: settings must be a JSON object")
    unknown = sorted(set(spec) - _KNOWN_FIELDS)
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for required in ("issuer", "jwks_url", "client_ids"):
        if required not in spec:
            raise RegistryError(f"{where}: {required} is required")
    client_ids = spec["client_ids"]
    if not isinstance(client_ids, list) or not all(isinstance(c, str) for c in client_ids):
        raise RegistryError(f"{where}: client_ids must be a list of strings")
    algorithms = spec.get("algorithms", list(DEFAULT_ALGORITHMS))
    if not isinstance(algorithms, list) or not all(isinstance(a, str) for a in algorithms):
        raise RegistryError(f"{where}: algorithms must be a list of strings")
    support_group = spec.get("support_group", DEFAULT_SUPPORT_GROUP)
    for name in ("issuer", "jwks_url"):
        if not isinstance(spec[name], str):
            raise RegistryError(f"{where}: {name} must be a string")
    if not isinstance(support_group, str):
        raise RegistryError(f"{where}: support_group must be a string")
    profile, groups_claim = spec.get("profile", "cognito"), spec.get("groups_claim", "")
    if not isinstance(groups_claim, str):
        raise RegistryError(f"{where}: groups_claim must be a string")
    service_clients = spec.get("service_clients", [])
    if not isinstance(service_clients, list) or not all(isinstance(c, str) for c in service_clients):
        raise RegistryError(f"{where}: service_clients must be a list of strings")
    scope_claim = spec.get("scope_claim", DEFAULT_SCOPE_CLAIM)
    if not isinstance(scope_claim, str):
        raise RegistryError(f"{where}: scope_claim must be a string")
    return AppConfig(
        service_clients=frozenset(service_clients),
        scope_claim=scope_claim,
        profile=profile,
        groups_claim=groups_claim,
        app_id=app_id,
        issuer=spec["issuer"],
        jwks_url=spec["jwks_url"],
        client_ids=frozenset(client_ids),
        support_group=support_group,
        algorithms=tuple(dict.fromkeys(algorithms)),
        console=_parse_console(where, spec.get("console")),
    )


def _parse_console(where: str, spec: Any) -> ConsoleClient | None:
    if spec is None:
        return None
    if not isinstance(spec, dict) or set(spec) != {"client_id", "domain"}:
        raise RegistryError(f"{where}: console must be an object with exactly client_id and domain")
    client_id, domain = spec["client_id"], spec["domain"]
    if not isinstance(client_id, str) or not client_id:
        raise RegistryError(f"{where}: console.client_id must be a non-empty string")
    parsed = urlparse(domain) if isinstance(domain, str) else None
    if parsed is None or parsed.scheme != "https" or not parsed.hostname or parsed.path not in ("", "/") \
            or parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise RegistryError(f"{where}: console.domain must be an https origin, e.g. "
                            "https://acme.auth.eu-west-1.amazoncognito.com")
    return ConsoleClient(client_id=client_id, domain=f"https://{parsed.netloc}")


def _check_app(app: AppConfig) -> None:
    where = f"app {app.app_id!r}"
    if not isinstance(app.app_id, str) or not _APP_ID.match(app.app_id):
        raise RegistryError(f"{where}: app id must be 1-64 characters of letters, digits, '_' or '-'")
    for name, value in (("issuer", app.issuer), ("jwks_url", app.jwks_url)):
        parsed = urlparse(value) if isinstance(value, str) else None
        if parsed is None or parsed.scheme not in ("https", "http") or not parsed.netloc:
            raise RegistryError(f"{where}: {name} must be an http(s) URL")
    if not app.client_ids or not all(isinstance(c, str) and c for c in app.client_ids):
        raise RegistryError(f"{where}: client_ids must be a non-empty list of non-empty strings")
    if app.console is not None and app.console.client_id not in app.client_ids:
        raise RegistryError(f"{where}: console.client_id must be one of client_ids (the authorizer "
                            "accepts the console's id tokens)")
    if not isinstance(app.support_group, str) or not app.support_group:
        raise RegistryError(f"{where}: support_group must be a non-empty string")
    if not app.algorithms:
        raise RegistryError(f"{where}: algorithms must not be empty")
    if not all(isinstance(c, str) and c for c in app.service_clients):
        raise RegistryError(f"{where}: service_clients must be non-empty strings")
    both = sorted(app.client_ids & app.service_clients)
    if both:
        raise RegistryError(f"{where}: client id(s) {', '.join(both)} cannot be both a user client and a service")
    if not isinstance(app.scope_claim, str) or not app.scope_claim:
        raise RegistryError(f"{where}: scope_claim must be a non-empty string")
    if app.profile not in PROFILES:
        raise RegistryError(f"{where}: profile must be one of {', '.join(PROFILES)}")
    for alg in app.algorithms:
        if alg not in ALLOWED_ALGORITHMS:
            raise RegistryError(
                f"{where}: algorithm {alg!r} is not allowed; only asymmetric algorithms "
                f"({', '.join(sorted(ALLOWED_ALGORITHMS))}) may be pinned, never 'none' or HS*"
            )


def _check_shared_issuers(apps: Iterable[AppConfig]) -> None:
    """Apps sharing an issuer share its key set and algorithms, and are told apart by client id."""
    first: dict[str, AppConfig] = {}
    owner: dict[tuple[str, str], str] = {}
    for app in apps:
        other = first.setdefault(app.issuer, app)
        if other.jwks_url != app.jwks_url:
            raise RegistryError(
                f"apps {other.app_id!r} and {app.app_id!r} share issuer {app.issuer!r} but not its jwks_url"
            )
        if other.profile != app.profile:
            raise RegistryError(
                f"apps {other.app_id!r} and {app.app_id!r} share issuer {app.issuer!r} but not its profile"
            )
        if set(other.algorithms) != set(app.algorithms):
            raise RegistryError(
                f"apps {other.app_id!r} and {app.app_id!r} share issuer {app.issuer!r} but not its algorithms"
            )
        for client_id in sorted(app.client_ids | app.service_clients):
            claimed = owner.setdefault((app.issuer, client_id), app.app_id)
            if claimed != app.app_id:
                raise RegistryError(
                    f"apps {claimed!r} and {app.app_id!r} share issuer {app.issuer!r} "
                    f"and client id {client_id!r}; a token could not tell them apart"
                )
