"""POST /invitations/accept: accept with the token from the email link."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.invitations import InvitationToken
from orgplane.models.members import Member
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "POST", "/invitations/accept")
def accept_invitation(caller: Caller, body: InvitationToken) -> Member:
    """Join the org (and the invitation's teams); the caller's verified email must be the invitation's."""
    return invitations.accept_by_token(caller, body)


lambda_handler = http.entrypoint(app)
