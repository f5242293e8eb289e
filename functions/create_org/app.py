"""POST /orgs: create an organization; the caller becomes its owner."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.orgs import CreateOrg, Org
from orgplane.services import orgs

app = http.new_app()


@http.route(app, "POST", "/orgs", status=201)
def create_org(caller: Caller, body: CreateOrg) -> Org:
    """Create an organization."""
    return orgs.create(caller, body)


lambda_handler = http.entrypoint(app)
