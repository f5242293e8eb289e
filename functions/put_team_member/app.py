"""PUT /orgs/{org_id}/teams/{team_id}/members/{user_id}: add to a team, or change the team role."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.teams import PutTeamMember, TeamMember
from orgplane.services import team_members

app = http.new_app()


@http.route(app, "PUT", "/orgs/{org_id}/teams/{team_id}/members/{user_id}")
def put_team_member(caller: Caller, org_id: str, team_id: str, user_id: str, body: PutTeamMember) -> TeamMember:
    """Add an org member to the team or change their team role (team:member:manage, or maintainer)."""
    return team_members.put_member(caller, org_id, team_id, user_id, body)


lambda_handler = http.entrypoint(app)
