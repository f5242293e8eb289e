"""Cleanup jobs (org purge, team cascades): their progress, and the removal of what they walk."""

from __future__ import annotations

from typing import Any

from orgplane.store.conditions import Condition
from orgplane.store.transaction import Transaction

Key = dict[str, str]

EXISTS = Condition("attribute_exists(PK)")


def progress(tx: Transaction, job_key: Key, removed: int, at: str, done: list[str] | None = None) -> None:
    """Bump a job's counters (and drop the ``done`` teams from its map), while the job exists."""
    names: dict[str, str] = {"#batches": "batches", "#removed": "removed", "#at": "last_batch_at"}
    values: dict[str, Any] = {":one": 1, ":n": removed, ":at": at}
    expression = "SET #at = :at ADD #batches :one, #removed :n"
    if done:
        names["#teams"] = "teams"
        names.update({f"#t{i}": team_id for i, team_id in enumerate(done)})
        expression += " REMOVE " + ", ".join(f"#teams.#t{i}" for i in range(len(done)))
    tx.update_expression(job_key, expression, condition=EXISTS, names=names, values=values)


def remove(tx: Transaction, key: Key) -> None:
    """An item the job walks goes (the transaction fails if it is already gone)."""
    tx.delete(key, condition=EXISTS)
