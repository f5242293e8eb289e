"""DELETE /orgs/{org_id}/ownership-transfers/{transfer_id}: the initiator (or an owner) withdraws the offer."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import ownership

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}/ownership-transfers/{transfer_id}", status=204)
def cancel_ownership_transfer(caller: Caller, org_id: str, transfer_id: str) -> None:
    """Cancel a pending ownership transfer (its initiator, an owner, or support)."""
    ownership.cancel(caller, org_id, transfer_id)


lambda_handler = http.entrypoint(app)
