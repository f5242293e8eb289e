"""The event log's reads: an app's (or one org's) events between two event ids, optionally of some types."""

from __future__ import annotations

from orgplane import keys
from orgplane.store import table
from orgplane.store.conditions import Condition


def of_types(types: list[str]) -> Condition:
    """Events whose type (the audit record's ``action``) is one of ``types``."""
    placeholders = [f":e_t{i}" for i in range(len(types))]
    return Condition(f"#e_action IN ({', '.join(placeholders)})", {"#e_action": "action"},
                     dict(zip(placeholders, types, strict=True)))


def between(app_id: str, org_id: str | None, low: str, high: str, types: list[str] | None = None) -> table.QuerySpec:
    """The events with ids from ``low`` to ``high``: the org's audit partition with ``org_id``, else the app's
    audit index; with ``types``, only those (a filter: what it drops still costs read units)."""
    if org_id:
        spec = table.QuerySpec("PK", keys.audit_pk(app_id, org_id), sort_between=(low, high))
    else:
        spec = table.QuerySpec("GSI2PK", keys.app_audit_pk(app_id), index=keys.GSI2, sort_name="GSI2SK",
                               sort_between=(low, high))
    return spec.where(of_types(types) if types else None)
