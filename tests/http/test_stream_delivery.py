"""The local server's stream delivery follows Lambda's rules: filters, batches, partial failures, DLQ."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devserver import filters, template
from devserver.streams import Consumer, DeadLetters, lambda_record

CLEANUP = next(f for f in template.functions() if f.name == "org_cleanup")
FAKE = template.Function(logical_id="FakeFunction", code_uri=Path("functions/fake"), handler="app.handler",
                         environment={})


def record(n: int, entity: str = "CLEANUP", event: str = "INSERT", **image: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventID": f"e{n}", "eventName": event, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1", "eventSourceARN": "arn:stream",
        "dynamodb": {"SequenceNumber": f"{n:021d}", "Keys": {"PK": {"S": f"k{n}"}},
                     "NewImage": {"entity": {"S": entity}, **image}, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def seq(n: int) -> str:
    return f"{n:021d}"


# ---------------------------------------------------------------- filter criteria


def test_template_filter_passes_only_cleanup_inserts_and_modifies() -> None:
    patterns = [filters.parse(p) for s in CLEANUP.streams for p in s.filters]
    assert filters.matches_any(patterns, record(1))
    assert filters.matches_any(patterns, record(2, event="MODIFY"))
    assert not filters.matches_any(patterns, record(3, event="REMOVE"))
    assert not filters.matches_any(patterns, record(4, entity="ORG"))
    removed = record(5, event="REMOVE")
    del removed["dynamodb"]["NewImage"]
    assert not filters.matches_any(patterns, removed)


DELIVERY = next(f for f in template.functions() if f.name == "deliver_invitations")


def invitation_record(n: int, event: str = "INSERT", status: str = "pending", delivery: str = "queued",
                      entity: str = "INVITE") -> dict[str, Any]:
    return record(n, entity=entity, event=event, status={"S": status},
                  delivery={"M": {"status": {"S": delivery}, "attempts": {"N": "0"}}})


def test_template_filter_passes_only_pending_invitations_with_a_queued_send() -> None:
    patterns = [filters.parse(p) for s in DELIVERY.streams for p in s.filters]
    assert filters.matches_any(patterns, invitation_record(1))
    assert filters.matches_any(patterns, invitation_record(2, event="MODIFY"))  # a resend queues a new send
    for n, refused in enumerate([
        invitation_record(3, delivery="sent"), invitation_record(4, delivery="retry"),
        invitation_record(5, delivery="delivered"), invitation_record(6, status="accepted"),
        invitation_record(7, status="revoked"), invitation_record(8, event="REMOVE"),
        invitation_record(9, entity="MEMBER"), record(10, entity="INVITE"),
    ], start=3):
        assert not filters.matches_any(patterns, refused), n


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ({"a": [{"exists": True}]}, {"a": 1}, True),
        ({"a": [{"exists": True}]}, {}, False),
        ({"a": [{"exists": False}]}, {}, True),
        ({"a": {"b": [{"exists": False}]}}, {}, True),
        ({"a": [{"prefix": "INV"}]}, {"a": "INVITE-1"}, True),
        ({"a": [{"prefix": "INV"}]}, {"a": "ORG"}, False),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "x"}, False),
        ({"a": [{"anything-but": ["x"]}]}, {}, False),
        ({"a": [{"anything-but": {"prefix": "x"}}]}, {"a": "xyz"}, False),
        ({"a": ["x"]}, {"a": ["w", "x"]}, True),
        ({"a": ["x"]}, {"a": ["w"]}, False),
        ({"a": [5]}, {"a": 5}, True),
        ({"a": [5]}, {"a": "5"}, False),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 5}, True),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, {"a": 6}, False),
        ({"a": [{"equals-ignore-case": "abc"}]}, {"a": "ABC"}, True),
        ({"a": [{"suffix": ".com"}]}, {"a": "x@example.com"}, True),
    ],
)
def test_filter_rules(pattern: dict[str, Any], value: dict[str, Any], expected: bool) -> None:
    assert filters.matches(filters.parse(json.dumps(pattern)), value) is expected


def test_invalid_filter_patterns_are_refused() -> None:
    for bad in ('{"a": "x"}', '{"a": [{"regex": "x"}]}', "[]", '{"a": [{"numeric": [">"]}]}'):
        with pytest.raises(filters.PatternError):
            filters.parse(bad)


def test_stream_record_has_lambda_shape() -> None:
    raw = {"eventID": "1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
           "awsRegion": "us-east-1",
           "dynamodb": {"ApproximateCreationDateTime": datetime(2026, 1, 2, tzinfo=UTC),
                        "Keys": {"PK": {"S": "a"}}, "NewImage": {"blob": {"B": b"\x00\x01"}},
                        "SequenceNumber": "100", "SizeBytes": 10, "StreamViewType": "NEW_AND_OLD_IMAGES"}}
    converted = lambda_record(raw, "arn:aws:dynamodb:us-east-1:0:table/t/stream/x", "us-east-1")
    assert list(converted) == ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb",
                               "eventSourceARN"]
    assert converted["eventSourceARN"].endswith("/stream/x")
    assert converted["dynamodb"]["ApproximateCreationDateTime"] == datetime(2026, 1, 2, tzinfo=UTC).timestamp()
    assert converted["dynamodb"]["NewImage"]["blob"]["B"] == "AAE="
    json.dumps(converted)


# ---------------------------------------------------------------- batches and failures


def consumer_for(invoke: Callable[[dict[str, Any], Any], Any], batch_size: int = 10, retries: int = 2,
                 bisect: bool = True) -> tuple[Consumer, DeadLetters]:
    letters = DeadLetters()
    source = template.StreamSource(filters=(), batch_size=batch_size, max_retry_attempts=retries,
                                   bisect_on_error=bisect)
    consumer = Consumer(FAKE, source, invoke, letters)
    consumer.start()
    return consumer, letters


@pytest.fixture
def calls() -> Iterator[list[list[str]]]:
    yield []


def test_records_arrive_in_batches_of_batch_size(calls: list[list[str]]) -> None:
    def invoke(event: dict[str, Any], context: Any) -> None:
        calls.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])

    consumer, letters = consumer_for(invoke, batch_size=3)
    consumer.offer([record(n) for n in range(7)])
    assert consumer.wait_idle(5)
    consumer.stop()
    assert [len(c) for c in calls] == [3, 3, 1]
    assert [s for c in calls for s in c] == [seq(n) for n in range(7)]
    assert letters.list() == []


def test_batch_item_failures_redeliver_from_the_first_failed_record(calls: list[list[str]]) -> None:
    failed_once: set[str] = set()

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        calls.append(sequences)
        if seq(2) in sequences and seq(2) not in failed_once:
            failed_once.add(seq(2))
            return {"batchItemFailures": [{"itemIdentifier": seq(3)}, {"itemIdentifier": seq(2)}]}
        return {"batchItemFailures": []}

    consumer, letters = consumer_for(invoke)
    consumer.offer([record(n) for n in range(5)])
    assert consumer.wait_idle(5)
    consumer.stop()
    assert calls == [[seq(n) for n in range(5)], [seq(n) for n in range(2, 5)]]
    assert letters.list() == []


def test_a_record_failing_every_try_is_parked_in_dead_letters(calls: list[list[str]]) -> None:
    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        calls.append(sequences)
        return {"batchItemFailures": [{"itemIdentifier": seq(1)}] if seq(1) in sequences else []}

    consumer, letters = consumer_for(invoke, retries=2)
    consumer.offer([record(n) for n in range(3)])
    assert consumer.wait_idle(10)
    consumer.stop()
    parked = letters.list()
    assert [p["record"]["dynamodb"]["SequenceNumber"] for p in parked] == [seq(1)]
    assert parked[0]["attempts"] == 3 and parked[0]["function"] == "fake"
    assert calls[-1] == [seq(2)]  # delivery goes on after the parked record


def test_a_raising_function_is_bisected_down_to_the_poison_record(calls: list[list[str]]) -> None:
    def invoke(event: dict[str, Any], context: Any) -> None:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        calls.append(sequences)
        if seq(5) in sequences:
            raise RuntimeError("poison")

    consumer, letters = consumer_for(invoke, batch_size=8, retries=1)
    consumer.offer([record(n) for n in range(8)])
    assert consumer.wait_idle(10)
    consumer.stop()
    assert [p["record"]["dynamodb"]["SequenceNumber"] for p in letters.list()] == [seq(5)]
    delivered = {s for c in calls if seq(5) not in c for s in c}
    assert delivered == {seq(n) for n in range(8)} - {seq(5)}
