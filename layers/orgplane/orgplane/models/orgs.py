"""Organization requests and the org object."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, StringConstraints, model_validator

from orgplane.caller import ME
from orgplane.models.common import (
    DisplayName,
    ListQuery,
    Metadata,
    Request,
    Response,
    RoleName,
    invisible_character,
)
from orgplane.models.invitations import EmailAddress

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


MAX_USER_ID_BYTES = 255  # OpenID Connect's cap on ``sub``; the authorizer refuses longer subjects


def _user_id(value: str) -> str:
    if value == ME:
        raise ValueError("'me' is not a user id")
    if invisible_character(value) is not None or value != value.strip():
        raise ValueError("must not contain control characters or surrounding whitespace")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_USER_ID_BYTES:
        raise ValueError(f"must be at most {MAX_USER_ID_BYTES} bytes")
    return value


UserId = Annotated[str, StringConstraints(min_length=1), AfterValidator(_user_id)]
"""A user id (the JWT ``sub``) given in a body: the app's backend names users it provisions."""


class OrgOwner(Request):
    """``POST /orgs`` by a service: the user who becomes the org's owner."""

    user_id: UserId
    email: EmailAddress | None = None


class DomainJoin(Request):
    """Who may join by a verified email domain of the org: nobody (``off``), by a join request an
    admin approves (``request``), or at once (``auto``), with ``role``."""

    mode: Literal["off", "request", "auto"]
    role: RoleName = "member"


class CreateOrg(Request):
    name: DisplayName
    slug: Slug | None = None
    metadata: Metadata | None = None
    owner: OrgOwner | None = None  # services only (a user caller becomes the owner)


class UpdateOrg(Request):
    name: DisplayName | None = None
    slug: Slug | None = None
    metadata: Metadata | None = None
    domain_join: DomainJoin | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateOrg:
        if not self.model_fields_set:
            raise ValueError("give at least one of name, slug, metadata, domain_join")
        for field in ("name", "slug", "metadata", "domain_join"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class Org(Response):
    id: str
    name: str
    slug: str
    metadata: dict[str, Any]
    member_count: int
    pending_invitation_count: int
    team_count: int
    domain_join: DomainJoin = DomainJoin(mode="off")
    created_by: str
    created_at: str
    updated_at: str


class OrgWithRole(Org):
    role: str


class ListOrgsQuery(ListQuery):
    pass


class DeletedOrg(Org):
    """A deleted org still restorable (``GET /admin/orgs?deleted=true``): purged at ``purge_at``."""

    deleted_at: str
    purge_at: str


class RestoreOrg(Request):
    """``slug``: claim this slug instead of the org's own (taken meanwhile: 409 ``slug_taken``)."""

    slug: Slug | None = None
