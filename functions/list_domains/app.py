"""GET /orgs/{org_id}/domains: the org's domains, pending and verified."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import ListQuery, Page
from orgplane.models.domains import Domain
from orgplane.services import domains

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/domains")
def list_domains(caller: Caller, org_id: str, query: ListQuery) -> Page[Domain]:
    """The org's domains with their status and TXT record (domain:manage)."""
    return domains.list_for_org(caller, org_id, query)


lambda_handler = http.entrypoint(app)
