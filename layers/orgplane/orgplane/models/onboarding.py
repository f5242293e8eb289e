"""Onboarding at scale: bulk invitations and invite links (DESIGN section 12)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from orgplane.models.common import Request, Response, RoleName
from orgplane.models.invitations import MAX_TTL_SECONDS, MIN_TTL_SECONDS, Invitation

MAX_BULK_INVITATIONS = 100


class BulkInvitations(Request):
    """Up to 100 rows, each what ``POST /orgs/{org_id}/invitations`` takes (``{email, role?, team_ids?}``).
    A row is checked on its own: a bad row gets its own problem, the others still go."""

    invitations: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_BULK_INVITATIONS)]


class Problem(Response):
    type: str
    title: str
    status: int
    code: str
    detail: str
    request_id: str
    errors: list[dict[str, str]] | None = None


class BulkInvitationResult(Response):
    """One row's answer, as the single route would give it: 201 and the invitation, or its problem."""

    email: str | None
    status: int
    invitation: Invitation | None = None
    error: Problem | None = None


class BulkInvitationResults(Response):
    results: list[BulkInvitationResult]


# --- invite links --------------------------------------------------------------------------------

MAX_LINK_USES = 10_000
MAX_ALLOWED_DOMAINS = 20

InviteLinkStatus = Literal["active", "revoked", "expired", "used_up"]


def _domain_name(value: str) -> str:
    """A domain name as its A-label (IDNA 2008 / UTS 46, :func:`orgplane.emails.domain`)."""
    from orgplane import emails

    try:
        return emails.domain(value)
    except emails.InvalidEmail:
        raise ValueError("must be a domain name such as example.com") from None


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


DomainName = Annotated[str, StringConstraints(min_length=3, max_length=253), AfterValidator(_domain_name)]


class CreateInviteLink(Request):
    role: RoleName = "member"
    max_uses: Annotated[int, Field(ge=1, le=MAX_LINK_USES)] | None = None
    expires_in_seconds: Annotated[int, Field(ge=MIN_TTL_SECONDS, le=MAX_TTL_SECONDS)] | None = None
    allowed_domains: Annotated[list[DomainName], Field(max_length=MAX_ALLOWED_DOMAINS),
                               AfterValidator(_distinct)] = Field(default_factory=list)


class InviteLink(Response):
    id: str
    org_id: str
    role: str
    max_uses: int | None
    uses: int
    expires_at: str
    allowed_domains: list[str]
    status: InviteLinkStatus
    created_by: str
    created_at: str


class CreatedInviteLink(InviteLink):
    """The new link with its ``token`` and ``url``: shown only in this answer, stored only as a hash."""

    url: str
    token: str


class InviteLinkToken(Request):
    token: Annotated[str, StringConstraints(min_length=1, max_length=512)]
