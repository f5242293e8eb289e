"""Invitation requests and the invitation object."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from orgplane.models.common import ListQuery, Request, Response, RoleName

MIN_TTL_SECONDS = 300
MAX_TTL_SECONDS = 90 * 86400
MAX_TEAMS_PER_INVITATION = 10

Status = Literal["pending", "accepted", "declined", "revoked", "expired"]
DeliveryStatus = Literal["queued", "sent", "delivered", "bounced", "complained", "failed"]


def _email(value: str) -> str:
    """One mailbox address mail can reach (:mod:`orgplane.emails`): ``local@domain``, IDN domains allowed,
    an ASCII local part, no display name, no spaces or invisible characters anywhere (surrounding
    whitespace included)."""
    from orgplane import emails

    try:
        return emails.check_mailable(value)
    except emails.InvalidEmail as error:
        raise ValueError(str(error)) from None


EmailAddress = Annotated[str, StringConstraints(min_length=3, max_length=254), AfterValidator(_email)]
TeamId = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class Delivery(Response):
    status: DeliveryStatus
    attempts: int
    last_attempt_at: str | None = None


class Invitation(Response):
    id: str
    org_id: str
    email: str
    role: str
    team_ids: list[str]
    status: Status
    expires_at: str
    invited_by: str
    created_at: str
    updated_at: str
    delivery: Delivery


class MyInvitation(Invitation):
    """An invitation in the invitee's own list, with the org's name so an app can show it."""

    org_name: str


class CreateInvitation(Request):
    email: EmailAddress
    role: RoleName = "member"
    team_ids: Annotated[list[TeamId], Field(max_length=MAX_TEAMS_PER_INVITATION)] = Field(default_factory=list)
    expires_in_seconds: Annotated[int, Field(ge=MIN_TTL_SECONDS, le=MAX_TTL_SECONDS)] | None = None


class InvitationToken(Request):
    token: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class ListInvitationsQuery(ListQuery):
    status: Status | None = None
