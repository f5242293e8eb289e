"""The operator surface (``/admin/...``): org search, user lookup and their answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from orgplane.models.common import ListQuery, Response


class AdminOrgsQuery(ListQuery):
    """``?q=``: a literal prefix of the org's name (case-insensitive) or of its slug; ``?deleted=true``:
    the deleted orgs still restorable instead, newest first (``q`` then filters their names and slugs)."""

    q: Annotated[str, StringConstraints(max_length=100)] | None = None
    deleted: bool = False


class FindUsersQuery(ListQuery):
    """``?email=``: a literal prefix of a member's email (case-insensitive)."""

    email: Annotated[str, StringConstraints(max_length=254)] | None = None


class UserMembership(Response):
    org_id: str
    org_name: str
    org_slug: str
    role: str
    email: str | None
    joined_at: str


class UserTeamMembership(Response):
    org_id: str
    team_id: str
    role: str
    added_at: str | None = None


class UserInvitation(Response):
    id: str
    org_id: str
    email: str
    role: str
    team_ids: list[str] = []
    status: str
    expires_at: str | None = None
    invited_by: str | None = None
    created_at: str | None = None


class AdminUser(Response):
    """One user of the app as support sees them: every membership, team and pending invitation."""

    user_id: str
    emails: list[str]
    memberships: list[UserMembership]
    team_memberships: list[UserTeamMembership]
    invitations: list[UserInvitation]


class UserMatch(Response):
    """A user whose member email starts with the searched prefix, and the orgs they hold it in."""

    user_id: str
    email: str
    org_ids: list[str]
