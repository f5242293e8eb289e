"""The expiry job: pending invitations and ownership transfers past their expiry become ``expired``, and
deleted orgs past their restore window start their purge (``services.lifecycle``).

It reads only what is due: the sparse index GSI3 holds exactly the pending invitations and pending
ownership transfers (an item leaves it when it stops being pending), sorted by expiry in
``keys.EXPIRY_SHARDS`` partitions per kind, so one ``Query`` per shard with ``GSI3SK <= now`` returns
the due ones and nothing else. Each is then expired by its own conditional transaction (pending and
past due, with its audit event), so two runs at once, or a run racing an accept, give one outcome
per item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orgplane import clock, keys
from orgplane.services import invitations, lifecycle, ownership
from orgplane.store import due

MAX_PER_RUN = 2000
"""A run stops after this many due items of a kind; the next run (every 15 minutes) continues."""


def run(max_items: int = MAX_PER_RUN) -> int:
    """Expire every due pending invitation (up to ``max_items``); returns how many this run expired."""
    return _sweep(keys.expiry_shards(), invitations.expire, max_items)


def run_transfers(max_items: int = MAX_PER_RUN) -> int:
    """Expire every due pending ownership transfer (up to ``max_items``); returns how many."""
    return _sweep(keys.transfer_expiry_shards(), ownership.expire, max_items)


def run_purges(max_items: int = MAX_PER_RUN) -> int:
    """Start the purge of every deleted org whose restore window has closed; returns how many."""
    return _sweep(keys.purge_shards(), lifecycle.start_purge, max_items)


def _sweep(shards: list[str], expire: Callable[[dict[str, Any]], bool], max_items: int) -> int:
    return sum(expire(item) for item in due.due_items(shards, int(clock.timestamp()), max_items))
