"""PUT /orgs/{org_id}/members/{user_id}: add a user directly (201) or set a member's role (200)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.members import Member
from orgplane.models.provisioning import PutMember
from orgplane.services import provisioning

app = http.new_app()


@http.route(app, "PUT", "/orgs/{org_id}/members/{user_id}", status=201, other_statuses=(200,))
def put_member(caller: Caller, org_id: str, user_id: str, body: PutMember) -> http.Answer[Member]:
    """Add a user to the org without an invitation, or set a member's role.

    For the app's backend (orgplane/write) and support staff: 201 when the membership is created,
    200 when it existed (its role set to `role`)."""
    member, created = provisioning.put_member(caller, org_id, user_id, body)
    return http.Answer(member, 201 if created else 200)


lambda_handler = http.entrypoint(app)
