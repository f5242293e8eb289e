"""DELETE /orgs/{org_id}/members/{user_id}: remove a member, or leave (own id or ``me``)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import members

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}/members/{user_id}", status=204)
def remove_member(caller: Caller, org_id: str, user_id: str) -> None:
    """Remove a member (member:remove), or leave the organization."""
    members.remove_member(caller, org_id, user_id)


lambda_handler = http.entrypoint(app)
