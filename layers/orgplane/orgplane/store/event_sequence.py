"""Event counters: per org (and per app, for app-level events) the last ``sequence`` given and the last event
id, advanced by each transaction that announces events, on the condition that it still holds what was read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orgplane import keys
from orgplane.store import table
from orgplane.store.conditions import Condition
from orgplane.store.transaction import SEQUENCE_MOVED, Transaction

Item = dict[str, Any]

IS_NEW = Condition("attribute_not_exists(PK)")


def at(sequence: int) -> Condition:
    """The counter still holds ``sequence`` (nobody numbered events after it)."""
    return Condition("#seq = :seen", {"#seq": "sequence"}, {":seen": sequence})


def read(app_id: str, org_id: str | None) -> Item | None:
    return table.get(keys.event_sequence(app_id, org_id))


def advance(tx: Transaction, app_id: str, org_id: str | None, counter: Item, seen: int,
            on_moved: Callable[[Item], None]) -> None:
    """Put ``counter`` (its new sequence and last id) if it still holds ``seen`` (0: it does not exist yet);
    else :data:`SEQUENCE_MOVED`, and ``on_moved`` gets the counter as it is (``ALL_OLD``)."""
    tx.put({**keys.event_sequence(app_id, org_id), **counter}, condition=IS_NEW if seen == 0 else at(seen),
           on_fail=SEQUENCE_MOVED, on_old=on_moved)
