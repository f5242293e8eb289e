"""A user's app-wide item: the count of orgs they belong to."""

from __future__ import annotations

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store.conditions import Condition
from orgplane.store.transaction import Transaction


def count_orgs(tx: Transaction, app_id: str, user_id: str, delta: int, limit: int | None,
               on_fail: DomainError | None = None) -> None:
    """Count the orgs a user belongs to; a join (``delta`` > 0) checks ``limit`` atomically (``on_fail``
    answers a full user; without a ``limit`` nothing is checked, e.g. an org's restore counting it again)."""
    identity = {"entity": "USER", "app_id": app_id, "user_id": user_id}
    if delta > 0 and limit is not None:
        tx.update(keys.user(app_id, user_id), add={"org_count": delta}, set_=identity,
                  condition=Condition("attribute_not_exists(#u_n) OR #u_n < :u_limit", {"#u_n": "org_count"},
                                      {":u_limit": limit}), on_fail=on_fail)
    else:
        tx.update(keys.user(app_id, user_id), add={"org_count": delta}, set_=identity)


def uncount_org(tx: Transaction, app_id: str, user_id: str) -> None:
    """One org fewer for an existing user item (an org's purge; fails if the item is gone)."""
    tx.update(keys.user(app_id, user_id), add={"org_count": -1}, condition=Condition("attribute_exists(PK)"))
