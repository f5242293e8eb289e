"""Onboarding at scale: bulk invitations and invite links (DESIGN section 12)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from orgplane.models.common import Request, Response
from orgplane.models.invitations import Invitation

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
