"""POST /admin/orgs/{org_id}/restore: bring back a deleted org within its restore window (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.orgs import Org, RestoreOrg
from orgplane.services import lifecycle

app = http.new_app()


@http.route(app, "POST", "/admin/orgs/{org_id}/restore")
def admin_restore_org(caller: Caller, org_id: str, body: RestoreOrg) -> Org:
    """Restore a deleted org with its members, teams and invitations; its slug again, or ``slug`` (support only)."""
    return lifecycle.restore(caller, org_id, body)


lambda_handler = http.entrypoint(app)
