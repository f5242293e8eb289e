"""Soft-deleted orgs: the ``DELETED`` item that keeps an org restorable, the hide/unhide walk jobs, and the
``soft_deleted`` flag those walks move on memberships and pending invitations."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.store import users
from orgplane.store.conditions import Condition, all_of
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]
Key = dict[str, str]

IS_NEW = Condition("attribute_not_exists(PK)")
EXISTS = Condition("attribute_exists(PK)")

RESTORABLE = Condition("attribute_exists(PK) AND attribute_not_exists(#do_purging)", {"#do_purging": "purging"})
"""The deleted org is still there and its purge has not started: it may be restored (and hidden)."""

_LISTING_INDEXES = ["GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"]


def deleted_orgs(app_id: str) -> QuerySpec:
    """The app's deleted orgs still restorable (support's listing, GSI2), newest first."""
    return QuerySpec("GSI2PK", keys.deleted_orgs_pk(app_id), index=keys.GSI2, sort_name="GSI2SK", forward=False)


def purge_due(now_epoch: int) -> Condition:
    """Restorable, and its restore window closed by ``now_epoch``."""
    return all_of(RESTORABLE, Condition("#do_purge <= :do_now", {"#do_purge": "purge_epoch"},
                                        {":do_now": now_epoch}))


def keep(tx: Transaction, deleted: Item) -> None:
    """Put the ``DELETED`` item of an org being deleted (STALE if one is there already)."""
    tx.put(deleted, condition=IS_NEW, on_fail=STALE)


def take_back(tx: Transaction, app_id: str, org_id: str) -> None:
    """A restore removes the ``DELETED`` item, STALE unless it is still restorable."""
    tx.delete(keys.deleted_org(app_id, org_id), condition=RESTORABLE, on_fail=STALE)


def check_restorable(tx: Transaction, app_id: str, org_id: str) -> None:
    tx.check(keys.deleted_org(app_id, org_id), RESTORABLE, on_fail=STALE)


def start_purging(tx: Transaction, app_id: str, org_id: str, now: str, now_epoch: int) -> None:
    """Mark the deleted org ``purging`` (restores are refused from now on) and take it off support's listing
    and the due index, STALE unless it is restorable and due by ``now_epoch``."""
    tx.update(keys.deleted_org(app_id, org_id), set_={"purging": True, "purge_started_at": now},
              remove=_LISTING_INDEXES, condition=purge_due(now_epoch), on_fail=STALE)


# --- the walk jobs ----------------------------------------------------------------------------------


def _this_run(run_id: str) -> Condition:
    """The walk job is still the run read (not finished, not replaced by a newer walk of its kind)."""
    return Condition("#w_run = :w_run", {"#w_run": "run_id"}, {":w_run": run_id})


def start_walk(tx: Transaction, job: Item) -> None:
    """Put a walk's job item (a newer walk of the same kind replaces an older one: new ``run_id``)."""
    tx.put(job)


def advance_walk(tx: Transaction, job_key: Key, run_id: str, cursor: str, at: str) -> None:
    """Record a batch done (its MODIFY record drives the next), while the job is still this run."""
    tx.update(job_key, set_={"cursor": cursor, "last_batch_at": at}, add={"batches": 1}, condition=_this_run(run_id))


def finish_walk(tx: Transaction, job_key: Key, run_id: str) -> None:
    tx.delete(job_key, condition=_this_run(run_id))


# --- what a walk moves --------------------------------------------------------------------------------

_FLAG = {"#h_flag": "soft_deleted"}
_SHOWN = Condition("attribute_not_exists(#h_flag)", dict(_FLAG))
_HIDDEN = Condition("attribute_exists(#h_flag)", dict(_FLAG))


def _pending_invitation() -> Condition:
    return Condition("#h_status = :h_pending", {"#h_status": "status"}, {":h_pending": "pending"})


def hide_membership(tx: Transaction, app_id: str, membership: Item) -> None:
    """Flag a shown membership ``soft_deleted`` and release its place in the user's org count."""
    tx.update(_key(membership), set_={"soft_deleted": True}, condition=all_of(EXISTS, _SHOWN), on_fail=STALE)
    users.count_orgs(tx, app_id, str(membership["user_id"]), -1, None)


def unhide_membership(tx: Transaction, app_id: str, membership: Item) -> None:
    """Bring a hidden membership back and count it for its user again, without their org limit."""
    tx.update(_key(membership), remove=["soft_deleted"], condition=all_of(EXISTS, _HIDDEN), on_fail=STALE)
    users.count_orgs(tx, app_id, str(membership["user_id"]), 1, None)


def hide_invitation(tx: Transaction, invitation: Item) -> None:
    """Flag a shown pending invitation ``soft_deleted`` and take it off the expiry index."""
    tx.update(_key(invitation), set_={"soft_deleted": True}, remove=["GSI3PK", "GSI3SK"],
              condition=all_of(_pending_invitation(), _SHOWN), on_fail=STALE)


def unhide_invitation(tx: Transaction, app_id: str, invitation: Item) -> None:
    """Bring a hidden pending invitation back, onto the expiry index at its expiry."""
    back = keys.expiry_gsi3(int(invitation["expires_epoch"]), app_id, str(invitation["id"]))
    tx.update(_key(invitation), set_=back, remove=["soft_deleted"], condition=all_of(_pending_invitation(), _HIDDEN),
              on_fail=STALE)


def _key(item: Item) -> Key:
    return {"PK": item["PK"], "SK": item["SK"]}
