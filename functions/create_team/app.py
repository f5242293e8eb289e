"""POST /orgs/{org_id}/teams: create a team; 201."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.teams import CreateTeam, Team
from orgplane.services import teams

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/teams", status=201)
def create_team(caller: Caller, org_id: str, body: CreateTeam) -> Team:
    """Create a team in the organization (team:create; names unique per org)."""
    return teams.create(caller, org_id, body)


lambda_handler = http.entrypoint(app)
