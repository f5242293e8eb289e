"""DynamoDB stream → Lambda, as an event source mapping does it, without AWS.

:class:`StreamReader` polls the table's stream every ``interval`` seconds (``describe_stream``, shard
iterators from ``TRIM_HORIZON``, ``get_records``; new shards are picked up as they appear, children
after their parents) and hands every record to each :class:`Consumer`: one per function with a
``DynamoDB`` event in template.yaml. A consumer keeps the records its ``FilterCriteria`` let through
and invokes its function in batches of ``BatchSize`` on its own thread, with Lambda's event shape.
``batchItemFailures`` re-deliver from the first failed record; an invocation that raises is retried
(bisected when ``BisectBatchOnFunctionError``); a record that fails ``MaximumRetryAttempts + 1`` times
(5 tries when the template sets no limit) is parked in the dead-letter list.
"""

from __future__ import annotations

import base64
import collections
import json
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from devserver import filters
from devserver.loader import LambdaContext
from devserver.template import Function, StreamSource
from orgplane import clock

Record = dict[str, Any]
Invoke = Callable[[dict[str, Any], LambdaContext], Any]

DEFAULT_MAX_TRIES = 5
_GET_RECORDS_LIMIT = 1000


def lambda_record(raw: dict[str, Any], stream_arn: str, region: str) -> Record:
    """A ``get_records`` record (boto3 shapes) as Lambda delivers it: JSON values, epoch seconds, base64."""
    dynamodb = {k: _jsonable(v) for k, v in (raw.get("dynamodb") or {}).items()}
    created = (raw.get("dynamodb") or {}).get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = float(int(created.timestamp()))
    elif created is None:
        dynamodb["ApproximateCreationDateTime"] = float(int(time.time()))
    if "SizeBytes" not in dynamodb:
        images = {k: dynamodb.get(k) for k in ("Keys", "NewImage", "OldImage")}
        dynamodb["SizeBytes"] = len(json.dumps(images))
    record: Record = {
        "eventID": raw.get("eventID") or uuid.uuid4().hex,
        "eventName": raw.get("eventName"),
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion") or region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if raw.get("userIdentity"):
        record["userIdentity"] = _jsonable(raw["userIdentity"])
    return record


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, datetime):
        return float(int(value.timestamp()))
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


