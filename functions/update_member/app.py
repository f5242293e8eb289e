"""PATCH /orgs/{org_id}/members/{user_id}: change a member's role."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.members import Member, UpdateMember
from orgplane.services import members

app = http.new_app()


@http.route(app, "PATCH", "/orgs/{org_id}/members/{user_id}")
def update_member(caller: Caller, org_id: str, user_id: str, body: UpdateMember) -> Member:
    """Change a member's role (member:update; no escalation; owners only for owner)."""
    return members.update_member(caller, org_id, user_id, body)


lambda_handler = http.entrypoint(app)
