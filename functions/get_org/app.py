"""GET /orgs/{org_id}: one organization."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.orgs import Org
from orgplane.services import orgs

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}")
def get_org(caller: Caller, org_id: str) -> Org:
    """Read an organization (org:read)."""
    return orgs.get(caller, org_id)


lambda_handler = http.entrypoint(app)
