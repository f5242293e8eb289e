"""GET /admin/orgs: every org of the app, or those whose name or slug starts with ?q=; ?deleted=true: the
deleted orgs still restorable (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.admin import AdminOrgsQuery
from orgplane.models.common import Page
from orgplane.models.orgs import DeletedOrg, Org
from orgplane.services import admin, lifecycle

app = http.new_app()


@http.route(app, "GET", "/admin/orgs")
def admin_list_orgs(caller: Caller, query: AdminOrgsQuery) -> Page[Org] | Page[DeletedOrg]:
    """Search the app's orgs by name or slug prefix; ?deleted=true lists deleted orgs with deleted_at and
    purge_at (support only)."""
    if query.deleted:
        return lifecycle.list_deleted(caller, query)
    return admin.list_orgs(caller, query)


lambda_handler = http.entrypoint(app)
