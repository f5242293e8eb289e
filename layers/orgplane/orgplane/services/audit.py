"""The activity log, write half: every mutation adds its audit event to its own transaction.

Reading it (the routes) is :mod:`orgplane.services.audit_queries`; this half imports nothing that
reads settings or opens an org, so the settings cache and tenancy may depend on it.
"""

from __future__ import annotations

from typing import Any

from orgplane import clock, ids, keys
from orgplane.caller import Caller
from orgplane.services import events
from orgplane.store.transaction import Transaction

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
