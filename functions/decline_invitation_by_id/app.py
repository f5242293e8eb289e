"""POST /invitations/{invitation_id}/decline: decline from the in-app list, without a token."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "POST", "/invitations/{invitation_id}/decline", status=204)
def decline_invitation_by_id(caller: Caller, invitation_id: str) -> None:
    """Decline one of the caller's pending invitations."""
    invitations.decline_by_id(caller, invitation_id)


lambda_handler = http.entrypoint(app)
