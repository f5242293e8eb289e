"""POST /orgs/{org_id}/ownership-transfers/{transfer_id}/decline: the target says no."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.ownership import OwnershipTransfer
from orgplane.services import ownership

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/ownership-transfers/{transfer_id}/decline")
def decline_ownership_transfer(caller: Caller, org_id: str, transfer_id: str) -> OwnershipTransfer:
    """Decline ownership offered to you."""
    return ownership.decline(caller, org_id, transfer_id)


lambda_handler = http.entrypoint(app)
