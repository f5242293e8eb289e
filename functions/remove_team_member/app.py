"""DELETE /orgs/{org_id}/teams/{team_id}/members/{user_id}: remove from a team, or leave it; 204."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import team_members

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}/teams/{team_id}/members/{user_id}", status=204)
def remove_team_member(caller: Caller, org_id: str, team_id: str, user_id: str) -> None:
    """Remove a team member (team:member:manage, or maintainer), or leave the team (own id or ``me``)."""
    team_members.remove_member(caller, org_id, team_id, user_id)


lambda_handler = http.entrypoint(app)
