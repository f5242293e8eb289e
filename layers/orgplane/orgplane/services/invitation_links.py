"""The token of an invitation link: derived, never stored.

``token = org_id "." invitation_id "." mac`` where ``mac`` is HMAC-SHA256 over the app, the org, the
invitation and the current send's nonce, keyed by the deployment secret (Secrets Manager deployed,
``ORGPLANE_SECRET`` locally). The table keeps only the nonce; a resend draws a new nonce, so every
earlier link stops matching. Verification recomputes the MAC and compares in constant time. Tokens
are never logged, audited, returned by the API or written to the table.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from orgplane import ids
from orgplane.config import secret

_PURPOSE = b"orgplane/invitation-link/v1"


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _mac(app_id: str, org_id: str, invitation_id: str, nonce: str) -> str:
    message = b"\x00".join(part.encode() for part in (app_id, org_id, invitation_id, nonce))
    digest = hmac.new(secret(), _PURPOSE + b"\x00" + message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token(app_id: str, org_id: str, invitation_id: str, nonce: str) -> str:
    return f"{org_id}.{invitation_id}.{_mac(app_id, org_id, invitation_id, nonce)}"


def parse(value: str) -> tuple[str, str, str] | None:
    """``(org_id, invitation_id, mac)`` of a well-formed token, else ``None``."""
    parts = value.strip().split(".")
    if len(parts) != 3:
        return None
    org_id, invitation_id, mac = parts
    if not ids.is_valid("org", org_id) or not ids.is_valid("inv", invitation_id) or not 20 <= len(mac) <= 64:
        return None
    return org_id, invitation_id, mac


def matches(app_id: str, org_id: str, invitation_id: str, nonce: str, mac: str) -> bool:
    return hmac.compare_digest(_mac(app_id, org_id, invitation_id, nonce).encode(), mac.encode())
