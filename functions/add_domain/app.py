"""POST /orgs/{org_id}/domains: add a domain to verify with a DNS TXT record."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.domains import AddDomain, Domain
from orgplane.services import domains

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/domains", status=201)
def add_domain(caller: Caller, org_id: str, body: AddDomain) -> Domain:
    """Add a domain (domain:manage); the answer names the TXT record that proves it is the org's."""
    return domains.add(caller, org_id, body)


lambda_handler = http.entrypoint(app)
