"""Optimistic writes: one ``TransactWriteItems`` on the happy path; a read only after a cancellation.

A mutation that can say everything it needs as conditions (the caller's role among the roles of the
cached role book that hold the permission, the target's state, the counters and limits) writes first
and reads nothing. Its transaction either commits, or is cancelled having written nothing; then the
mutation's read path (read, decide, write: :func:`transaction.retrying`) runs and answers with the
exact error code, the same as it would have without the attempt (404 for strangers, 403, limits...).

The events of the transaction are numbered from the container's last known position of the org's
event counter (:func:`events.guessing`); when another change numbered first, the cancellation hands
back the counter as it is, and the write is tried again at once with it, still without a read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from orgplane.services import events
from orgplane.store.transaction import SequenceMoved, Stale, retrying, tentative

T = TypeVar("T")

_SEQUENCE_TURNS = 3


def write(attempt: Callable[[], T | None], read_path: Callable[[], T]) -> T:
    """``attempt`` builds and commits a transaction on assumptions its guards check (usually: having read
    nothing; ``None``: it cannot, for this input); on any failed guard, ``read_path`` decides from fresh
    reads."""
    for _ in range(_SEQUENCE_TURNS):
        try:
            with events.guessing(), tentative():
                result = attempt()
        except SequenceMoved:
            continue
        except Stale:
            break
        if result is None:
            break
        return result
    return retrying(read_path)
