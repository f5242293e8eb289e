"""Why a token was refused, as a client can act on it (RFC 6750 ``invalid_token``), without configuration.

The verifier's reasons (:class:`orgplane.identity.tokens.TokenRejected`) are fine-grained and meant for
logs; a caller gets one of a few classes: ``expired`` (get a new token), ``not_yet_valid`` (clock skew),
``wrong_audience`` (a token of another client or app), ``untrusted_issuer``, ``unknown_key`` (not signed
by a key the issuer publishes), ``invalid_signature``, ``malformed`` (not a bearer JWT with the required
claims) and ``missing``. Which issuers, clients, keys or algorithms are configured is never said.

A reason that is not the token's fault (the issuer's keys could not be fetched, a broken request from
API Gateway) has no class: the authorizer raises API Gateway's plain ``Unauthorized`` for it instead of
returning a Deny that API Gateway would cache for the token.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    """A refused token's class (``reason``) and the sentence a client sees (``detail``)."""

    reason: str
    detail: str


MISSING = Rejection("missing", "A bearer token is required (Authorization: Bearer <token>).")
MALFORMED = Rejection("malformed", "The token is not a well-formed JWT with the required claims.")
EXPIRED = Rejection("expired", "The token has expired; get a new one.")
NOT_YET_VALID = Rejection("not_yet_valid", "The token is not valid yet; check the clock of its issuer.")
WRONG_AUDIENCE = Rejection("wrong_audience", "The token was issued for another client.")
UNTRUSTED_ISSUER = Rejection("untrusted_issuer", "The token's issuer is not trusted here.")
UNKNOWN_KEY = Rejection("unknown_key", "The token is signed with a key its issuer does not publish.")
INVALID_SIGNATURE = Rejection("invalid_signature", "The token's signature does not verify.")

CLASSES: tuple[Rejection, ...] = (MISSING, MALFORMED, EXPIRED, NOT_YET_VALID, WRONG_AUDIENCE, UNTRUSTED_ISSUER,
                                  UNKNOWN_KEY, INVALID_SIGNATURE)

# Every reason the verifier and the authorizer give; a key ending in a space is a prefix ("missing claim "
# + the claim's name). None: not the token's fault.
REASONS: dict[str, Rejection | None] = {
    "missing token": MISSING,
    "not a bearer token": MALFORMED,
    "token too large": MALFORMED,
    "malformed token": MALFORMED,
    "missing key id": MALFORMED,
    "unsupported critical header": MALFORMED,
    "invalid token": MALFORMED,
    "missing claim ": MALFORMED,
    "invalid claim ": MALFORMED,
    "missing subject": MALFORMED,
    "invalid subject": MALFORMED,
    "reserved subject 'me'": MALFORMED,
    "unsupported token_use": MALFORMED,
    "a service token names no user": MALFORMED,
    "untrusted issuer": UNTRUSTED_ISSUER,
    "algorithm not allowed": INVALID_SIGNATURE,
    "signing key does not fit algorithm": INVALID_SIGNATURE,
    "invalid signature": INVALID_SIGNATURE,
    "unknown signing key": UNKNOWN_KEY,
    "token expired": EXPIRED,
    "token not yet valid": NOT_YET_VALID,
    "token issued in the future": NOT_YET_VALID,
    "invalid audience": WRONG_AUDIENCE,
    "invalid client_id": WRONG_AUDIENCE,
    "invalid methodArn": None,
    "signing keys unavailable ": None,
}


def classify(reason: str) -> Rejection | None:
    """The class of a verifier reason; an unlisted reason is ``malformed`` (never more than it knows)."""
    if reason in REASONS:
        return REASONS[reason]
    for prefix, rejection in REASONS.items():
        if prefix.endswith(" ") and reason.startswith(prefix):
            return rejection
    return MALFORMED
