"""GET /invitations: pending invitations addressed to the caller's verified email."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import ListQuery, Page
from orgplane.models.invitations import MyInvitation
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "GET", "/invitations")
def list_my_invitations(caller: Caller, query: ListQuery) -> Page[MyInvitation]:
    """The caller's pending invitations (by verified email), in orgs that exist."""
    return invitations.list_mine(caller, query)


lambda_handler = http.entrypoint(app)
