"""POST /orgs/{org_id}/token: a member's org token (RS256, signed in AWS KMS)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.org_tokens import OrgToken
from orgplane.services import org_tokens

app = http.new_app()


@http.route(app, "POST", "/orgs/{org_id}/token")
def create_org_token(caller: Caller, org_id: str) -> OrgToken:
    """Exchange the caller's identity for a short-lived JWT naming the org, their role and permissions.

    Verify it with the keys of `GET /.well-known/jwks.json`. Members only: support staff and services
    get 403. Valid until `exp` even after a removal; use POST /authz/check for instant effect."""
    return org_tokens.issue(caller, org_id, http.api_url(app))


lambda_handler = http.entrypoint(app)
