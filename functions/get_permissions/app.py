"""GET /orgs/{org_id}/permissions: the caller's role, permissions and teams in the org."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.members import Permissions
from orgplane.services import members

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/permissions")
def get_permissions(caller: Caller, org_id: str) -> Permissions:
    """The caller's effective access in the organization."""
    return members.permissions(caller, org_id)


lambda_handler = http.entrypoint(app)
