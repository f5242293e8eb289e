"""A custom role's usage counter (``keys.role_usage``): how many members and pending invitations hold the
role; the item carries ``defined_at`` exactly while the role is defined."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store import table
from orgplane.store.conditions import Condition
from orgplane.store.transaction import Transaction

Item = dict[str, Any]

ENTITY = "ROLE_USAGE"
DEFINED = Condition("attribute_exists(#ru_defined)", {"#ru_defined": "defined_at"})
UNUSED = Condition("attribute_not_exists(PK) OR #ru_holders <= :ru_zero", {"#ru_holders": "holders"}, {":ru_zero": 0})
"""Nobody holds the role (or it has no counter at all)."""


def _identity(app_id: str, role: str) -> dict[str, str]:
    return {"entity": ENTITY, "app_id": app_id, "role": role}


def hold(tx: Transaction, app_id: str, role: str, holders: int, on_undefined: DomainError) -> None:
    """``holders`` (> 0) more hold the role, which must still be defined (else ``on_undefined``)."""
    tx.update(keys.role_usage(app_id, role), add={"holders": holders}, condition=DEFINED, on_fail=on_undefined)


def release(tx: Transaction, app_id: str, role: str, holders: int) -> None:
    """``holders`` (> 0) fewer hold the role; never refused (were the counter gone, this leaves an item without
    ``defined_at``, which still refuses assignments)."""
    tx.update(keys.role_usage(app_id, role), add={"holders": -holders}, set_=_identity(app_id, role))


def define(tx: Transaction, app_id: str, role: str, at: str) -> None:
    """The role is defined (as of ``at``): its counter exists, keeping its count."""
    tx.update(keys.role_usage(app_id, role), add={"holders": 0}, set_={**_identity(app_id, role), "defined_at": at})


def delete_unused(tx: Transaction, app_id: str, role: str, on_held: DomainError) -> None:
    """The role's counter goes, on the condition that nobody holds the role (else ``on_held``)."""
    tx.delete(keys.role_usage(app_id, role), condition=UNUSED, on_fail=on_held)


def get(app_id: str, role: str) -> Item | None:
    return table.get(keys.role_usage(app_id, role))
