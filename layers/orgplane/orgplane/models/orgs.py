"""Organization requests and the org object."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints, model_validator

from orgplane.models.common import DisplayName, ListQuery, Metadata, Request, Response

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


class CreateOrg(Request):
    name: DisplayName
    slug: Slug | None = None
    metadata: Metadata | None = None


class UpdateOrg(Request):
    name: DisplayName | None = None
    slug: Slug | None = None
    metadata: Metadata | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateOrg:
        if not self.model_fields_set:
            raise ValueError("give at least one of name, slug, metadata")
        for field in ("name", "slug", "metadata"):
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
