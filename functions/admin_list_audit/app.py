"""GET /admin/audit: the app's activity log, newest first, by org, actor or action (support only)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.audit import AppAuditQuery, AuditEvent
from orgplane.models.common import Page
from orgplane.services import audit_queries

app = http.new_app()


@http.route(app, "GET", "/admin/audit")
def admin_list_audit(caller: Caller, query: AppAuditQuery) -> Page[AuditEvent]:
    """App-wide activity, ?org_id=, ?actor=, ?action= (support only)."""
    return audit_queries.list_for_app(caller, query)


lambda_handler = http.entrypoint(app)
