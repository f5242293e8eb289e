"""POST /orgs/{org_id}/invitations/bulk: up to 100 invitations, each row answered on its own."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.onboarding import BulkInvitationResults, BulkInvitations
from orgplane.services import bulk_invitations

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/invitations/bulk")
def create_invitations_bulk(caller: Caller, org_id: str, body: BulkInvitations) -> BulkInvitationResults:
    """Invite up to 100 addresses; each result row is what POST /orgs/{org_id}/invitations would answer."""
    return bulk_invitations.create_many(caller, org_id, body)


lambda_handler = http.entrypoint(app)
