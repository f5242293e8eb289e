"""GET /orgs/{org_id}/teams/{team_id}/members: the team's members."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.teams import ListTeamMembersQuery, TeamMember
from orgplane.services import team_members

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/teams/{team_id}/members")
def list_team_members(caller: Caller, org_id: str, team_id: str, query: ListTeamMembersQuery) -> Page[TeamMember]:
    """List a team's members (org:read)."""
    return team_members.list_members(caller, org_id, team_id, query)


lambda_handler = http.entrypoint(app)
