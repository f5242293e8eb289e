"""GET /orgs/{org_id}/audit: the org's activity log, newest first, ?action= (audit:read)."""

from orgplane import http
from orgplane.caller import Caller
from orgplane.models.audit import AuditEvent, OrgAuditQuery
from orgplane.models.common import Page
from orgplane.services import audit_queries

app = http.new_app()


@http.route(app, "GET", "/orgs/{org_id}/audit")
def list_org_audit(caller: Caller, org_id: str, query: OrgAuditQuery) -> Page[AuditEvent]:
    """The organization's activity (audit:read)."""
    return audit_queries.list_for_org(caller, org_id, query)


lambda_handler = http.entrypoint(app)
