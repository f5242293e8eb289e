"""POST /authz/check: up to 100 live permission checks in one call."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.authz import MAX_BODY_BYTES, CheckRequest, CheckResponse
from orgplane.services import authz

app = http.new_app()


@http.route(app, "POST", "/authz/check", max_body_bytes=MAX_BODY_BYTES)
def check_authz(caller: Caller, body: CheckRequest) -> CheckResponse:
    """Whether users hold permissions in orgs (and teams), read live: results in the order of `checks`.

    The app's backend (orgplane/read) and support staff check anyone of the app; a user only themselves."""
    return authz.check(caller, body)


lambda_handler = http.entrypoint(app)
