"""GET /orgs/{org_id}/teams/{team_id}: one team."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.teams import Team
from orgplane.services import teams

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/teams/{team_id}")
def get_team(caller: Caller, org_id: str, team_id: str) -> Team:
    """One team of the organization (org:read)."""
    return teams.get(caller, org_id, team_id)


lambda_handler = http.entrypoint(app)
