"""GET /orgs/{org_id}/ownership-transfers: the org's ownership transfers, newest first."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.ownership import ListOwnershipTransfersQuery, OwnershipTransfer
from orgplane.services import ownership

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/ownership-transfers")
def list_ownership_transfers(caller: Caller, org_id: str,
                             query: ListOwnershipTransfersQuery) -> Page[OwnershipTransfer]:
    """The org's ownership transfers, newest first; a pending one comes first (member:read)."""
    return ownership.list_for_org(caller, org_id, query)


lambda_handler = http.entrypoint(app)
