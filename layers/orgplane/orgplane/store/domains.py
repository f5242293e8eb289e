"""Org domains and their app-wide claims: an org's domain item (``pending`` → ``verified``) and the claim
(``keys.domain_claim``) that names the one org of the app that verified the domain, with their writes."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.store.conditions import Condition, all_of, any_of
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Outcome, Transaction

Item = dict[str, Any]

PENDING, VERIFIED = "pending", "verified"
IS_NEW = Condition("attribute_not_exists(PK)")
EXISTS = Condition("attribute_exists(PK)")


# --- an org's domain item ---------------------------------------------------------------------------


def put_new(tx: Transaction, item: Item) -> None:
    tx.put(item, condition=IS_NEW, on_fail=STALE)


def delete_as_read(tx: Transaction, app_id: str, org_id: str, domain: str, status: str) -> None:
    """The domain goes, STALE unless it still has the ``status`` read."""
    tx.delete(keys.org_domain(app_id, org_id, domain),
              condition=Condition("#d_status = :d_status", {"#d_status": "status"}, {":d_status": status}),
              on_fail=STALE)


def mark_verified(tx: Transaction, app_id: str, org_id: str, domain: str, verification_value: str,
                  changes: dict[str, Any]) -> None:
    """Set ``changes`` (verified, when, checked) on the domain, STALE unless its challenge is the one looked up."""
    tx.update(keys.org_domain(app_id, org_id, domain), set_=changes,
              condition=Condition("#d_value = :d_value", {"#d_value": "verification_value"},
                                  {":d_value": verification_value}), on_fail=STALE)


def mark_unverified(tx: Transaction, app_id: str, org_id: str, domain: str) -> None:
    """The domain's record is gone from DNS: it is ``pending`` again (STALE if the domain was removed)."""
    tx.update(keys.org_domain(app_id, org_id, domain), set_={"status": PENDING, "verified_at": None},
              condition=EXISTS, on_fail=STALE)


def of_org(app_id: str, org_id: str) -> QuerySpec:
    """An org's domains, by name."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.DOMAIN_PREFIX)


# --- the app-wide claim ---------------------------------------------------------------------------------


def _held_by(org_id: str) -> Condition:
    return Condition("#dc_org = :dc_org", {"#dc_org": "org_id"}, {":dc_org": org_id})


def _checked_as_read(org_id: str, due: str) -> Condition:
    """The claim still names ``org_id`` and waits for the check read (due at ``due`` on GSI3)."""
    return all_of(_held_by(org_id), Condition("#dc_due = :dc_due", {"#dc_due": "GSI3SK"}, {":dc_due": due}))


def claim(tx: Transaction, item: Item, on_taken: Outcome) -> None:
    """Put the claim of a domain nobody has claimed (``on_taken`` if another org claimed it meanwhile)."""
    tx.put(item, condition=IS_NEW, on_fail=on_taken)


def take_over(tx: Transaction, item: Item, holder: str) -> None:
    """Replace the claim, STALE unless it still names ``holder`` (this org, or a deleted org that left it)."""
    tx.put(item, condition=_held_by(holder), on_fail=STALE)


def check_held_by(tx: Transaction, app_id: str, domain: str, org_id: str) -> None:
    """The domain's claim still names ``org_id`` (STALE otherwise)."""
    tx.check(keys.domain_claim(app_id, domain), _held_by(org_id), on_fail=STALE)


def check_not_held_elsewhere(tx: Transaction, app_id: str, domain: str, org_id: str) -> None:
    """Nobody claims the domain, or ``org_id`` does (STALE otherwise: another org, perhaps a deleted one)."""
    tx.check(keys.domain_claim(app_id, domain), any_of(IS_NEW, _held_by(org_id)), on_fail=STALE)


def release(tx: Transaction, app_id: str, domain: str, org_id: str) -> None:
    """The claim goes, STALE unless it still names ``org_id``."""
    tx.delete(keys.domain_claim(app_id, domain), condition=_held_by(org_id), on_fail=STALE)


def release_as_checked(tx: Transaction, app_id: str, domain: str, org_id: str, due: str) -> None:
    """The re-check removes the claim, STALE unless it is the one read (org and due time unchanged)."""
    tx.delete(keys.domain_claim(app_id, domain), condition=_checked_as_read(org_id, due), on_fail=STALE)


def record_check(tx: Transaction, app_id: str, domain: str, org_id: str, due: str, changes: dict[str, Any]) -> None:
    """Set the re-check's outcome (``changes``: failures, when, next due), STALE unless the claim is the one read."""
    tx.update(keys.domain_claim(app_id, domain), set_=changes, condition=_checked_as_read(org_id, due),
              on_fail=STALE)

