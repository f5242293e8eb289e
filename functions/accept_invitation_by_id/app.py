"""POST /invitations/{invitation_id}/accept: accept from the in-app list, without a token."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.members import Member
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "POST", "/invitations/{invitation_id}/accept")
def accept_invitation_by_id(caller: Caller, invitation_id: str) -> Member:
    """Join the org (and teams) of one of the caller's pending invitations."""
    return invitations.accept_by_id(caller, invitation_id)


lambda_handler = http.entrypoint(app)
