"""Who is asking: the identity the authorizer established, plus the request id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    app_id: str
    user_id: str
    email: str | None
    email_verified: bool
    support: bool
    request_id: str = ""

    def resolve_user(self, user_id: str) -> str:
        """``me`` stands for the caller's own user id in any ``{user_id}`` segment."""
        return self.user_id if user_id == "me" else user_id
