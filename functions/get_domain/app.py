"""GET /orgs/{org_id}/domains/{domain}: one of the org's domains."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.domains import Domain
from orgplane.services import domains

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/domains/{domain}")
def get_domain(caller: Caller, org_id: str, domain: str) -> Domain:
    """One domain of the org, by name (domain:manage)."""
    return domains.get(caller, org_id, domain)


lambda_handler = http.entrypoint(app)
