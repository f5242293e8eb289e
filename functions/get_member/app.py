"""GET /orgs/{org_id}/members/{user_id}: one member (``me`` for the caller)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.members import Member
from orgplane.services import members

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/members/{user_id}")
def get_member(caller: Caller, org_id: str, user_id: str) -> Member:
    """Read one membership (member:read)."""
    return members.get_member(caller, org_id, user_id)


lambda_handler = http.entrypoint(app)
