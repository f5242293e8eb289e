"""Invitation requests and the invitation object."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from orgplane.models.common import ListQuery, Request, Response, RoleName, invisible_character

MIN_TTL_SECONDS = 300
MAX_TTL_SECONDS = 90 * 86400
MAX_TEAMS_PER_INVITATION = 10

Status = Literal["pending", "accepted", "declined", "revoked", "expired"]
DeliveryStatus = Literal["queued", "sent", "delivered", "bounced", "complained", "failed"]

_LOCAL_PART = re.compile(r"^[^\s@\"<>(),;:\\\[\]]{1,64}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _email(value: str) -> str:
    """An address someone can receive mail at: ``local@domain.tld``; IDN domains allowed, no display names."""
    value = value.strip()
    if len(value) > 254 or value.count("@") != 1:
        raise ValueError("must be one email address (local@domain)")
    local, domain = value.split("@")
    if not _LOCAL_PART.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise ValueError("the part before @ is not a valid mailbox name")
    if invisible_character(value) is not None:
        raise ValueError("must not contain control or invisible formatting characters")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
        labels = ascii_domain.split(".")
        for label in labels:
            if label.startswith("xn--"):
                label.encode("ascii").decode("idna")  # an A-label must be valid punycode
    except (UnicodeError, ValueError):
        raise ValueError("the domain is not a valid domain name") from None
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or len(labels[-1]) < 2:
        raise ValueError("the domain is not a valid domain name")
    return value


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
