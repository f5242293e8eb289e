"""DELETE /orgs/{org_id}/domains/{domain}: remove a domain (and its verification)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.services import domains

app = http.new_app()


@http.route(app, "DELETE", "/orgs/{org_id}/domains/{domain}", status=204)
def remove_domain(caller: Caller, org_id: str, domain: str) -> None:
    """Remove a domain; a verified one frees its name for other orgs of the app (domain:manage)."""
    domains.remove(caller, org_id, domain)


lambda_handler = http.entrypoint(app)
