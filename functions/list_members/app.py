"""GET /orgs/{org_id}/members: list members, optionally by role."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.members import ListMembersQuery, Member
from orgplane.services import members

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/members")
def list_members(caller: Caller, org_id: str, query: ListMembersQuery) -> Page[Member]:
    """List the organization's members (member:read)."""
    return members.list_members(caller, org_id, query)


lambda_handler = http.entrypoint(app)
