"""App settings: limits, invitation defaults, custom roles, invitation email."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from orgplane.access import BUILTIN_ROLES, PERMISSIONS
from orgplane.models.common import Request, RoleName, invisible_character

Limit = Annotated[int, Field(ge=1, le=1_000_000)] | None

DEFAULT_INVITATIONS_PER_ORG_PER_HOUR = 100
"""Invitation mails (new invitations and resends) one org may send in one clock hour."""
DEFAULT_SENDS_PER_ADDRESS_PER_HOUR = 3
"""Invitation mails one org may send to one address in one clock hour (an invitation and its resends)."""


class RoleDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)
    permissions: list[str]


class InvitationEmail(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)
    from_: Annotated[str, StringConstraints(min_length=3, max_length=254)] | None = Field(
        default=None, alias="from"
    )
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    accept_url: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None


class AppSettings(BaseModel):
    """The stored settings of one app, with the defaults of an app nobody configured yet."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    invitation_ttl_seconds: int = 7 * 24 * 3600
    max_members_per_org: int | None = None
    max_orgs_per_user: int | None = None
    max_teams_per_org: int | None = None
    roles: dict[RoleName, RoleDefinition] = Field(default_factory=dict)
    invitation_email: InvitationEmail = Field(default_factory=InvitationEmail)
    audit_retention_days: int = 365
    invitations_per_org_per_hour: int | None = DEFAULT_INVITATIONS_PER_ORG_PER_HOUR
    invitation_sends_per_address_per_hour: int | None = DEFAULT_SENDS_PER_ADDRESS_PER_HOUR
    org_token_ttl_seconds: int = 300
    org_restore_days: int = 30
    """How long a deleted org's data is kept for ``POST /admin/orgs/{org_id}/restore`` (0: purged at once)."""


# --- PATCH /admin/settings -------------------------------------------------------------------

MAX_CUSTOM_ROLES = 40
"""Bounded so one settings transaction can check every role's holder counter (≤ 100 operations)."""

_EMAIL_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_NAMED_ADDRESS = re.compile(r"^[^<>\r\n]{1,100} <([^@\s<>]+@[^@\s<>]+\.[^@\s<>]+)>$")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})


def _header_text(value: str) -> str:
    """Text that becomes (part of) a mail header: one line, no invisible characters, no encoded words
    (the renderer neutralises them too: :mod:`orgplane.mail_headers`)."""
    if invisible_character(value) is not None:
        raise ValueError("must be one line without control or invisible characters")
    if "=?" in value:
        raise ValueError("must not contain encoded-word syntax ('=?')")
    return value


def _sender(value: str) -> str:
    if not (_EMAIL_ADDRESS.match(value) or _NAMED_ADDRESS.match(value)):
        raise ValueError("must be an email address, or 'Name <address>'")
    return _header_text(value)


def _accept_url(value: str) -> str:
    parts = urlsplit(value)
    local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if parts.scheme != "https" and not local:
        raise ValueError("must be an https URL (http only for localhost or 127.0.0.1)")
    if not parts.hostname:
        raise ValueError("must name a host")
    if "{token}" not in value:
        raise ValueError("must contain {token}, where the invitation link's token goes")
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain whitespace")
    return value


def _custom_roles(value: dict[str, RoleDefinition]) -> dict[str, RoleDefinition]:
    for name, role in value.items():
        if name in BUILTIN_ROLES:
            raise ValueError(f"the built-in role {name!r} cannot be redefined")
        unknown = [p for p in role.permissions if p not in PERMISSIONS]
        if unknown:
            raise ValueError(f"role {name!r}: unknown permissions {unknown}")
        if len(set(role.permissions)) != len(role.permissions):
            raise ValueError(f"role {name!r}: permissions are listed twice")
    return value


class InvitationEmailPatch(BaseModel):
    """Fields given replace the stored ones; ``null`` puts a field back to the deployment default."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True, defer_build=True)
    from_: Annotated[str, StringConstraints(min_length=3, max_length=254), AfterValidator(_sender)] | None = Field(
        default=None, alias="from"
    )
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_header_text)] | None = None
    accept_url: Annotated[str, StringConstraints(min_length=1, max_length=2000),
                          AfterValidator(_accept_url)] | None = None


CustomRoles = Annotated[dict[RoleName, RoleDefinition], Field(max_length=MAX_CUSTOM_ROLES),
                        AfterValidator(_custom_roles)]


class UpdateSettings(Request):
    """Only the fields given change; limits take ``null`` for unlimited; ``roles`` replaces the map."""

    invitation_ttl_seconds: Annotated[int, Field(ge=300, le=90 * 86400)] | None = None
    max_members_per_org: Limit = None
    max_orgs_per_user: Limit = None
    max_teams_per_org: Limit = None
    roles: CustomRoles | None = None
    invitation_email: InvitationEmailPatch | None = None
    audit_retention_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    invitations_per_org_per_hour: Limit = None
    invitation_sends_per_address_per_hour: Limit = None
    org_token_ttl_seconds: Annotated[int, Field(ge=60, le=3600)] | None = None
    org_restore_days: Annotated[int, Field(ge=0, le=90)] | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateSettings:
        if not self.model_fields_set:
            raise ValueError("give at least one setting to change")
        for name in NOT_NULLABLE:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


NOT_NULLABLE = ("invitation_ttl_seconds", "roles", "invitation_email", "audit_retention_days",
                "org_token_ttl_seconds", "org_restore_days")
