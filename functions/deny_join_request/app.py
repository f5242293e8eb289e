"""POST /orgs/{org_id}/join-requests/{request_id}/deny: refuse a join request."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import joining

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/join-requests/{request_id}/deny", status=204)
def deny_join_request(caller: Caller, org_id: str, request_id: str) -> None:
    """Deny a pending join request (member:invite)."""
    joining.deny(caller, org_id, request_id)


lambda_handler = http.entrypoint(app)
