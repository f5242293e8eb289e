"""GET /.well-known/jwks.json: the public keys that verify org tokens (no token needed)."""

from orgplane import http
from orgplane.models.org_tokens import Jwks
from orgplane.services import org_tokens

app = http.new_app()
CACHE_CONTROL = "public, max-age=300"  # a rotated-out key stays published far longer than this


@http.route(app, "GET", "/.well-known/jwks.json", public=True)
def jwks() -> http.Answer[Jwks]:
    """The current and previous org-token signing keys (RS256), for any JWT library's JWKS client."""
    return http.Answer(org_tokens.key_set(), headers={"Cache-Control": CACHE_CONTROL})


lambda_handler = http.entrypoint(app)
