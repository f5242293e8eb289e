"""Team requests and the team and team member objects."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from orgplane.models.common import Description, DisplayName, ListQuery, Request, Response

TeamRole = Literal["maintainer", "member"]


class CreateTeam(Request):
    name: DisplayName
    description: Description | None = None


class UpdateTeam(Request):
    name: DisplayName | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> UpdateTeam:
        if not self.model_fields_set:
            raise ValueError("give at least one of name, description")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class PutTeamMember(Request):
    role: TeamRole = "member"


class ListTeamsQuery(ListQuery):
    pass


class ListTeamMembersQuery(ListQuery):
    pass


class Team(Response):
    id: str
    org_id: str
    name: str
    description: str | None
    member_count: int
    created_at: str
    updated_at: str


class TeamMember(Response):
    team_id: str
    user_id: str
    role: str
    added_at: str
