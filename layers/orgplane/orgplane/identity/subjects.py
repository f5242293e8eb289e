"""Which strings can be a user id: the rule the authorizer applies to a token's ``sub``, and that readers
of user ids given in a request body rely on (an id no token can carry is nobody, never a key to form).

- ``me`` stands for the caller in ``{user_id}`` paths, so no user may be called ``me``;
- ``service:`` starts the principal id of a service (:attr:`orgplane.caller.Caller.principal_id`: the audit
  actor index, idempotency records), so no user id may start with it;
- at most 255 bytes of UTF-8 (OpenID Connect's cap on ``sub``, and a user id ends up inside table keys), no
  control characters, no lone surrogates (not text: DynamoDB refuses them).
"""

from __future__ import annotations

from orgplane.caller import ME

MAX_SUBJECT_BYTES = 255
SERVICE_PREFIX = "service:"


def could_be(sub: str) -> bool:
    """Whether ``sub`` can be a user id."""
    try:
        size = len(sub.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return (sub != ME and size <= MAX_SUBJECT_BYTES and not sub.startswith(SERVICE_PREFIX)
            and not any(ord(ch) < 32 or ord(ch) == 127 for ch in sub))
