"""PATCH /orgs/{org_id}: rename, change slug or metadata."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.orgs import Org, UpdateOrg
from orgplane.services import orgs

app = http.new_app()


@http.route(app, "PATCH", "/orgs/{org_id}")
def update_org(caller: Caller, org_id: str, body: UpdateOrg) -> Org:
    """Change an organization (org:update)."""
    return orgs.update(caller, org_id, body)


lambda_handler = http.entrypoint(app)
