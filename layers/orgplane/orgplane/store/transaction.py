"""One atomic write: ``TransactWriteItems`` with a domain outcome for every guard.

Each operation may name what its failed condition means: a :class:`DomainError` (``slug_taken``,
``last_owner``…) or :data:`STALE`, which says the state the service read has changed since, so the
service re-reads and decides again (:func:`retrying`). Conflicts with concurrent transactions are
retried here with the same client request token, which makes the retry idempotent.

A caller may also make the first transaction committed in a context *claim* an item
(:func:`claiming`): the item is put, on the condition that nobody claimed it before, in the same
atomic write. The HTTP layer claims an ``Idempotency-Key`` this way, so a mutation and its key
commit together or not at all (see :mod:`orgplane.idempotency`).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from orgplane.errors import DomainError
from orgplane.store import table

T = TypeVar("T")


class Stale(Exception):
    """A guard on state read earlier failed: read again and decide again."""


STALE = Stale()


class SequenceMoved(Stale):
    """Another change of the same org committed its events first: number them again, after it."""


SEQUENCE_MOVED = SequenceMoved()


class Claimed(Exception):
    """The claimed item already exists (another request claimed it first): nothing was written."""


Outcome = DomainError | Stale | Claimed | None


@dataclass
class Claim:
    """An item the first transaction committed in a :func:`claiming` context also puts, atomically.

    ``condition`` guards the put (typically ``attribute_not_exists(PK)``); when it fails the
    transaction writes nothing and :class:`Claimed` is raised. ``committed`` turns true once a
    transaction carrying the claim has committed; later transactions of the context do not carry it.
    """

    item: table.Item
    condition: str
    names: dict[str, str] | None = None
    values: dict[str, Any] | None = None
    committed: bool = field(default=False, init=False)


_claim: ContextVar[Claim | None] = ContextVar("orgplane_transaction_claim", default=None)


@contextmanager
def claiming(claim: Claim) -> Iterator[Claim]:
    """Within the block, the first transaction that commits also puts ``claim.item``, atomically."""
    token = _claim.set(claim)
    try:
        yield claim
    finally:
        _claim.reset(token)


_MAX_CONFLICT_RETRIES = 5
_MAX_STALE_RETRIES = 8
_MAX_SEQUENCE_RETRIES = 40


class Transaction:
    def __init__(self) -> None:
        self._ops: list[dict[str, Any]] = []
        self._outcomes: list[Outcome] = []
        self._sealers: dict[str, Callable[[Transaction], None]] = {}
        self.notes: dict[str, Any] = {}
        """What a sealer needs to finish the transaction (the events it announces, by :mod:`events`)."""

    def before_commit(self, name: str, sealer: Callable[[Transaction], None]) -> None:
        """Run ``sealer`` once, right before the write: it may add operations built from everything the
        service put in (the events module numbers the transaction's events this way)."""
        self._sealers.setdefault(name, sealer)

    def __len__(self) -> int:
        return len(self._ops)

    def _add(self, kind: str, body: dict[str, Any], condition: str | None, names: dict[str, str] | None,
             values: dict[str, Any] | None, on_fail: Outcome) -> Transaction:
        self._ops.append(_operation(kind, body, condition, names, values))
        self._outcomes.append(on_fail)
        return self

    def put(self, item: table.Item, *, condition: str | None = None, names: dict[str, str] | None = None,
            values: dict[str, Any] | None = None, on_fail: Outcome = None) -> Transaction:
        return self._add("Put", {"Item": table.serialize(item)}, condition, names, values, on_fail)

    def delete(self, key: dict[str, str], *, condition: str | None = None,
               names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
               on_fail: Outcome = None) -> Transaction:
        return self._add("Delete", {"Key": table.serialize(key)}, condition, names, values, on_fail)

    def check(self, key: dict[str, str], condition: str, *, names: dict[str, str] | None = None,
              values: dict[str, Any] | None = None, on_fail: Outcome = None) -> Transaction:
        return self._add("ConditionCheck", {"Key": table.serialize(key)}, condition, names, values, on_fail)

    def update(self, key: dict[str, str], *, set_: dict[str, Any] | None = None,
               add: dict[str, int] | None = None, remove: list[str] | None = None,
               condition: str | None = None, names: dict[str, str] | None = None,
               values: dict[str, Any] | None = None, on_fail: Outcome = None) -> Transaction:
        parts: list[str] = []
        generated_names: dict[str, str] = {}
        generated_values: dict[str, Any] = {}
        if set_:
            assignments = []
            for i, (attr, value) in enumerate(set_.items()):
                generated_names[f"#s{i}"] = attr
                generated_values[f":s{i}"] = value
                assignments.append(f"#s{i} = :s{i}")
            parts.append("SET " + ", ".join(assignments))
        if add:
            increments = []
            for i, (attr, delta) in enumerate(add.items()):
                generated_names[f"#a{i}"] = attr
                generated_values[f":a{i}"] = delta
                increments.append(f"#a{i} :a{i}")
            parts.append("ADD " + ", ".join(increments))
        if remove:
            removals = []
            for i, attr in enumerate(remove):
                generated_names[f"#r{i}"] = attr
                removals.append(f"#r{i}")
            parts.append("REMOVE " + ", ".join(removals))
        body = {
            "Key": table.serialize(key),
            "UpdateExpression": " ".join(parts),
            "_names": generated_names,
            "_values": generated_values,
        }
        return self._add("Update", body, condition, names, values, on_fail)

    def update_expression(self, key: dict[str, str], expression: str, *, condition: str | None = None,
                          names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                          on_fail: Outcome = None) -> Transaction:
        """An update written out by hand, for document paths (``SET #teams.#t = :role``)."""
        body = {"Key": table.serialize(key), "UpdateExpression": expression}
        return self._add("Update", body, condition, names, values, on_fail)

    def commit(self) -> None:
        sealers, self._sealers = self._sealers, {}
        for sealer in sealers.values():
            sealer(self)
        if not self._ops:
            return
        ops, outcomes = self._ops, self._outcomes
        claim = _claim.get()
        if claim is not None and not claim.committed:
            # first: when several conditions fail, the claim's failure is the one reported
            ops = [_operation("Put", {"Item": table.serialize(claim.item)}, claim.condition, claim.names,
                              claim.values), *ops]
            outcomes = [Claimed(), *outcomes]
        if len(ops) > 100:
            raise ValueError("a transaction holds at most 100 operations")
        token = uuid.uuid4().hex
        for attempt in range(_MAX_CONFLICT_RETRIES + 1):
            try:
                table.client().transact_write_items(TransactItems=ops, ClientRequestToken=token)
                if claim is not None:
                    claim.committed = True
                return
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "TransactionCanceledException":
                    reasons = error.response.get("CancellationReasons") or _reasons_from_message(error)
                    outcome = _outcome_of(reasons, outcomes)  # type: ignore[arg-type]
                    if outcome == "conflict":
                        if attempt < _MAX_CONFLICT_RETRIES:
                            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
                            continue
                        raise DomainError("conflict", "A concurrent change won; retry.") from error
                    if outcome == "throttled":
                        raise DomainError("unavailable", "The database is busy; retry shortly.") from error
                    if outcome == "refused":  # retrying cannot help: an internal error, logged with its reasons
                        raise
                    raise outcome from error
                if code == "TransactionInProgressException":
                    time.sleep(0.05 * (attempt + 1))
                    continue
                if code in {"ProvisionedThroughputExceededException", "ThrottlingException",
                            "RequestLimitExceeded", "InternalServerError"}:
                    raise DomainError("unavailable", "The database is busy; retry shortly.") from error
                raise
        raise DomainError("conflict", "A concurrent change won; retry.")

    def commit_unless_stale(self) -> bool:
        """Commit; ``False`` (nothing written) when a STALE guard failed: for jobs, where another run or a
        concurrent change already decided the item's fate."""
        try:
            self.commit()
        except Stale:
            return False
        return True


def _operation(kind: str, body: dict[str, Any], condition: str | None, names: dict[str, str] | None,
               values: dict[str, Any] | None) -> dict[str, Any]:
    body = {"TableName": table.table_name(), **body}
    if condition:
        body["ConditionExpression"] = condition
    all_names = {**body.pop("_names", {}), **(names or {})}
    all_values = {**body.pop("_values", {}), **(values or {})}
    if all_names:
        body["ExpressionAttributeNames"] = all_names
    if all_values:
        body["ExpressionAttributeValues"] = {k: table.serialize_value(v) for k, v in all_values.items()}
    return {kind: body}


def _outcome_of(reasons: list[dict[str, Any]], outcomes: list[Outcome]) -> Any:
    """What a cancelled transaction means. A failed guard answers with its own outcome — unless
    another item was mid-way through a concurrent transaction: that guard may have failed on half of
    the other writer's work, so the whole transaction is retried and the guards judged again."""
    conflict = refused = False
    failed: Outcome = None
    for index, reason in enumerate(reasons):
        code = reason.get("Code", "None")
        if code == "ConditionalCheckFailed":
            if failed is None:
                outcome = outcomes[index] if index < len(outcomes) else None
                failed = outcome if outcome is not None else Stale()
        elif code == "TransactionConflict":
            conflict = True
        elif code in {"ThrottlingError", "ProvisionedThroughputExceeded"}:
            return "throttled"
        elif code not in {"None", "", None}:  # ValidationError, ItemCollectionSizeLimitExceeded…: a bug, not a race
            refused = True
    if refused:
        return "refused"
    if conflict:
        return "conflict"
    return failed if failed is not None else Stale()


def _reasons_from_message(error: ClientError) -> list[dict[str, Any]]:
    """Older engines put the reasons only in the message: ``[None, ConditionalCheckFailed, …]``."""
    message = error.response.get("Error", {}).get("Message", "")
    if "[" not in message:
        return []
    inner = message[message.index("[") + 1 : message.rindex("]")]
    return [{"Code": part.strip()} for part in inner.split(",")]


def retrying(decide_and_write: Callable[[], T]) -> T:
    """Run read → decide → write until the write's guards hold on what was read.

    Every change of an org numbers its events from the org's event counter, so concurrent changes of one
    org (which touch different items and used to commit side by side) now meet there: the loser reads
    again and commits right after. Those turns get their own, larger budget, with a growing jittered pause.
    """
    stale = moved = 0
    while stale < _MAX_STALE_RETRIES and moved < _MAX_SEQUENCE_RETRIES:
        try:
            return decide_and_write()
        except SequenceMoved:
            moved += 1
            time.sleep(random.uniform(0.0, min(0.1, 0.005 * 2 ** min(moved, 5))))
        except Stale:
            stale += 1
            time.sleep(random.uniform(0.0, 0.02))
    raise DomainError("conflict", "The resource kept changing; retry.")
