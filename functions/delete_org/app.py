"""DELETE /orgs/{org_id}: delete; members and claims are cleaned up asynchronously."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import orgs

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}", status=204)
def delete_org(caller: Caller, org_id: str) -> None:
    """Delete an organization (org:delete)."""
    orgs.delete(caller, org_id)


lambda_handler = http.entrypoint(app)
