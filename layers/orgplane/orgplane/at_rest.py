"""Sealing text the table keeps but must not show in plain text: AES-GCM under a key derived from the
deployment secret (:func:`orgplane.config.secret`) for one ``purpose``, bound to where it is stored.

The ``binding`` (associated data: the item's key, or the app and endpoint a webhook secret belongs to) is
checked when opening, so a sealed value copied to another item does not open there. Anyone who can read the
table (a console session, an export, a backup) sees only ciphertext; the Lambda functions hold the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os


def _key(purpose: bytes) -> bytes:
    from orgplane import config

    return hmac.new(config.secret(), purpose, hashlib.sha256).digest()


def seal(purpose: bytes, binding: bytes, plain: str) -> str:
    """``plain`` sealed for ``purpose`` and ``binding``: base64 of a random nonce and the ciphertext."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(_key(purpose)).encrypt(nonce, plain.encode(), binding)).decode()


def open_(purpose: bytes, binding: bytes, sealed: str) -> str:
    """The text :func:`seal` sealed; raises ``cryptography.exceptions.InvalidTag`` for another purpose,
    binding or secret, or a changed ciphertext."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(sealed)
    return AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], binding).decode()
