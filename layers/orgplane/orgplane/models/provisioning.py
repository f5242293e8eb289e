"""Requests of the provisioning routes (the app's backend adding users directly)."""

from __future__ import annotations

from orgplane.models.common import Request, RoleName
from orgplane.models.invitations import EmailAddress


class PutMember(Request):
    """``PUT /orgs/{org_id}/members/{user_id}``: ``email`` is stored with a new membership (the backend
    vouches for it); for an existing member only ``role`` counts."""

    role: RoleName = "member"
    email: EmailAddress | None = None
