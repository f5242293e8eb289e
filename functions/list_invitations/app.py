"""GET /orgs/{org_id}/invitations: the org's invitations, ``?status=`` filter."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.invitations import Invitation, ListInvitationsQuery
from orgplane.services import invitations

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/invitations")
def list_invitations(caller: Caller, org_id: str, query: ListInvitationsQuery) -> Page[Invitation]:
    """The org's invitations (invitation:read)."""
    return invitations.list_for_org(caller, org_id, query)


lambda_handler = http.entrypoint(app)
