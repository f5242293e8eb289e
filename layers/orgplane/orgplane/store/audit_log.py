"""Reading audit records: the activity log (an org's partition, an actor's view, the app's index, newest first)
and the event log (the same records as events, oldest first, between two event ids), with their filters."""

from __future__ import annotations

from orgplane import keys
from orgplane.store.conditions import Condition, all_of
from orgplane.store.table import QuerySpec


def action_is(action: str) -> Condition:
    """Records of ``action``; ``member.*`` means every action of that family."""
    if action.endswith(".*"):
        return Condition("begins_with(#a_action, :a_action)", {"#a_action": "action"}, {":a_action": action[:-1]})
    return Condition("#a_action = :a_action", {"#a_action": "action"}, {":a_action": action})


def by_actor(actor_key: str) -> Condition:
    """Records of one actor, by the actor's index key (a user's id, or ``service:<client_id>``)."""
    return Condition("#a_actor = :a_actor", {"#a_actor": "GSI1PK"}, {":a_actor": actor_key})


def matching(action: str | None, actor_key: str | None) -> Condition | None:
    """The filter for an optional action and an optional actor; ``None`` when there is nothing to filter."""
    conditions = [c for c in (action_is(action) if action else None, by_actor(actor_key) if actor_key else None) if c]
    return all_of(*conditions) if conditions else None


def of_org(app_id: str, org_id: str) -> QuerySpec:
    return QuerySpec("PK", keys.audit_pk(app_id, org_id), forward=False)


def of_actor(app_id: str, actor: str) -> QuerySpec:
    """What one actor (a user id, or ``service:<client_id>``) did across the app."""
    return QuerySpec("GSI1PK", keys.actor_pk(app_id, actor), index=keys.GSI1, sort_name="GSI1SK", forward=False)


def of_app(app_id: str) -> QuerySpec:
    return QuerySpec("GSI2PK", keys.app_audit_pk(app_id), index=keys.GSI2, sort_name="GSI2SK", forward=False)


# --- the event log (GET /events): the audit records as events, oldest first ---------------------------


def of_types(types: list[str]) -> Condition:
    """Events whose type (the audit record's ``action``) is one of ``types``."""
    placeholders = [f":e_t{i}" for i in range(len(types))]
    return Condition(f"#e_action IN ({', '.join(placeholders)})", {"#e_action": "action"},
                     dict(zip(placeholders, types, strict=True)))


def events_between(app_id: str, org_id: str | None, low: str, high: str,
                   types: list[str] | None = None) -> QuerySpec:
    """The events with ids from ``low`` to ``high``: the org's audit partition with ``org_id``, else the app's
    audit index; with ``types``, only those (a filter: what it drops still costs read units)."""
    if org_id:
        spec = QuerySpec("PK", keys.audit_pk(app_id, org_id), sort_between=(low, high))
    else:
        spec = QuerySpec("GSI2PK", keys.app_audit_pk(app_id), index=keys.GSI2, sort_name="GSI2SK",
                         sort_between=(low, high))
    return spec.where(of_types(types) if types else None)
