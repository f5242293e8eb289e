"""PATCH /orgs/{org_id}/teams/{team_id}: rename or describe a team."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.teams import Team, UpdateTeam
from orgplane.services import teams

app = http.new_app()


@http.route(app, "PATCH", "/orgs/{org_id}/teams/{team_id}")
def update_team(caller: Caller, org_id: str, team_id: str, body: UpdateTeam) -> Team:
    """Change a team's name or description (team:update, or the team's maintainer)."""
    return teams.update(caller, org_id, team_id, body)


lambda_handler = http.entrypoint(app)
