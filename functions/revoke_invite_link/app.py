"""DELETE /orgs/{org_id}/invite-links/{link_id}: revoke an invite link."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import invite_links

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}/invite-links/{link_id}", status=204)
def revoke_invite_link(caller: Caller, org_id: str, link_id: str) -> None:
    """Revoke an invite link: it stops working at once (invitation:revoke)."""
    invite_links.revoke(caller, org_id, link_id)


lambda_handler = http.entrypoint(app)
