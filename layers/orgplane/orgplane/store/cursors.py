"""Opaque, tamper-evident list cursors.

A cursor is the query's last evaluated key plus the scope of the list it belongs to (app, org,
list kind, filters), signed with HMAC-SHA256. A changed byte, or a cursor from another list, org
or app, fails verification and is a 400 ``validation_error``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from orgplane.config import secret
from orgplane.errors import invalid


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(scope: str, payload: bytes) -> bytes:
    return hmac.new(secret(), b"cursor\x00" + scope.encode() + b"\x00" + payload, hashlib.sha256).digest()


def encode(last_key: dict[str, Any] | None, scope: str) -> str | None:
    if not last_key:
        return None
    payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_sign(scope, payload))}"


def decode(cursor: str | None, scope: str) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        body, signature = cursor.split(".")
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(signature), _sign(scope, payload)):
            raise ValueError("signature")
        value = json.loads(payload)
        if not isinstance(value, dict):
            raise ValueError("shape")
        return value
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise invalid("cursor", "The cursor is invalid for this list.") from error
