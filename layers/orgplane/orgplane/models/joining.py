"""Joining by a verified email domain: joinable orgs and join requests (DESIGN section 12)."""

from __future__ import annotations

from typing import Literal

from orgplane.models.common import ListQuery, Request, Response, RoleName

JoinRequestStatus = Literal["pending", "approved", "denied", "cancelled"]


class JoinableOrg(Response):
    id: str
    name: str
    slug: str
    domain: str
    mode: Literal["request", "auto"]


class JoinableOrgs(Response):
    data: list[JoinableOrg]


class JoinRequest(Response):
    id: str
    org_id: str
    user_id: str
    email: str
    status: JoinRequestStatus
    created_at: str
    decided_by: str | None
    decided_at: str | None


class ApproveJoinRequest(Request):
    role: RoleName | None = None


class ListJoinRequestsQuery(ListQuery):
    status: JoinRequestStatus | None = None
