"""The activity log: every mutation adds its audit event to its own transaction."""

from __future__ import annotations

from typing import Any

from orgplane import clock, ids, keys
from orgplane.caller import Caller
from orgplane.store.transaction import Transaction

_DAY = 86400


def record(tx: Transaction, caller: Caller, org_id: str, action: str, target_type: str, target_id: str,
           details: dict[str, Any] | None = None, retention_days: int = 365) -> str:
    """Add the audit event of a change to ``tx``; the change cannot commit without it."""
    event_id = ids.new("evt")
    tx.put(
        {
            **keys.audit(caller.app_id, org_id, event_id),
            "GSI1PK": keys.actor_pk(caller.app_id, caller.user_id),
            "GSI1SK": event_id,
            "GSI2PK": keys.app_audit_pk(caller.app_id),
            "GSI2SK": event_id,
            "entity": "AUDIT",
            "id": event_id,
            "app_id": caller.app_id,
            "org_id": org_id,
            "action": action,
            "actor": {"user_id": caller.user_id, "email": caller.email, "support": caller.support},
            "target": {"type": target_type, "id": target_id},
            "at": clock.iso(),
            "request_id": caller.request_id,
            "details": details or {},
            "ttl": int(clock.timestamp()) + retention_days * _DAY,
        }
    )
    return event_id
