"""GET /orgs/{org_id}/teams: the organization's teams."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.teams import ListTeamsQuery, Team
from orgplane.services import teams

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/teams")
def list_teams(caller: Caller, org_id: str, query: ListTeamsQuery) -> Page[Team]:
    """List the organization's teams (org:read)."""
    return teams.list_teams(caller, org_id, query)


lambda_handler = http.entrypoint(app)
