"""Join requests: a request's state (only ``pending`` moves) and the one pending request per (org, user)
(``keys.pending_join``), with their writes and the org's listing."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store import table
from orgplane.store.conditions import Condition
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]

PENDING = "pending"
IS_NEW = Condition("attribute_not_exists(PK)")


def put_new(tx: Transaction, item: Item, on_pending: DomainError) -> None:
    """Put a new pending request and take its (org, user) pending slot (``on_pending`` if it is taken)."""
    tx.put(item, condition=IS_NEW, on_fail=STALE)
    tx.put({**keys.pending_join(str(item["app_id"]), str(item["org_id"]), str(item["user_id"])),
            "entity": "JOIN_PENDING", "request_id": item["id"]}, condition=IS_NEW, on_fail=on_pending)


def decide(tx: Transaction, app_id: str, org_id: str, request_id: str, user_id: str, changes: dict[str, Any]) -> None:
    """Set ``changes`` (the decision) on a request that is still pending and free its pending slot; STALE if
    the request moved or the slot names another request."""
    tx.update(keys.join_request(app_id, org_id, request_id), set_=changes,
              condition=Condition("#jr_status = :jr_pending", {"#jr_status": "status"}, {":jr_pending": PENDING}),
              on_fail=STALE)
    tx.delete(keys.pending_join(app_id, org_id, user_id),
              condition=Condition("#pj_request = :pj_request", {"#pj_request": "request_id"},
                                  {":pj_request": request_id}), on_fail=STALE)


def in_status(status: str) -> Condition:
    return Condition("#jr_status = :jr_status", {"#jr_status": "status"}, {":jr_status": status})


def of_org(app_id: str, org_id: str, status: str | None = None) -> table.QuerySpec:
    """The org's requests (in the org's partition), only those in ``status`` if given."""
    return table.QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.JOIN_REQUEST_PREFIX).where(
        in_status(status) if status else None)


def of_user(app_id: str, user_id: str, request_id: str | None = None) -> table.QuerySpec:
    """A user's requests across the app's orgs (on GSI1), or only ``request_id`` (which names no org)."""
    prefix = keys.join_request_gsi1(app_id, user_id, request_id)["GSI1SK"] if request_id else keys.JOIN_REQUEST_PREFIX
    return table.QuerySpec("GSI1PK", keys.user_pk(app_id, user_id), index=keys.GSI1, sort_name="GSI1SK",
                           begins_with=prefix)
