"""GET /orgs/{org_id}/invitations/{invitation_id}: one invitation."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.invitations import Invitation
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/invitations/{invitation_id}")
def get_invitation(caller: Caller, org_id: str, invitation_id: str) -> Invitation:
    """One invitation of the org (invitation:read)."""
    return invitations.get(caller, org_id, invitation_id)


lambda_handler = http.entrypoint(app)
