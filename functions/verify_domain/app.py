"""POST /orgs/{org_id}/domains/{domain}/verify: look the TXT record up in DNS now."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.domains import Domain
from orgplane.services import domains

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/domains/{domain}/verify")
def verify_domain(caller: Caller, org_id: str, domain: str) -> Domain:
    """Verify a domain by its TXT record (domain:manage): 200 verified, or 409 domain_not_verified."""
    return domains.verify(caller, org_id, domain)


lambda_handler = http.entrypoint(app)