class Consumer:
    """One event source mapping: filtered records of the stream, delivered in batches to one function."""

    def __init__(self, function: Function, source: StreamSource, invoke: Invoke,
                 dead_letters: DeadLetters) -> None:
        self.function = function
        self.source = source
        self.patterns = [filters.parse(p) for p in source.filters]
        self.invoke = invoke
        self.dead_letters = dead_letters
        retries = source.max_retry_attempts
        self.max_tries = retries + 1 if retries >= 0 else DEFAULT_MAX_TRIES
        self._queue: collections.deque[Record] = collections.deque()
        self._tries: dict[str, int] = {}
        self._busy = False
        self._stopping = False
        self._cond = threading.Condition()
        self._limit = max(1, source.batch_size)
        self.delivered = 0
        self._thread = threading.Thread(target=self._run, name=f"stream-{function.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def offer(self, records: list[Record]) -> int:
        """Queue the records the filter criteria let through; returns how many."""
        wanted = [r for r in records if filters.matches_any(self.patterns, r)]
        if wanted:
            with self._cond:
                self._queue.extend(wanted)
                self._cond.notify_all()
        return len(wanted)

    def status(self) -> dict[str, Any]:
        with self._cond:
            return {"function": self.function.name, "delivered": self.delivered, "pending": len(self._queue),
                    "busy": self._busy, "batch_size": self.source.batch_size, "max_tries": self.max_tries,
                    "filters": self.patterns}

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._stopping)
                if self._stopping:
                    return
                batch = list(self._queue)[: self._limit]
                self._busy = True
            try:
                self._deliver(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _deliver(self, batch: list[Record]) -> None:
        event = json.loads(json.dumps({"Records": batch}))  # a fresh copy, JSON types only, like Lambda's
        context = LambdaContext(self.function.logical_id, str(uuid.uuid4()))
        failed_at: int | None
        error: str
        try:
            response = self.invoke(event, context)
        except Exception as exc:  # the whole invocation failed
            traceback.print_exc(file=sys.stderr)
            failed_at, error = 0, f"{type(exc).__name__}: {exc}"
            if self.source.bisect_on_error and len(batch) > 1:
                with self._cond:
                    self._limit = max(1, len(batch) // 2)  # retry the first half on its own
                return
        else:
            failed_at = _first_failure(response, batch)
            error = "reported in batchItemFailures"
        done = len(batch) if failed_at is None else failed_at
        with self._cond:
            for _ in range(done):
                record = self._queue.popleft()
                self._tries.pop(_sequence(record), None)
            self.delivered += done
            if failed_at is None:
                self._limit = max(1, self.source.batch_size)
                return
            record = self._queue[0]
            sequence = _sequence(record)
            tries = self._tries[sequence] = self._tries.get(sequence, 0) + 1
            if tries < self.max_tries:
                delay = min(1.0, 0.05 * tries)
            else:
                self._queue.popleft()
                self._tries.pop(sequence, None)
                self.delivered += 1
                self._limit = max(1, self.source.batch_size)
                self.dead_letters.add(self.function, record, tries, error)
                delay = 0.0
        if delay:
            time.sleep(delay)


def _sequence(record: Record) -> str:
    return str(record.get("dynamodb", {}).get("SequenceNumber") or record.get("eventID"))


def _first_failure(response: Any, batch: list[Record]) -> int | None:
    """Index of the first record to re-deliver, or ``None`` when the whole batch succeeded."""
    if not isinstance(response, dict) or not response.get("batchItemFailures"):
        return None
    positions = {_sequence(r): i for i, r in enumerate(batch)}
    indexes = []
    for failure in response["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or str(identifier) not in positions:
            return 0  # Lambda treats an unknown or empty identifier as a failure of the whole batch
        indexes.append(positions[str(identifier)])
    return min(indexes)


class DeadLetters:
    """Records that failed every try (the deployed stack sends them to its dead-letter queue)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[dict[str, Any]] = []

    def add(self, function: Function, record: Record, attempts: int, error: str) -> None:
        print(f"devserver: {function.name} failed a stream record {attempts} times; parked in "
              f"GET /_local/dead-letters", file=sys.stderr)
        with self._lock:
            self._items.append({"function": function.name, "attempts": attempts, "error": error,
                                "failed_at": clock.iso(), "record": record})

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items)

    def clear(self) -> int:
        with self._lock:
            count = len(self._items)
            self._items.clear()
            return count


class StreamReader:
    """Reads every shard of one stream and offers each record to every consumer."""

    def __init__(self, client: Any, stream_arn: str, consumers: list[Consumer], region: str,
                 interval: float = 0.2) -> None:
        self.client = client
        self.stream_arn = stream_arn
        self.consumers = consumers
        self.region = region
        self.interval = interval
        self.records_read = 0
        self._iterators: dict[str, str] = {}
        self._last_sequence: dict[str, str] = {}
        self._finished: set[str] = set()
        self._passes_started = 0
        self._passes_finished = 0
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stream-reader", daemon=True)

    def start(self) -> None:
        for consumer in self.consumers:
            consumer.start()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for consumer in self.consumers:
            consumer.stop()

    def _run(self) -> None:
        failing = False
        while not self._stop.is_set():
            with self._cond:
                self._passes_started += 1
            try:
                read = self._pass()
                failing = False
            except Exception:  # keep polling: the endpoint may come back (report once, not every pass)
                if not failing:
                    traceback.print_exc(file=sys.stderr)
                failing, read = True, 0
            with self._cond:
                self.records_read += read
                self._passes_finished += 1
                self._cond.notify_all()
            self._wake.wait(self.interval)
            self._wake.clear()

    def _pass(self) -> int:
        shards = self._shards()
        known = {s["ShardId"] for s in shards}
        read = 0
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id in self._finished:
                continue
            parent = shard.get("ParentShardId")
            if parent and parent in known and parent not in self._finished:
                continue  # a child's records come after all of its parent's
            iterator = self._iterators.get(shard_id) or self._new_iterator(shard_id)
            for _ in range(10):
                try:
                    page = self.client.get_records(ShardIterator=iterator, Limit=_GET_RECORDS_LIMIT)
                except self.client.exceptions.ExpiredIteratorException:
                    iterator = self._new_iterator(shard_id)
                    continue
                except self.client.exceptions.TrimmedDataAccessException:  # past the 24 h retention
                    self._last_sequence.pop(shard_id, None)
                    iterator = self._new_iterator(shard_id)
                    continue
                records = page.get("Records", [])
                if records:
                    converted = [lambda_record(r, self.stream_arn, self.region) for r in records]
                    for consumer in self.consumers:
                        consumer.offer(converted)
                    self._last_sequence[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
                    read += len(records)
                next_iterator = page.get("NextShardIterator")
                if not next_iterator:
                    self._finished.add(shard_id)
                    self._iterators.pop(shard_id, None)
                    break
                iterator = self._iterators[shard_id] = next_iterator
                if not records:
                    break
        return read

    def _shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        start: str | None = None
        while True:
            kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
            if start:
                kwargs["ExclusiveStartShardId"] = start
            description = self.client.describe_stream(**kwargs)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            start = description.get("LastEvaluatedShardId")
            if not start:
                return shards

    def _new_iterator(self, shard_id: str) -> str:
        last = self._last_sequence.get(shard_id)
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        if last:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=last)
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        iterator = str(self.client.get_shard_iterator(**kwargs)["ShardIterator"])
        self._iterators[shard_id] = iterator
        return iterator

    def fresh_pass(self, timeout: float) -> int | None:
        """Run a full pass that starts after this call; records read meanwhile (``None``: timed out)."""
        with self._cond:
            before = self.records_read
            target = self._passes_started + 1
            self._wake.set()
            if not self._cond.wait_for(lambda: self._passes_finished >= target, timeout):
                return None
            return self.records_read - before

    def drain(self, timeout: float = 30.0) -> int | None:
        """Block until every record written so far (and every record the consumers wrote while being
        fed them) has been delivered; returns how many records were read, ``None`` on timeout."""
        deadline = time.monotonic() + timeout
        total = 0
        while True:
            # consumers idle first: a pass that then finds nothing new proves their writes were read too
            for consumer in self.consumers:
                if not consumer.wait_idle(max(0.0, deadline - time.monotonic())):
                    return None
            read = self.fresh_pass(max(0.0, deadline - time.monotonic()))
            if read is None:
                return None
            total += read
            if read == 0:
                return total
