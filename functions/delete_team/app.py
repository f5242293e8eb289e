"""DELETE /orgs/{org_id}/teams/{team_id}: delete a team and its memberships; 204."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import teams

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}/teams/{team_id}", status=204)
def delete_team(caller: Caller, org_id: str, team_id: str) -> None:
    """Delete a team (team:delete)."""
    teams.delete(caller, org_id, team_id)


lambda_handler = http.entrypoint(app)
