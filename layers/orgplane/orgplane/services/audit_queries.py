"""Reading the activity log: an org's (``GET /orgs/{org_id}/audit``) and the app's (``GET /admin/audit``).

The write half, which every mutation imports, is :mod:`orgplane.services.audit`.
"""

from __future__ import annotations

from typing import Any

from orgplane import access, keys
from orgplane.caller import Caller
from orgplane.models.audit import AppAuditQuery, AuditEvent, OrgAuditQuery
from orgplane.models.common import Page
from orgplane.services.tenancy import open_org
from orgplane.store import audit_log, cursors, pages, table


def to_event(item: dict[str, Any]) -> AuditEvent:
    return AuditEvent.model_validate(item)


def list_for_org(caller: Caller, org_id: str, query: OrgAuditQuery) -> Page[AuditEvent]:
    """An org's activity, newest first (``audit:read``)."""
    view = open_org(caller, org_id)
    view.require("audit:read")
    spec = audit_log.of_org(caller.app_id, org_id).where(audit_log.matching(query.action, None))
    return _page(spec, query.limit, query.cursor, f"audit:{caller.app_id}:{org_id}:{query.action or ''}")


def list_for_app(caller: Caller, query: AppAuditQuery) -> Page[AuditEvent]:
    """The app's activity, newest first (support): one org's partition, one actor's view, or all."""
    access.require_support(caller)
    actor = caller.resolve_user(query.actor) if query.actor else None
    if query.org_id:
        spec = audit_log.of_org(caller.app_id, query.org_id).where(
            audit_log.matching(query.action, keys.actor_pk(caller.app_id, actor) if actor else None))
    elif actor:
        spec = audit_log.of_actor(caller.app_id, actor).where(audit_log.matching(query.action, None))
    else:
        spec = audit_log.of_app(caller.app_id).where(audit_log.matching(query.action, None))
    scope = f"admin-audit:{caller.app_id}:{query.org_id or ''}:{actor or ''}:{query.action or ''}"
    return _page(spec, query.limit, query.cursor, scope)


def _page(spec: table.QuerySpec, limit: int, cursor: str | None, scope: str) -> Page[AuditEvent]:
    page = pages.fill(spec, limit, cursors.decode(cursor, scope))
    return Page(data=[to_event(item) for item in page.items], next_cursor=cursors.encode(page.last_key, scope))
