"""DELETE /orgs/{org_id}/invitations/{invitation_id}: revoke a pending invitation."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}/invitations/{invitation_id}", status=204)
def revoke_invitation(caller: Caller, org_id: str, invitation_id: str) -> None:
    """Revoke a pending invitation; its link stops working (invitation:revoke)."""
    invitations.revoke(caller, org_id, invitation_id)


lambda_handler = http.entrypoint(app)
