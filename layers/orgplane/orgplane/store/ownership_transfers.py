"""Ownership transfers: a transfer's state (only ``pending`` moves) and the org's claim on its one pending
transfer (``keys.pending_transfer``), with their writes."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store import records
from orgplane.store.conditions import Condition, all_of
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]

PENDING = "pending"
IS_NEW = Condition("attribute_not_exists(PK)")
_EXPIRY_INDEXES = ["GSI3PK", "GSI3SK"]


def pending() -> Condition:
    return Condition("#ot_status = :ot_pending", {"#ot_status": "status"}, {":ot_pending": PENDING})


def answerable(now_epoch: int) -> Condition:
    """Pending and not past its expiry at ``now_epoch``: its target may accept or decline it, its initiator
    cancel it."""
    return all_of(pending(), Condition("#ot_exp > :ot_now", {"#ot_exp": "expires_epoch"}, {":ot_now": now_epoch}))


def due(now_epoch: int) -> Condition:
    """Pending and past its expiry at ``now_epoch``: to be marked ``expired``."""
    return all_of(pending(), Condition("#ot_exp <= :ot_now", {"#ot_exp": "expires_epoch"}, {":ot_now": now_epoch}))


def open_new(tx: Transaction, transfer: Item, on_pending: DomainError) -> None:
    """Put a new pending transfer with the org's claim on it (``on_pending`` when the org has one already)."""
    tx.put(records.pending_transfer_item(transfer), condition=IS_NEW, on_fail=on_pending)
    tx.put(transfer, condition=IS_NEW)


def close(tx: Transaction, app_id: str, org_id: str, transfer_id: str, status: str, now: str, when: Condition) -> None:
    """Move the transfer to ``status`` (off the expiry index) and free the org's claim on it; STALE unless the
    transfer is as ``when`` says and the claim still names it."""
    tx.update(keys.ownership_transfer(app_id, org_id, transfer_id), set_={"status": status, "updated_at": now},
              remove=_EXPIRY_INDEXES, condition=when, on_fail=STALE)
    tx.delete(keys.pending_transfer(app_id, org_id),
              condition=Condition("#pt_id = :pt_id", {"#pt_id": "transfer_id"}, {":pt_id": transfer_id}),
              on_fail=STALE)


def of_org(app_id: str, org_id: str) -> QuerySpec:
    """An org's transfers, newest first."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.TRANSFER_PREFIX, forward=False)
