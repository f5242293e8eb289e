"""POST /orgs/{org_id}/join-requests/{request_id}/approve: let the requester in."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.joining import ApproveJoinRequest
from orgplane.models.members import Member
from orgplane.services import joining

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/join-requests/{request_id}/approve")
def approve_join_request(caller: Caller, org_id: str, request_id: str, body: ApproveJoinRequest) -> Member:
    """Approve with the policy's role or ``role`` (member:invite; never above the approver's own)."""
    return joining.approve(caller, org_id, request_id, body)


lambda_handler = http.entrypoint(app)
