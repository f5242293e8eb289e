"""POST /orgs/{org_id}/join: join (auto) or ask to join (request) by a verified email domain."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.joining import JoinRequest
from orgplane.models.members import Member
from orgplane.services import joining

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/join", status=201, other_statuses=(202,))
def join_org(caller: Caller, org_id: str) -> http.Answer[Member | JoinRequest]:
    """201 the new member (policy auto) or 202 a join request (policy request); else 404."""
    result = joining.join(caller, org_id)
    return http.Answer(result, status=202 if isinstance(result, JoinRequest) else 201)


lambda_handler = http.entrypoint(app)
