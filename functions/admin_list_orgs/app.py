"""GET /admin/orgs: every org of the app, or those whose name or slug starts with ?q= (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.admin import AdminOrgsQuery
from orgplane.models.common import Page
from orgplane.models.orgs import Org
from orgplane.services import admin

app = http.new_app()


@http.route(app, "GET", "/admin/orgs")
def admin_list_orgs(caller: Caller, query: AdminOrgsQuery) -> Page[Org]:
    """Search the app's orgs by name or slug prefix (support only)."""
    return admin.list_orgs(caller, query)


lambda_handler = http.entrypoint(app)
