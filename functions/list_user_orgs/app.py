"""GET /users/{user_id}/orgs: a user's orgs with their role."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.models.orgs import ListOrgsQuery, OrgWithRole
from orgplane.services import provisioning

app = http.new_app()


@http.route(app, "GET", "/users/{user_id}/orgs")
def list_user_orgs(caller: Caller, user_id: str, query: ListOrgsQuery) -> Page[OrgWithRole]:
    """A user's orgs, each with the user's role (the app's backend, support staff, or the user as `me`)."""
    return provisioning.list_user_orgs(caller, user_id, query)


lambda_handler = http.entrypoint(app)
