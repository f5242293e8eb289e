"""Who is asking: the identity the authorizer established, plus the request id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

ME = "me"
"""Stands for the caller's own user id in any ``{user_id}`` segment; no token may carry it as ``sub``."""


@dataclass(frozen=True)
class Caller:
    app_id: str
    user_id: str
    email: str | None
    """The token's email claim as it came. Never store, show, match or mail it: use
    :attr:`verified_email` and :attr:`email_key`, which are ``None`` unless it is verified and valid."""
    email_verified: bool
    support: bool
    request_id: str = ""
    #: ``service``: the app's own backend (client-credentials token). It has no user and no membership;
    #: it acts with support staff's powers (``support`` is true) within its ``scopes``, and ``user_id``
    #: holds its client id only as an opaque principal id (audit index, idempotency keys).
    type: Literal["user", "service"] = "user"
    client_id: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def is_service(self) -> bool:
        return self.type == "service"

    @property
    def principal_id(self) -> str:
        """The caller as one string (idempotency keys, the audit actor index): a user's id, or
        ``service:<client_id>``."""
        return f"service:{self.client_id}" if self.is_service else self.user_id

    @property
    def actor(self) -> dict[str, object]:
        """The audit event's ``actor``."""
        if self.is_service:
            return {"type": "service", "client_id": self.client_id, "user_id": None, "email": None,
                    "support": False}
        return {"type": "user", "user_id": self.user_id, "email": self.verified_email, "support": self.support}

    def resolve_user(self, user_id: str) -> str:
        """``me`` stands for the caller's own user id in any ``{user_id}`` segment (a service has none)."""
        return self.user_id if user_id == ME and not self.is_service else user_id

    def is_self(self, user_id: str) -> bool:
        """Whether ``user_id`` is the caller as a user (a service is never a member)."""
        return not self.is_service and user_id == self.user_id

    @cached_property
    def email_key(self) -> str | None:
        """The canonical key of the caller's email (:mod:`orgplane.emails`): only when the identity
        provider verified it and it is one valid mailbox address; an unverified email is no email."""
        if not self.email_verified or not self.email:
            return None
        from orgplane import emails  # idna's tables load only on the routes that compare emails

        return emails.key_or_none(self.email)

    @property
    def verified_email(self) -> str | None:
        """The caller's email as written, when :attr:`email_key` vouches for it; else ``None``."""
        return self.email if self.email_key is not None else None
