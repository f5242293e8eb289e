"""POST /orgs/{org_id}/ownership-transfers: an owner offers the org's ownership to a member."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.ownership import CreateOwnershipTransfer, OwnershipTransfer
from orgplane.services import ownership

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/ownership-transfers", status=201)
def request_ownership_transfer(caller: Caller, org_id: str, body: CreateOwnershipTransfer) -> OwnershipTransfer:
    """Offer ownership to a member (owner only; one pending transfer per org; expires in 7 days)."""
    return ownership.request(caller, org_id, body)


lambda_handler = http.entrypoint(app)
