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

from orgplane.config import settings as deployment
from orgplane.errors import DomainError
from orgplane.store import conditions, table

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
When = str | conditions.Condition | None
"""An operation's condition: a named one (:class:`conditions.Condition`) or, in the store layer, a string."""


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


def claim_operations() -> int:
    """Operations the next transaction committed here adds for a pending :func:`claiming` (0 or 1)."""
    claim = _claim.get()
    return int(claim is not None and not claim.committed)


_tentative: ContextVar[bool] = ContextVar("orgplane_transaction_tentative", default=False)


@contextmanager
def tentative() -> Iterator[None]:
    """Within the block a failed guard's domain outcome reads :data:`STALE`: an optimistic write that read
    nothing cannot tell which guard failed for which reason (a stranger and a full org both fail), so any
    failure sends it to the read path, which answers exactly (:mod:`orgplane.services.optimistic`)."""
    token = _tentative.set(True)
    try:
        yield
    finally:
        _tentative.reset(token)


_MAX_CONFLICT_RETRIES = 5
_MAX_STALE_RETRIES = 8
_MAX_SEQUENCE_RETRIES = 40


@dataclass
class _Op:
    """One operation of a transaction, kept open until commit so guards can merge into it."""

    kind: str
    key: dict[str, str]
    body: dict[str, Any]
    condition: str | None
    names: dict[str, str]
    values: dict[str, Any]
    on_fail: Outcome
    on_old: Callable[[table.Item], None] | None = None

    def copy(self) -> _Op:
        return _Op(self.kind, self.key, dict(self.body), self.condition, dict(self.names), dict(self.values),
                   self.on_fail, self.on_old)

    def merge(self, guard: _Op) -> None:
        """AND ``guard``'s condition into this operation's (its placeholders renamed apart)."""
        extra = conditions.renamed_apart(
            conditions.Condition(guard.condition or "", guard.names, guard.values), self.names, self.values)
        if extra.expression:
            self.condition = (f"{conditions.wrapped(self.condition)} AND {conditions.wrapped(extra.expression)}"
                              if self.condition else extra.expression)
        self.names.update(extra.names)
        self.values.update(extra.values)
        if self.on_fail is None:  # the write's own outcome wins: its condition usually implies the guard's
            self.on_fail = guard.on_fail
        self.on_old = self.on_old or guard.on_old

    def built(self) -> dict[str, Any]:
        body = {"TableName": table.table_name(), **self.body}
        if self.kind != "Put":
            body["Key"] = table.serialize(self.key)
        if self.condition:
            body["ConditionExpression"] = self.condition
        if self.names:
            body["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            body["ExpressionAttributeValues"] = {k: table.serialize_value(v) for k, v in self.values.items()}
        if self.on_old is not None:
            body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {self.kind: body}


def _item_key(item: table.Item) -> dict[str, str]:
    return {"PK": item["PK"], "SK": item["SK"]}


class Transaction:
    """Operations written atomically. A :meth:`check` (a guard) on an item that the transaction also
    writes is merged into that write's condition at commit, as is any second check of one item: DynamoDB
    allows one operation per item, and services need not know which of their guards meet their writes."""

    def __init__(self) -> None:
        self._ops: list[_Op] = []
        self._sealers: dict[str, Callable[[Transaction], None]] = {}
        self._after: dict[str, Callable[[Transaction], None]] = {}
        self.notes: dict[str, Any] = {}
        """What a sealer needs to finish the transaction (the events it announces, by :mod:`events`)."""

    def before_commit(self, name: str, sealer: Callable[[Transaction], None]) -> None:
        """Run ``sealer`` once, right before the write: it may add operations built from everything the
        service put in (the events module numbers the transaction's events this way)."""
        self._sealers.setdefault(name, sealer)

    def after_commit(self, name: str, hook: Callable[[Transaction], None]) -> None:
        """Run ``hook`` once, after the transaction has committed (not when it fails)."""
        self._after.setdefault(name, hook)

    def __len__(self) -> int:
        return len(self._merged())

    def _add(self, kind: str, key: dict[str, str], body: dict[str, Any], condition: When,
             names: dict[str, str] | None, values: dict[str, Any] | None, on_fail: Outcome,
             on_old: Callable[[table.Item], None] | None = None) -> Transaction:
        if isinstance(condition, conditions.Condition):  # a named condition (store/<entity>.py)
            names, values = {**(names or {}), **condition.names}, {**(values or {}), **condition.values}
            condition = condition.expression
        self._ops.append(_Op(kind, dict(key), body, condition, dict(names or {}), dict(values or {}), on_fail,
                             on_old))
        return self

    def put(self, item: table.Item, *, condition: When = None, names: dict[str, str] | None = None,
            values: dict[str, Any] | None = None, on_fail: Outcome = None,
            on_old: Callable[[table.Item], None] | None = None) -> Transaction:
        """``on_old``: when the condition fails, called with the item as it was (``ALL_OLD``), before
        the failure's outcome is raised."""
        return self._add("Put", _item_key(item), {"Item": table.serialize(item)}, condition, names, values,
                         on_fail, on_old)

    def delete(self, key: dict[str, str], *, condition: When = None,
               names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
               on_fail: Outcome = None) -> Transaction:
        return self._add("Delete", key, {}, condition, names, values, on_fail)

    def check(self, key: dict[str, str], condition: When, *,
              names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
              on_fail: Outcome = None) -> Transaction:
        """A guard: ``condition`` must hold on the item at commit. Merged into the transaction's write of
        the same item if there is one, else a ``ConditionCheck``."""
        return self._add("ConditionCheck", key, {}, condition, names, values, on_fail)

    def update(self, key: dict[str, str], *, set_: dict[str, Any] | None = None,
               add: dict[str, int] | None = None, remove: list[str] | None = None,
               condition: When = None, names: dict[str, str] | None = None,
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
        return self._add("Update", key, {"UpdateExpression": " ".join(parts)}, condition,
                         {**generated_names, **(names or {})}, {**generated_values, **(values or {})}, on_fail)

    def update_expression(self, key: dict[str, str], expression: str, *, condition: When = None,
                          names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                          on_fail: Outcome = None) -> Transaction:
        """An update written out by hand, for document paths (``SET #teams.#t = :role``)."""
        return self._add("Update", key, {"UpdateExpression": expression}, condition, names, values, on_fail)

    def _merged(self) -> list[_Op]:
        """The operations, one per item: every check of an item folded into its write (or first check).
        The merged operation keeps the position of the item's first operation."""
        by_item: dict[tuple[str, str], int] = {}
        order: list[_Op] = []
        for op in self._ops:
            item = (op.key["PK"], op.key["SK"])
            index = by_item.get(item)
            if index is None:
                by_item[item] = len(order)
                order.append(op.copy())
                continue
            held = order[index]
            if op.kind == "ConditionCheck":
                held.merge(op)
            elif held.kind == "ConditionCheck":  # the write takes the check's place and its condition
                merged = op.copy()
                merged.merge(held)
                order[index] = merged
            else:
                raise ValueError(f"two writes of one item in a transaction: {item}")
        return order

    def commit(self) -> None:
        """Seal and write. When the only conditions that failed are event counters (another change of the
        org numbered its events first), every other guard held: the decision stands, so the events are
        numbered again after the counter the cancellation handed back and the same writes go again, without
        reading anything (up to :data:`_MAX_RENUMBERS` times; then :class:`SequenceMoved` for
        :func:`retrying`, which reads and decides again)."""
        sealers, self._sealers = self._sealers, {}
        unsealed = list(self._ops)
        renumbered = 0
        while True:
            self._ops = list(unsealed)
            for sealer in sealers.values():
                sealer(self)
            try:
                self._write()
                return
            except _Renumber as moved:
                renumbered += 1
                if renumbered > _MAX_RENUMBERS:
                    raise SequenceMoved() from moved.__cause__
                _sequence_pause(renumbered)

    def _write(self) -> None:
        merged = self._merged()
        if not merged:
            return
        claim = _claim.get()
        if claim is not None and not claim.committed:
            # first: when several conditions fail, the claim's failure is the one reported
            merged = [_Op("Put", _item_key(claim.item), {"Item": table.serialize(claim.item)}, claim.condition,
                          dict(claim.names or {}), dict(claim.values or {}), Claimed()), *merged]
        if _tentative.get() and len(merged) > deployment().max_transaction_items:
            raise Stale()  # more than this engine takes: the read path, which may need fewer, decides
        if len(merged) > 100:
            raise ValueError("a transaction holds at most 100 operations")
        ops = [op.built() for op in merged]
        outcomes: list[Outcome] = [op.on_fail for op in merged]
        token = uuid.uuid4().hex
        for attempt in range(_MAX_CONFLICT_RETRIES + 1):
            try:
                table.client().transact_write_items(TransactItems=ops, ClientRequestToken=token)
                if claim is not None:
                    claim.committed = True
                for hook in self._after.values():
                    hook(self)
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
                    _tell_old_items(reasons, merged)
                    if isinstance(outcome, SequenceMoved) and _only_counters_failed(reasons, outcomes):
                        raise _Renumber() from error
                    if isinstance(outcome, DomainError) and _tentative.get():
                        raise Stale() from error
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


class _Renumber(Exception):
    """Only event counters failed: number the events again and write the same changes."""


#: Renumbering writes within one commit before :func:`retrying` reads and decides again.
_MAX_RENUMBERS = 20


#: The pause before a turn at a busy org's event counter: up to ``_PAUSE_BASE * 2**turn`` seconds, at most
#: ``_PAUSE_CAP``. Every change of the org commits through the counter one at a time, so a writer that lost
#: it and comes back at once mostly loses again, and each lost attempt is a cancelled transaction the
#: engine still does the work of. Measured on the hot org of ``make load`` (1,500 joins from 32 threads,
#: DynamoDB Local): with a cap of 0.1 s, 7.3 cancelled transactions per join and 17.2-17.9 joins/s; with
#: 0.5 s, 3.2 and 19.6-20.0 joins/s. Longer caps (1 s, 2 s) cancelled fewer still but joined no faster
#: (18.4, 16.5 joins/s) and stretched the slowest joins (p99 17-19 s).
_PAUSE_BASE = 0.01
_PAUSE_CAP = 0.5


def _sequence_pause(turn: int) -> None:
    """A growing pause with full jitter between turns at a busy org's event counter (see ``_PAUSE_CAP``)."""
    time.sleep(sequence_pause_bound(turn) * random.random())


def sequence_pause_bound(turn: int) -> float:
    """The longest pause before ``turn`` (1, 2, ...) at a busy event counter, in seconds."""
    return min(_PAUSE_CAP, _PAUSE_BASE * 2.0 ** min(turn, 8))


def _only_counters_failed(reasons: list[Any], outcomes: list[Outcome]) -> bool:
    failed = [index for index, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"]
    return bool(failed) and all(index < len(outcomes) and isinstance(outcomes[index], SequenceMoved)
                                for index in failed)


def _tell_old_items(reasons: list[Any], ops: list[_Op]) -> None:
    """Hand each failed operation that asked for it the item as it was (``ALL_OLD`` of its reason)."""
    for reason, op in zip(reasons, ops, strict=False):
        if op.on_old is not None and reason.get("Code") == "ConditionalCheckFailed" and reason.get("Item"):
            op.on_old(table.deserialize(reason["Item"]))


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
            _sequence_pause(moved)
        except Stale:
            stale += 1
            time.sleep(random.uniform(0.0, 0.02))
    raise DomainError("conflict", "The resource kept changing; retry.")
