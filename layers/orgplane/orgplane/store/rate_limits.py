"""Rate windows: a counter per (org, what is counted, fixed window), raised only while it stays within a limit."""

from __future__ import annotations

from orgplane import keys
from orgplane.store.conditions import Condition
from orgplane.store.transaction import Outcome, Transaction


def room_for(amount: int, limit: int) -> Condition:
    """The window's count (absent: 0) leaves room for ``amount`` more within ``limit``."""
    return Condition("attribute_not_exists(#r_count) OR #r_count <= :r_room", {"#r_count": "count"},
                     {":r_room": limit - amount})


def count(tx: Transaction, app_id: str, org_id: str, counter: str, window: int, expires_epoch: int, amount: int,
          limit: int, refused: Outcome) -> None:
    """Add ``amount`` to the window's counter (it expires at ``expires_epoch``), refused over ``limit``."""
    tx.update(keys.rate_window(app_id, org_id, counter, window), set_={"entity": "RATE", "ttl": expires_epoch},
              add={"count": amount}, condition=room_for(amount, limit), on_fail=refused)
