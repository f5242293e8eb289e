"""GET /orgs/{org_id}/invite-links: the org's invite links with their use counts."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import ListQuery, Page
from orgplane.models.onboarding import InviteLink
from orgplane.services import invite_links

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/invite-links")
def list_invite_links(caller: Caller, org_id: str, query: ListQuery) -> Page[InviteLink]:
    """The org's invite links, with uses and status, never their tokens (invitation:read)."""
    return invite_links.list_for_org(caller, org_id, query)


lambda_handler = http.entrypoint(app)
