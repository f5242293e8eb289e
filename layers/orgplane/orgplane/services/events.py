"""Events: the audit records of a transaction, numbered per org in that same transaction.

Every audit record is an event (:func:`announce`, called by :func:`audit.record`). Right before the
transaction writes, :func:`_seal` numbers its events: each org (and the app, for app-level events) has
an event counter item, ``keys.event_sequence``, holding the last ``sequence`` given and the last event
id. The transaction sets the counter to its own last number *on the condition that it still holds the
number the service read*, so two changes of one org can never take the same number or leave a gap: the
one that commits second fails that condition and is decided again from fresh reads
(:data:`SEQUENCE_MOVED`, retried by :func:`transaction.retrying`).

The counter is read with what the service reads anyway: :func:`tenancy.open_org` (and the invitation
answer paths) put its key in their one ``BatchGetItem`` and hand the item here (:func:`saw`). A path
that did not read it (a background job, app settings) costs one ``GetItem`` at seal time, except an
optimistic write (:mod:`orgplane.services.optimistic`), which numbers from what this container last knew of the counter (the last value it read or wrote, kept per org in :data:`_known`;
a guess the condition checks): when another container moved the counter since, the condition fails
and the cancellation hands back the counter as it is (``ReturnValuesOnConditionCheckFailure=ALL_OLD``
on the counter's put), so the retry numbers after it without reading it. A container that knows
nothing of the org's counter pays the ``GetItem``. Event ids
also rise with the sequence (:func:`ids.after` the counter's ``last_id``), so listing by id lists an
org's events in sequence order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from orgplane import ids, keys
from orgplane.store import event_sequence
from orgplane.store.transaction import Transaction

Item = dict[str, Any]

_NOTE = "events"
_WRITTEN = "event_counters"
_SEEN_LIMIT = 256

_seen: ContextVar[dict[str, tuple[int, str | None]] | None] = ContextVar("orgplane_event_sequences", default=None)

_KNOWN_LIMIT = 4096
_known: dict[str, tuple[int, str | None]] = {}
"""The container's last known position of each org's counter (read or written): a guess, never trusted
by itself, checked by the counter's condition."""
_known_lock = threading.Lock()


_guessing: ContextVar[bool] = ContextVar("orgplane_event_sequence_guessing", default=False)


@contextmanager
def guessing() -> Iterator[None]:
    """Within the block, a transaction whose request read no counter numbers from the container's guess
    (the block's code handles :data:`SEQUENCE_MOVED`: :func:`orgplane.services.optimistic.write`)."""
    token = _guessing.set(True)
    try:
        yield
    finally:
        _guessing.reset(token)


def _remember(partition: str, position: tuple[int, str | None]) -> None:
    with _known_lock:
        if len(_known) >= _KNOWN_LIMIT and partition not in _known:
            _known.pop(next(iter(_known)))
        _known[partition] = position


def forget() -> None:
    """Drop every counter position this container knows or this context saw (a test's fresh table and clock:
    a position kept from another test could be ahead of it)."""
    with _known_lock:
        _known.clear()
    _seen.set(None)


def _recall(partition: str) -> tuple[int, str | None] | None:
    """The guess, taken: a concurrent request of this container reads instead of guessing the same."""
    with _known_lock:
        return _known.pop(partition, None)


def sequence_key(app_id: str, org_id: str | None) -> dict[str, str]:
    return keys.event_sequence(app_id, org_id)


def saw(app_id: str, org_id: str | None, counter: Item | None) -> None:
    """The service read the event counter of ``org_id`` (``None`` if it does not exist yet)."""
    seen = _seen.get()
    if seen is None or len(seen) >= _SEEN_LIMIT:
        seen = {}
        _seen.set(seen)
    seen[_partition(app_id, org_id)] = _position(counter)
    _remember(_partition(app_id, org_id), _position(counter))


def committed(tx: Transaction) -> None:
    """``tx`` has committed: the counters it wrote are known, so a next transaction of the same request
    (a bulk write in several transactions) numbers after them without reading the counter again."""
    for (app_id, org_id), counter in tx.notes.get(_WRITTEN, {}).items():
        saw(app_id, org_id, counter)


def saw_new(app_id: str, org_id: str) -> None:
    """A new org: its counter cannot exist yet (its creation is conditioned on the org being new)."""
    saw(app_id, org_id, None)


def announce(tx: Transaction, event: Item) -> None:
    """Add ``event`` (an audit item with ``app_id``, ``org_id``) to ``tx``: it is numbered and put at commit."""
    tx.notes.setdefault(_NOTE, []).append(event)
    tx.before_commit(_NOTE, _seal)


def _partition(app_id: str, org_id: str | None) -> str:
    return f"{app_id}\x00{org_id or ''}"


def _position(counter: Item | None) -> tuple[int, str | None]:
    if counter is None:
        return 0, None
    return int(counter.get("sequence", 0)), (str(counter["last_id"]) if counter.get("last_id") else None)


def _read_position(app_id: str, org_id: str | None) -> tuple[int, str | None]:
    """What this request read of the counter, else what the container last knew, else a read."""
    partition = _partition(app_id, org_id)
    seen = _seen.get()
    known = seen.pop(partition, None) if seen is not None else None
    if known is None and _guessing.get():
        known = _recall(partition)
    return known if known is not None else _position(event_sequence.read(app_id, org_id))


def _moved(app_id: str, org_id: str | None) -> Callable[[Item], None]:
    """The counter's condition failed: the cancellation's ``ALL_OLD`` is the counter as it is now."""
    return lambda counter: saw(app_id, org_id, counter)


def _written(tx: Transaction) -> None:
    for (app_id, org_id), counter in tx.notes.get(_WRITTEN, {}).items():
        _remember(_partition(app_id, org_id), _position(counter))


def _seal(tx: Transaction) -> None:
    groups: dict[tuple[str, str | None], list[Item]] = {}
    for event in tx.notes.get(_NOTE, []):
        groups.setdefault((str(event["app_id"]), event.get("org_id")), []).append(event)
    for (app_id, org_id), events in groups.items():
        first, last_id = _read_position(app_id, org_id)
        sequence = first
        for event in events:
            sequence += 1
            # minted now, at each write attempt, not when the change was built: a change renumbered at a busy
            # counter commits an id no older than its last attempt, well inside GET /events' settle window
            event_id = ids.after("evt", last_id)
            last_id = event_id
            event.update(id=event_id, SK=event_id, GSI1SK=event_id, GSI2SK=event_id, sequence=sequence)
            tx.put(event)
        counter = {"entity": "EVENTSEQ", "app_id": app_id, "org_id": org_id, "sequence": sequence,
                   "last_id": last_id}
        tx.notes.setdefault(_WRITTEN, {})[(app_id, org_id)] = counter
        event_sequence.advance(tx, app_id, org_id, counter, seen=first, on_moved=_moved(app_id, org_id))
    tx.after_commit(_WRITTEN, _written)
