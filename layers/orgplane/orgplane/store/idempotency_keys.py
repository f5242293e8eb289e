"""Idempotency keys: the conditions on a key's item (``orgplane.idempotency`` drives them)."""

from __future__ import annotations

from orgplane.store.conditions import Condition


def free_at(now: int) -> Condition:
    """No live key item: none yet, or one past its ``ttl`` that DynamoDB has not deleted yet."""
    return Condition("attribute_not_exists(PK) OR #k_ttl <= :k_now", {"#k_ttl": "ttl"}, {":k_now": now})


def owned_by(owner: str) -> Condition:
    """The key item is still the one this request claimed (not another's after it expired)."""
    return Condition("#k_owner = :k_owner", {"#k_owner": "owner"}, {":k_owner": owner})
