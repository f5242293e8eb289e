"""Email claims: one per (org, address), held by a member or one pending invitation."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.store import records
from orgplane.store.conditions import Condition
from orgplane.store.transaction import STALE, Outcome, Transaction

IS_NEW = Condition("attribute_not_exists(PK)")


def put_new(tx: Transaction, claim: dict[str, Any], on_taken: Outcome) -> None:
    tx.put(claim, condition=IS_NEW, on_fail=on_taken)


def release_by_member(tx: Transaction, app_id: str, org_id: str, email: str, user_id: str) -> None:
    """A leaving member's claim goes (STALE if someone else holds it now)."""
    tx.delete(keys.email_claim(app_id, org_id, records.email_key(email)),
              condition=Condition("attribute_not_exists(PK) OR #c_user = :c_user", {"#c_user": "user_id"},
                                  {":c_user": user_id}), on_fail=STALE)


def _held_by(invitation_id: str) -> Condition:
    return Condition("#c_inv = :c_inv", {"#c_inv": "invitation_id"}, {":c_inv": invitation_id})


def release_by_invitation(tx: Transaction, app_id: str, org_id: str, email_key: str, invitation_id: str) -> None:
    """An answered, revoked or expired invitation's claim goes (STALE if another holds it now)."""
    tx.delete(keys.email_claim(app_id, org_id, email_key),
              condition=Condition("attribute_not_exists(PK) OR #c_inv = :c_inv", {"#c_inv": "invitation_id"},
                                  {":c_inv": invitation_id}), on_fail=STALE)


def hand_to_member(tx: Transaction, app_id: str, org_id: str, email_key: str, invitation_id: str,
                   user_id: str) -> None:
    """An accepted invitation's claim becomes its new member's."""
    tx.update(keys.email_claim(app_id, org_id, email_key), set_={"state": "member", "user_id": user_id},
              remove=["invitation_id"], condition=_held_by(invitation_id), on_fail=STALE)
