"""Org-token signing: RS256 JWTs signed by an asymmetric key in AWS KMS (locally, a key file).

One :class:`Signer` interface, two keepers of the private key:

- :class:`KmsSigner`: ``kms:Sign`` with ``RSASSA_PKCS1_V1_5_SHA_256`` on the key the alias names (the
  private key never leaves KMS); public keys from ``kms:GetPublicKey``, cached per container;
- :class:`FileSigner`: the local server's RSA key in a PEM file, made on first use.

Everything else is shared: the JWT is assembled and its signing input built by :func:`encode` whichever
signer signs, and each key's ``kid`` is its RFC 7638 thumbprint, so the JWKS (:func:`jwks`) and the
token header agree by construction. One ``sign`` call per token.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALGORITHM = "RS256"
KMS_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
ALIAS_CACHE_SECONDS = 300.0  # a warm container notices a rotated alias within this long


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def public_jwk(key: rsa.RSAPublicKey) -> dict[str, str]:
    """The JWK of an RSA public key, ``kid`` its RFC 7638 thumbprint (SHA-256)."""
    numbers = key.public_numbers()
    members = {"e": _uint(numbers.e), "kty": "RSA", "n": _uint(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return {**members, "kid": b64url(hashlib.sha256(canonical).digest()), "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class SigningKey:
    """The key that signs now: its ``kid``, and the handle its keeper signs with."""

    kid: str
    handle: str


class Signer(Protocol):
    def current(self) -> SigningKey: ...

    def sign(self, key: SigningKey, message: bytes) -> bytes: ...

    def public_keys(self) -> list[dict[str, str]]:
        """The JWKs of the current key, then the previous ones (still verifying unexpired tokens)."""
        ...


def encode(claims: dict[str, Any], signer: Signer) -> str:
    """A compact JWS (RS256) of ``claims``: header with ``kid``, one signature by ``signer``."""
    key = signer.current()
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key.kid}
    signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    return f"{signing_input}.{b64url(signer.sign(key, signing_input.encode('ascii')))}"


def jwks(signer: Signer) -> dict[str, Any]:
    seen: set[str] = set()
    keys = []
    for jwk in signer.public_keys():
        if jwk["kid"] not in seen:
            seen.add(jwk["kid"])
            keys.append(jwk)
    return {"keys": keys}


# --- AWS KMS ---------------------------------------------------------------------------------------


class KmsSigner:
    """Signs with the KMS key ``key_id`` names (an alias or ARN); ``previous`` keys are only published.

    The alias is resolved to the key's ARN together with its public key (one ``GetPublicKey``) and the
    signature is made with that ARN, so the ``kid`` always names the key that really signed, even while
    the alias moves to another key."""

    def __init__(self, key_id: str, previous: tuple[str, ...] = (), client: Any = None) -> None:
        self.key_id = key_id
        self.previous = previous
        self._client = client
        self._lock = threading.Lock()
        self._public: dict[str, tuple[str, dict[str, str]]] = {}  # key id or alias -> (key ARN, JWK)
        self._resolved_at = 0.0

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # only the token and JWKS functions reach KMS

            self._client = boto3.client("kms")
        return self._client

    def _describe(self, key_id: str, *, refresh: bool = False) -> tuple[str, dict[str, str]]:
        with self._lock:
            if refresh or key_id not in self._public:
                answer = self.client.get_public_key(KeyId=key_id)
                if answer.get("KeyUsage") != "SIGN_VERIFY" or KMS_ALGORITHM not in answer.get("SigningAlgorithms", ()):
                    raise RuntimeError(f"KMS key {key_id} is not a signing key for {KMS_ALGORITHM}")
                public = serialization.load_der_public_key(answer["PublicKey"])
                if not isinstance(public, rsa.RSAPublicKey):
                    raise RuntimeError(f"KMS key {key_id} has no RSA public key")
                self._public[key_id] = (str(answer["KeyId"]), public_jwk(public))
            return self._public[key_id]

    def current(self) -> SigningKey:
        stale = time.monotonic() - self._resolved_at > ALIAS_CACHE_SECONDS
        arn, jwk = self._describe(self.key_id, refresh=stale)
        if stale:
            self._resolved_at = time.monotonic()
        return SigningKey(kid=jwk["kid"], handle=arn)

    def sign(self, key: SigningKey, message: bytes) -> bytes:
        answer = self.client.sign(KeyId=key.handle, Message=message, MessageType="RAW",
                                  SigningAlgorithm=KMS_ALGORITHM)
        return bytes(answer["Signature"])

    def public_keys(self) -> list[dict[str, str]]:
        self.current()
        return [self._describe(key_id)[1] for key_id in (self.key_id, *self.previous)]


# --- a local key file ------------------------------------------------------------------------------


class FileSigner:
    """The local server's signer: an RSA-2048 key in a PEM file, created on first use (atomically, so
    processes racing to create it agree); ``previous`` files are only published."""

    def __init__(self, path: str | Path, previous: tuple[str | Path, ...] = ()) -> None:
        self.path = Path(path)
        self.previous = tuple(Path(p) for p in previous)
        self._key: rsa.RSAPrivateKey | None = None

    def _private(self) -> rsa.RSAPrivateKey:
        if self._key is None:
            self._key = load_or_create(self.path)
        return self._key

    def current(self) -> SigningKey:
        return SigningKey(kid=public_jwk(self._private().public_key())["kid"], handle=str(self.path))

    def sign(self, key: SigningKey, message: bytes) -> bytes:
        return self._private().sign(message, padding.PKCS1v15(), hashes.SHA256())

    def public_keys(self) -> list[dict[str, str]]:
        keys = [public_jwk(self._private().public_key())]
        for path in self.previous:
            if path.exists():
                keys.append(public_jwk(load_or_create(path).public_key()))
        return keys


def load_or_create(path: Path) -> rsa.RSAPrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            os.chmod(tmp, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # the first process to get here wins
        finally:
            os.unlink(tmp)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise TypeError(f"{path} does not hold an RSA private key")
    return loaded


# --- the deployment's signer -----------------------------------------------------------------------

_signer: Signer | None = None
_signer_lock = threading.Lock()


def signer() -> Signer:
    """The deployment's signer, built once per container: KMS when ``ORG_TOKEN_KEY_ID`` is set, else the
    key file of ``ORG_TOKEN_KEY_FILE`` (the local server)."""
    global _signer
    from orgplane.config import settings

    with _signer_lock:
        if _signer is None:
            current = settings()
            if current.org_token_key_id:
                _signer = KmsSigner(current.org_token_key_id, current.org_token_previous_key_ids)
            elif current.org_token_key_file:
                _signer = FileSigner(current.org_token_key_file, current.org_token_previous_key_ids)
            else:
                raise RuntimeError("org tokens need ORG_TOKEN_KEY_ID (a KMS key) or ORG_TOKEN_KEY_FILE")
        return _signer


def reset() -> None:
    global _signer
    with _signer_lock:
        _signer = None
