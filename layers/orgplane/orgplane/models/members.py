"""Membership requests and the member and permissions objects."""

from __future__ import annotations

from typing import Literal

from orgplane.models.common import ListQuery, Request, Response, RoleName


class Member(Response):
    org_id: str
    user_id: str
    email: str | None
    role: str
    joined_at: str
    updated_at: str


class UpdateMember(Request):
    role: RoleName


class ListMembersQuery(ListQuery):
    role: RoleName | None = None


class TeamRoleView(Response):
    team_id: str
    role: str


class Permissions(Response):
    role: str | None
    permissions: list[str]
    teams: list[TeamRoleView]


class Me(Response):
    user_id: str
    email: str | None
    app_id: str
    support: bool
    type: Literal["user"] = "user"


class ServiceMe(Response):
    """``GET /me`` of a service principal (the app's backend)."""

    type: Literal["service"] = "service"
    client_id: str
    app_id: str
    scopes: list[str]
