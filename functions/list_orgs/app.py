"""GET /orgs: the caller's organizations, each with the caller's role."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.orgs import ListOrgsQuery, OrgWithRole
from orgplane.services import orgs

app = http.new_app()


@http.route(app, "GET", "/orgs")
def list_orgs(caller: Caller, query: ListOrgsQuery) -> Page[OrgWithRole]:
    """List the caller's organizations."""
    return orgs.list_for_caller(caller, query)


lambda_handler = http.entrypoint(app)
