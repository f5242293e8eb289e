"""The activity log: every mutation adds its audit event to its own transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orgplane import access, clock, ids, keys
from orgplane.caller import Caller
from orgplane.models.common import Page
from orgplane.services import events
from orgplane.store import cursors, pages, table
from orgplane.store.transaction import Transaction

if TYPE_CHECKING:  # read side only (to_event): every mutation imports this module just for record()
    from orgplane.models.audit import AppAuditQuery, AuditEvent, OrgAuditQuery

_DAY = 86400


def record(tx: Transaction, caller: Caller, org_id: str | None, action: str, target_type: str, target_id: str,
           details: dict[str, Any] | None = None, retention_days: int = 365) -> str:
    """Add the audit event of a change to ``tx``; the change cannot commit without it.

    The record is also the change's event (:mod:`orgplane.services.events`): numbered in the org's
    sequence at commit, listed by ``GET /events``, delivered to webhooks and the event bus. Its ``id``
    may rise past the one returned here, to keep ids in sequence order.

    ``org_id`` ``None`` records an app-level event (settings). Events expire ``retention_days`` after
    they happen (the table's TTL): pass the app setting ``audit_retention_days``.
    """
    event_id = ids.new("evt")
    events.announce(
        tx,
        {
            **(keys.audit(caller.app_id, org_id, event_id) if org_id else keys.app_audit(caller.app_id, event_id)),
            "GSI1PK": keys.actor_pk(caller.app_id, caller.principal_id),
            "GSI1SK": event_id,
            "GSI2PK": keys.app_audit_pk(caller.app_id),
            "GSI2SK": event_id,
            "entity": "AUDIT",
            "id": event_id,
            "app_id": caller.app_id,
            "org_id": org_id,
            "action": action,
            "actor": caller.actor,
            "target": {"type": target_type, "id": target_id},
            "at": clock.iso(),
            "request_id": caller.request_id,
            "details": details or {},
            "ttl": int(clock.timestamp()) + retention_days * _DAY,
        },
    )
    return event_id


def member_added(tx: Transaction, caller: Caller, org_id: str, user_id: str, role: str, via: str,
                 retention_days: int, **refs: str) -> str:
    """``member.added``: every path that makes a membership announces it the same way (``via`` names the
    path; ``refs`` the object it came through, e.g. ``invitation_id``), so one event type counts seats."""
    return record(tx, caller, org_id, "member.added", "member", user_id,
                  {"user_id": user_id, "role": role, "via": via, **refs}, retention_days)


# --- reading the activity log -------------------------------------------------------------------


def to_event(item: dict[str, Any]) -> AuditEvent:
    from orgplane.models.audit import AuditEvent

    return AuditEvent.model_validate(item)


def list_for_org(caller: Caller, org_id: str, query: OrgAuditQuery) -> Page[AuditEvent]:
    """An org's activity, newest first (``audit:read``)."""
    from orgplane.services.tenancy import open_org  # tenancy → settings → audit: bound at call time

    view = open_org(caller, org_id)
    view.require("audit:read")
    spec = table.QuerySpec("PK", keys.audit_pk(caller.app_id, org_id), forward=False)
    _filter(spec, query.action, None)
    return _page(spec, query.limit, query.cursor, f"audit:{caller.app_id}:{org_id}:{query.action or ''}")


def list_for_app(caller: Caller, query: AppAuditQuery) -> Page[AuditEvent]:
    """The app's activity, newest first (support): one org's partition, one actor's view, or all."""
    access.require_support(caller)
    actor = caller.resolve_user(query.actor) if query.actor else None
    if query.org_id:
        spec = table.QuerySpec("PK", keys.audit_pk(caller.app_id, query.org_id), forward=False)
        _filter(spec, query.action, keys.actor_pk(caller.app_id, actor) if actor else None)
    elif actor:
        spec = table.QuerySpec("GSI1PK", keys.actor_pk(caller.app_id, actor), index=keys.GSI1,
                               sort_name="GSI1SK", forward=False)
        _filter(spec, query.action, None)
    else:
        spec = table.QuerySpec("GSI2PK", keys.app_audit_pk(caller.app_id), index=keys.GSI2,
                               sort_name="GSI2SK", forward=False)
        _filter(spec, query.action, None)
    scope = f"admin-audit:{caller.app_id}:{query.org_id or ''}:{actor or ''}:{query.action or ''}"
    return _page(spec, query.limit, query.cursor, scope)


def _filter(spec: table.QuerySpec, action: str | None, actor_key: str | None) -> None:
    clauses: list[str] = []
    if action and action.endswith(".*"):
        clauses.append("begins_with(#action, :action)")
        spec.filter_values[":action"] = action[:-1]
    elif action:
        clauses.append("#action = :action")
        spec.filter_values[":action"] = action
    if action:
        spec.filter_names["#action"] = "action"
    if actor_key:  # the actor's index key: a user's id, or ``service:<client_id>`` for a service
        clauses.append("#actor_key = :actor")
        spec.filter_names["#actor_key"] = "GSI1PK"
        spec.filter_values[":actor"] = actor_key
    if clauses:
        spec.filter_expression = " AND ".join(clauses)


def _page(spec: table.QuerySpec, limit: int, cursor: str | None, scope: str) -> Page[AuditEvent]:
    page = pages.fill(spec, limit, cursors.decode(cursor, scope))
    return Page(data=[to_event(item) for item in page.items], next_cursor=cursors.encode(page.last_key, scope))
