"""POST /orgs/{org_id}/invitations: invite an email address (and optionally into teams)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.invitations import CreateInvitation, Invitation
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/invitations", status=201)
def create_invitation(caller: Caller, org_id: str, body: CreateInvitation) -> Invitation:
    """Invite an email address (member:invite; never a role above the inviter's own)."""
    return invitations.create(caller, org_id, body)


lambda_handler = http.entrypoint(app)
