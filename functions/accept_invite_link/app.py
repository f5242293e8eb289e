"""POST /invite-links/accept: join an org with an invite link's token."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.members import Member
from orgplane.models.onboarding import InviteLinkToken
from orgplane.services import invite_links

app = http.new_app()


@http.route(app, "POST", "/invite-links/accept")
def accept_invite_link(caller: Caller, body: InviteLinkToken) -> Member:
    """Join the org with the link's role; needs a verified email (of an allowed domain if the link names some)."""
    return invite_links.accept(caller, body)


lambda_handler = http.entrypoint(app)
