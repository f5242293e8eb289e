"""The audit event object and the activity log's list queries."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import StringConstraints

from orgplane.models.common import ListQuery, Response

ACTION_PATTERN = r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?$"
ActionFilter = Annotated[str, StringConstraints(pattern=ACTION_PATTERN, max_length=64)]
"""An exact action (``member.removed``) or a family (``member.*``)."""


class AuditActor(Response):
    """Who acted: a user (``type`` ``user``), or the app's backend (``type`` ``service``, ``client_id``)."""

    type: Literal["user", "service"] = "user"  # events written before services existed were users'
    user_id: str | None
    client_id: str | None = None
    email: str | None
    support: bool


class AuditTarget(Response):
    type: str
    id: str


class AuditEvent(Response):
    id: str
    org_id: str | None
    action: str
    actor: AuditActor
    target: AuditTarget
    at: str
    request_id: str
    details: dict[str, Any]


class OrgAuditQuery(ListQuery):
    """``GET /orgs/{org_id}/audit``: newest first, ``?action=``."""

    action: ActionFilter | None = None


class AppAuditQuery(ListQuery):
    """``GET /admin/audit``: newest first, ``?org_id=``, ``?actor=`` (a user id), ``?action=``."""

    org_id: Annotated[str, StringConstraints(pattern=r"^org_[0-9A-HJKMNP-TV-Z]{26}$")] | None = None
    actor: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    action: ActionFilter | None = None
