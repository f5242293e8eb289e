"""Local identity providers: one issuer and RSA signing key per app, as Cognito user pools would be.

Two apps, ``demo`` and ``other``, each with its own RSA-2048 key generated on first use and kept in
``.local/keys/<app>.pem`` (repository root, gitignored), so tokens minted by one process are
accepted by a server started by another. The issuer string is port-independent; only the JWKS URL
in the app registry (:func:`registry_json`) names the server's port, so the authorizer fetches the
keys over HTTP exactly as it does from Cognito.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from devserver.template import ROOT
from orgplane.identity import signing

APPS: tuple[str, ...] = ("demo", "other")
SUPPORT_GROUP = "support"
KEY_DIR = ROOT / ".local" / "keys"
#: the local stand-in for the KMS key that signs org tokens (orgplane.identity.signing.FileSigner)
ORG_TOKEN_KEY = KEY_DIR / "org-token.pem"
ALGORITHM = "RS256"

_lock = threading.Lock()


class UnknownApp(LookupError):
    def __init__(self, app: str) -> None:
        super().__init__(f"unknown local app {app!r}; the local apps are {', '.join(APPS)}")
        self.app = app


def check_app(app: str) -> str:
    if app not in APPS:
        raise UnknownApp(app)
    return app


def issuer(app: str) -> str:
    return f"https://issuer.local/{check_app(app)}"


def client_id(app: str) -> str:
    return f"{check_app(app)}-web"


#: The service clients (client-credentials grant) of every local app, by name: ``backend``.
SERVICE_CLIENTS: tuple[str, ...] = ("backend",)
SERVICE_SCOPES: tuple[str, ...] = ("orgplane/read", "orgplane/write")


def service_client_id(app: str, name: str = "backend") -> str:
    if name not in SERVICE_CLIENTS:
        raise LookupError(f"unknown service client {name!r}; the local ones are {', '.join(SERVICE_CLIENTS)}")
    return f"{check_app(app)}-{name}"


def jwks_path(app: str) -> str:
    """The server path of an app's JWKS (``GET``)."""
    return f"/_local/issuers/{check_app(app)}/.well-known/jwks.json"


def key_path(app: str) -> Path:
    return KEY_DIR / f"{check_app(app)}.pem"


@cache
def private_key(app: str) -> rsa.RSAPrivateKey:
    """The app's signing key, created on first use (safe when several processes race to create it)."""
    with _lock:
        return signing.load_or_create(key_path(app))


def kid(app: str) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of the app's public key."""
    return public_jwk(app)["kid"]


def public_jwk(app: str) -> dict[str, str]:
    return signing.public_jwk(private_key(app).public_key())


def jwks(app: str) -> dict[str, Any]:
    return {"keys": [public_jwk(app)]}


def registry(port: int) -> dict[str, dict[str, Any]]:
    """The ``APP_REGISTRY`` value as a dict: every local app, its JWKS served by the server on ``port``."""
    return {
        app: {
            "issuer": issuer(app),
            "jwks_url": f"http://127.0.0.1:{port}{jwks_path(app)}",
            "client_ids": [client_id(app)],
            "service_clients": [service_client_id(app, name) for name in SERVICE_CLIENTS],
            "support_group": SUPPORT_GROUP,
        }
        for app in APPS
    }


def registry_json(port: int) -> str:
    return json.dumps(registry(port), separators=(",", ":"))


def ensure_keys() -> None:
    """Create every app's key and the org-token key now (the server does this at start-up, before anyone
    mints tokens)."""
    for app in APPS:
        private_key(app)
    signing.load_or_create(ORG_TOKEN_KEY)
