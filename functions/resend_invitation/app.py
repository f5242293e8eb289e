"""POST /orgs/{org_id}/invitations/{invitation_id}/resend: a new link, a new expiry, a new mail."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.invitations import Invitation
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/invitations/{invitation_id}/resend")
def resend_invitation(caller: Caller, org_id: str, invitation_id: str) -> Invitation:
    """Send a pending invitation again; the old link stops working (member:invite)."""
    return invitations.resend(caller, org_id, invitation_id)


lambda_handler = http.entrypoint(app)
