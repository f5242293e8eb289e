"""GET /me/joinable-orgs: orgs the caller may join by their verified email's domain."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.joining import JoinableOrgs
from orgplane.services import joining

app = http.new_app()


@http.route(app, "GET", "/me/joinable-orgs")
def list_joinable_orgs(caller: Caller) -> JoinableOrgs:
    """The org that verified the domain of the caller's verified email, if its join policy is not off."""
    return joining.joinable(caller)


lambda_handler = http.entrypoint(app)
