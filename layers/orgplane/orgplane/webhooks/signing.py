"""Standard Webhooks (https://www.standardwebhooks.com): secrets and signatures.

A secret is ``whsec_`` + base64 of 24 random bytes. The signature of a message is
``v1,<base64 HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")>``; during a rotation
every live secret signs, space separated, and a receiver accepts any one that matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
SECRET_BYTES = 24


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ValueError("not a webhook secret")
    return base64.b64decode(secret[len(PREFIX):])


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = message_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def headers(live_secrets: list[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of a delivery, signed by every live secret (newest first)."""
    if not live_secrets:
        raise ValueError("no secret to sign with")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in live_secrets),
        "content-type": "application/json",
        "user-agent": "orgplane-webhooks/1",
    }
