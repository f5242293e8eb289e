"""App settings: limits, invitation defaults, custom roles, invitation email."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from orgplane.models.common import RoleName

Limit = Annotated[int, Field(ge=1, le=1_000_000)] | None


class RoleDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    permissions: list[str]


class InvitationEmail(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    from_: Annotated[str, StringConstraints(min_length=3, max_length=254)] | None = Field(
        default=None, alias="from"
    )
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    accept_url: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None


class AppSettings(BaseModel):
    """The stored settings of one app, with the defaults of an app nobody configured yet."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    invitation_ttl_seconds: int = 7 * 24 * 3600
    max_members_per_org: int | None = None
    max_orgs_per_user: int | None = None
    max_teams_per_org: int | None = None
    roles: dict[RoleName, RoleDefinition] = Field(default_factory=dict)
    invitation_email: InvitationEmail = Field(default_factory=InvitationEmail)
    audit_retention_days: int = 365
