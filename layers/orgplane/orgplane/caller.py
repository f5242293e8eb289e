"""Who is asking: the identity the authorizer established, plus the request id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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

    def resolve_user(self, user_id: str) -> str:
        """``me`` stands for the caller's own user id in any ``{user_id}`` segment."""
        return self.user_id if user_id == ME else user_id

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
