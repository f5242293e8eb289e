"""Invitations: the named conditions on an invitation's state and its writes."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.store.conditions import Condition, all_of, any_of
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Outcome, Transaction

Item = dict[str, Any]

IS_NEW = Condition("attribute_not_exists(PK)")


def pending() -> Condition:
    return Condition("#i_status = :i_pending", {"#i_status": "status"}, {":i_pending": "pending"})


def pending_with_nonce(nonce: str) -> Condition:
    """Pending, and its link is still the one read (no resend since)."""
    return all_of(pending(), Condition("#i_nonce = :i_nonce", {"#i_nonce": "nonce"}, {":i_nonce": nonce}))


def live(nonce: str, now: int) -> Condition:
    """Pending, unexpired at ``now``, and its link still the one read: an invitee may answer it."""
    return all_of(pending_with_nonce(nonce), unexpired(now))


def unexpired(now: int) -> Condition:
    return Condition("#i_exp > :i_now", {"#i_exp": "expires_epoch"}, {":i_now": now})


def open_at(now: int) -> Condition:
    """Pending and not past its expiry at ``now``: what an invitee still sees and may answer."""
    return all_of(pending(), unexpired(now))


def expired_at(now: int) -> Condition:
    """Marked expired, or pending past its expiry at ``now`` and not yet marked by the expiry job."""
    return any_of(Condition("#i_status = :i_expired", {"#i_status": "status"}, {":i_expired": "expired"}), due(now))


def in_status(status: str) -> Condition:
    return Condition("#i_status = :i_status", {"#i_status": "status"}, {":i_status": status})


#: An invitation item among the other items of an email's view (its claims share the key prefix).
IS_INVITATION = Condition("#i_entity = :i_entity", {"#i_entity": "entity"}, {":i_entity": "INVITE"})


def due(now: int) -> Condition:
    """Pending and past its expiry at ``now``: the expiry job's to mark."""
    return all_of(pending(), Condition("#i_exp <= :i_now", {"#i_exp": "expires_epoch"}, {":i_now": now}))


def put_new(tx: Transaction, item: Item, on_taken: Outcome) -> None:
    tx.put(item, condition=IS_NEW, on_fail=on_taken)


def move(tx: Transaction, app_id: str, org_id: str, invitation_id: str, changes: dict[str, Any], when: Condition,
         remove: list[str] | None = None) -> None:
    """Set ``changes`` (and drop ``remove``) on an invitation in the state ``when`` says, else STALE."""
    tx.update(keys.invitation(app_id, org_id, invitation_id), set_=changes, remove=remove, condition=when,
              on_fail=STALE)


# --- reads ---------------------------------------------------------------------------------------


def of_org(app_id: str, org_id: str) -> QuerySpec:
    """An org's invitations in any state."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.INVITE_PREFIX)


def pending_of_org(app_id: str, org_id: str) -> QuerySpec:
    """An org's pending invitations (only they are on this index; past their expiry until the job runs)."""
    return QuerySpec("GSI2PK", keys.pending_invitations_pk(app_id, org_id), index=keys.GSI2, sort_name="GSI2SK")


def of_email(app_id: str, email_key: str, sort_prefix: str = keys.INVITE_PREFIX) -> QuerySpec:
    """The invitations addressed to an email across the app's orgs (``sort_prefix``: one of them)."""
    return QuerySpec("GSI1PK", keys.email_pk(app_id, email_key), index=keys.GSI1, sort_name="GSI1SK",
                     begins_with=sort_prefix)
