"""POST /orgs/{org_id}/ownership-transfers/{transfer_id}/accept: the target becomes owner, the initiator admin."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.ownership import OwnershipTransfer
from orgplane.services import ownership

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/ownership-transfers/{transfer_id}/accept")
def accept_ownership_transfer(caller: Caller, org_id: str, transfer_id: str) -> OwnershipTransfer:
    """Accept ownership offered to you: you become owner, the initiator admin, in one write."""
    return ownership.accept(caller, org_id, transfer_id)


lambda_handler = http.entrypoint(app)
