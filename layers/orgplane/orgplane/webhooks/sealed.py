"""Webhook secrets at rest: never in plain text in the table.

Deployed, ``WEBHOOK_KMS_KEY_ID`` names a KMS key: a secret is stored as its KMS ciphertext, bound to
the app and endpoint by the encryption context (a ciphertext copied to another endpoint does not
decrypt). Locally (no key id) it is sealed with AES-GCM under a key derived from the deployment
secret (``ORGPLANE_SECRET``), with the same binding as associated data.
"""

from __future__ import annotations

import base64
from typing import Any

from orgplane import at_rest, config

_LOCAL = "local1:"
_KMS = "kms1:"


def _context(app_id: str, webhook_id: str) -> dict[str, str]:
    return {"app_id": app_id, "webhook_id": webhook_id}


_PURPOSE = b"orgplane webhook secrets"


def _binding(app_id: str, webhook_id: str) -> bytes:
    return f"{app_id}\x00{webhook_id}".encode()


def _kms() -> Any:
    import boto3  # only the deployed path

    return boto3.client("kms")


def seal(app_id: str, webhook_id: str, secret: str) -> str:
    key_id = config.settings().webhook_kms_key_id
    if key_id:
        blob = _kms().encrypt(KeyId=key_id, Plaintext=secret.encode(),
                              EncryptionContext=_context(app_id, webhook_id))["CiphertextBlob"]
        return _KMS + base64.b64encode(blob).decode()
    return _LOCAL + at_rest.seal(_PURPOSE, _binding(app_id, webhook_id), secret)


def open_(app_id: str, webhook_id: str, stored: str) -> str:
    if stored.startswith(_KMS):
        blob = base64.b64decode(stored[len(_KMS):])
        plain = _kms().decrypt(CiphertextBlob=blob, EncryptionContext=_context(app_id, webhook_id))["Plaintext"]
        return bytes(plain).decode()
    if stored.startswith(_LOCAL):
        return at_rest.open_(_PURPOSE, _binding(app_id, webhook_id), stored[len(_LOCAL):])
    raise ValueError("not a sealed webhook secret")
