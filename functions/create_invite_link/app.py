"""POST /orgs/{org_id}/invite-links: a shareable link to join the org (token shown once)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.onboarding import CreatedInviteLink, CreateInviteLink
from orgplane.services import invite_links

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/invite-links", status=201)
def create_invite_link(caller: Caller, org_id: str, body: CreateInviteLink) -> CreatedInviteLink:
    """Create an invite link (member:invite; never a role above the creator's own); its token is shown only here."""
    return invite_links.create(caller, org_id, body)


lambda_handler = http.entrypoint(app)
