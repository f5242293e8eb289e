"""The local server (``python -m devserver serve``), with every DynamoDB request attributed to the
HTTP request that caused it: ``python -m bench.instrumented --port 0``.

Nothing in the product changes. Before the server starts, three botocore hooks are registered on
boto3's default session, from which every client of the process (the layer's, the stream reader's)
is created:

- ``provide-client-params.dynamodb``: adds ``ReturnConsumedCapacity=INDEXES`` to every DynamoDB
  operation that takes it, so each response reports its capacity (table and each index);
- ``before-send.dynamodb``: counts each HTTP request on the wire (retries included) by its
  ``X-Amz-Target`` operation;
- ``after-call.dynamodb``: adds up the consumed capacity and, per ``Query``, the items it returned.

With ``BENCH_WRITE_UNITS=1`` (``make bench``, not ``make bench-events``), each write request of an API
request is also billed item by item (``bench/floors.py``): the written items are read before the request
is sent and, for an update, after it succeeded, through a client of another session (not counted; the
time it takes comes back as ``probe_seconds`` and is taken out of the measured latency).

Each HTTP request the server receives runs (authorizer and function) synchronously on its own server
thread, so a thread-local collector set around ``Gateway.handle`` attributes exactly; the summary is
returned in the ``X-Bench-Ddb`` response header. DynamoDB requests on other threads (stream
consumers: invitation delivery, org cleanup) go to a background collector, read and reset with
``GET /_local/bench/background``. DynamoDB Streams calls (``dynamodb-streams`` service) are not
counted.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
HEADER = "X-Bench-Ddb"


@dataclass
class Collector:
    requests: Counter[str] = field(default_factory=Counter)  # wire requests by operation (retries included)
    errors: Counter[str] = field(default_factory=Counter)  # "Operation:ErrorCode"
    rcu: float = 0.0
    wcu: float = 0.0
    queries: list[dict[str, Any]] = field(default_factory=list)
    settings_reads: int = 0
    without_capacity: Counter[str] = field(default_factory=Counter)  # answered without ConsumedCapacity
    floor_wcu: float = 0.0  # bench.floors: what the writes must cost at the smallest item size
    billed_wcu: float = 0.0  # bench.floors: what DynamoDB bills for the writes (item by item)
    writes: list[dict[str, Any]] = field(default_factory=list)  # bench.floors entries, per write action
    probe_seconds: float = 0.0  # time spent reading old item states for the floor (not the product's)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self, reset: bool = False) -> dict[str, Any]:
        with self.lock:
            value = {"requests": dict(self.requests), "errors": dict(self.errors), "rcu": round(self.rcu, 3),
                     "wcu": round(self.wcu, 3), "queries": list(self.queries),
                     "settings_reads": self.settings_reads, "without_capacity": dict(self.without_capacity),
                     "floor_wcu": self.floor_wcu, "billed_wcu": self.billed_wcu, "writes": list(self.writes),
                     "probe_seconds": round(self.probe_seconds, 6)}
            if reset:
                self.requests.clear()
                self.errors.clear()
                self.rcu = self.wcu = 0.0
                self.queries.clear()
                self.settings_reads = 0
                self.without_capacity.clear()
                self.floor_wcu = self.billed_wcu = self.probe_seconds = 0.0
                self.writes.clear()
            return value


_local = threading.local()
background = Collector()


def _collector() -> Collector:
    current: Collector | None = getattr(_local, "collector", None)
    return current if current is not None else background


def _settings_sk() -> str:
    from orgplane import keys  # the settings item's sort key, as the product builds it

    return keys.settings("any")["SK"]


def _add_capacity(operation: str, parsed: dict[str, Any], collector: Collector) -> None:
    consumed = parsed.get("ConsumedCapacity")
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    for entry in entries:
        read = entry.get("ReadCapacityUnits")
        write = entry.get("WriteCapacityUnits")
        if read is None and write is None:
            units = float(entry.get("CapacityUnits") or 0)
            if operation in READ_OPERATIONS:
                read = units
            else:
                write = units
        collector.rcu += float(read or 0)
        collector.wcu += float(write or 0)


class _OldItems:
    """Reads an item's state before a write, through a client of its own session (not counted)."""

    def __init__(self) -> None:
        self._client: Any = None

    def __call__(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client("dynamodb")
        found: dict[str, Any] | None = self._client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return found


_WRITE_OPERATIONS = frozenset({"TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem"})


def _table_of(body: dict[str, Any]) -> str:
    specs = [next(iter(a.values())) for a in body.get("TransactItems", [])] or [body]
    return str(specs[0].get("TableName", ""))


def _before_write(operation: str, body: dict[str, Any], collector: Collector, old_items: _OldItems) -> None:
    """Read each written item's old state; the billing is worked out once the write succeeded."""
    from bench import floors

    started = time.perf_counter()
    table = _table_of(body)
    found = [(action, key, put, old_items(table, key)) for action, key, put in floors.actions(operation, body)]
    _local.pending = (operation, table, found)
    with collector.lock:
        collector.probe_seconds += time.perf_counter() - started


def _after_write(collector: Collector, old_items: _OldItems, all_indexes: list[Any]) -> None:
    from bench import floors

    started = time.perf_counter()
    operation, table, found = _local.pending
    factor = floors.factor(operation)
    entries = []
    for action, key, put, old in found:
        new = put if action == "Put" else None if action == "Delete" else old if action == "ConditionCheck" \
            else old_items(table, key)
        entries.append(floors.entry(action, key, old, new, all_indexes))
    with collector.lock:
        collector.floor_wcu += factor * sum(e.floor for e in entries)
        collector.billed_wcu += factor * sum(e.billed for e in entries)
        collector.writes += [dict(e.as_json(), op=operation) for e in entries]
        collector.probe_seconds += time.perf_counter() - started


def install_hooks() -> None:
    import boto3

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    settings_sk = _settings_sk()
    write_units = os.environ.get("BENCH_WRITE_UNITS") == "1"  # off for make bench-events: no extra reads
    old_items = _OldItems()
    from bench import floors

    all_indexes = floors.indexes()

    def add_capacity_param(params: dict[str, Any], model: Any, **_: Any) -> None:
        shape = model.input_shape
        if shape is not None and "ReturnConsumedCapacity" in shape.members and "ReturnConsumedCapacity" not in params:
            params["ReturnConsumedCapacity"] = "INDEXES"

    def count_request(request: Any, **_: Any) -> None:
        raw = request.headers.get("X-Amz-Target")
        target = raw.decode() if isinstance(raw, bytes) else str(raw or "")
        operation = target.rsplit(".", 1)[-1] or "?"
        collector = _collector()
        settings_read = False
        if operation == "GetItem":
            try:
                body = json.loads(request.body or b"{}")
                settings_read = body.get("Key", {}).get("SK", {}).get("S") == settings_sk
            except ValueError:
                pass
        with collector.lock:
            collector.requests[operation] += 1
            if settings_read:
                collector.settings_reads += 1
        if write_units and operation in _WRITE_OPERATIONS and collector is not background:
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                return
            _before_write(operation, body, collector, old_items)

    def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        collector = _collector()
        if getattr(_local, "pending", None) is not None:
            # a cancelled or retried write writes nothing: only a successful one is billed
            if not (parsed.get("Error") or {}).get("Code"):
                _after_write(collector, old_items, all_indexes)
            _local.pending = None
        with collector.lock:
            _add_capacity(model.name, parsed, collector)
            error = (parsed.get("Error") or {}).get("Code")
            if error:
                collector.errors[f"{model.name}:{error}"] += 1
            elif "ReturnConsumedCapacity" in (model.input_shape.members if model.input_shape else {}) \
                    and not parsed.get("ConsumedCapacity"):
                collector.without_capacity[model.name] += 1
            if model.name == "Query":
                collector.queries.append({"count": parsed.get("Count"), "scanned": parsed.get("ScannedCount")})

    session.events.register("provide-client-params.dynamodb", add_capacity_param)
    session.events.register("before-send.dynamodb", count_request)
    session.events.register("after-call.dynamodb", after_call)


def install_gateway_wrapper() -> None:
    from devserver import local_routes
    from devserver import server as devserver

    original = devserver.Gateway.handle

    def handle(self: Any, method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        collector = Collector()
        _local.collector = collector
        try:
            reply = original(self, method, target, headers, body)
        finally:
            _local.collector = None
        reply.headers[HEADER] = json.dumps(collector.summary(), separators=(",", ":"))
        return reply

    devserver.Gateway.handle = handle  # type: ignore[method-assign]

    def read_background(request: local_routes.LocalRequest) -> tuple[int, Any]:
        return 200, background.summary(reset=True)

    local_routes.register("GET", "/_local/bench/background", read_background)


def main(argv: list[str]) -> int:
    install_hooks()
    install_gateway_wrapper()
    from devserver.__main__ import main as devserver_main

    return devserver_main(["serve", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
