"""POST /invitations/decline: decline with the token from the email link."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.invitations import InvitationToken
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "POST", "/invitations/decline", status=204)
def decline_invitation(caller: Caller, body: InvitationToken) -> None:
    """Decline; the caller's verified email must be the invitation's."""
    invitations.decline_by_token(caller, body)


lambda_handler = http.entrypoint(app)
