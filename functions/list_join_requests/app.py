"""GET /orgs/{org_id}/join-requests: the org's join requests, ``?status=`` filter."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.joining import JoinRequest, ListJoinRequestsQuery
from orgplane.services import joining

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/join-requests")
def list_join_requests(caller: Caller, org_id: str, query: ListJoinRequestsQuery) -> Page[JoinRequest]:
    """The org's join requests (member:invite)."""
    return joining.list_for_org(caller, org_id, query)


lambda_handler = http.entrypoint(app)
