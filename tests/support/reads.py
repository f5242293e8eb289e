"""What the table reads cost, seen from the client: for tests that prove a read does not grow."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from orgplane import keys
from orgplane.store import table

Item = dict[str, Any]


@contextlib.contextmanager
def items_read_by_queries() -> Iterator[list[int]]:
    """The ``ScannedCount`` of every Query sent inside the block: items DynamoDB evaluated, before any
    filter (botocore's after-call hook sees every response)."""
    seen: list[int] = []

    def after(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query":
            seen.append(int(parsed.get("ScannedCount", 0)))

    events = table.client().meta.events
    events.register("after-call.dynamodb.Query", after)
    try:
        yield seen
    finally:
        events.unregister("after-call.dynamodb.Query", after)


def stale_first_read(monkeypatch: pytest.MonkeyPatch, change: Callable[[list[Item | None]], list[Item | None]]) -> None:
    """The next ``BatchGetItem`` answers ``change(what it found)``: what a request read a moment before a
    concurrent write landed. Later reads see the table as it is."""
    real = table.batch_get
    calls = 0

    def batch_get(keys: Sequence[dict[str, str]], consistent: bool = True) -> list[Item | None]:
        nonlocal calls
        calls += 1
        found = real(keys, consistent)
        return change(found) if calls == 1 else found

    monkeypatch.setattr(table, "batch_get", batch_get)


@contextlib.contextmanager
def requests_sent() -> Iterator[list[str]]:
    """The DynamoDB operations sent inside the block, in order, but for reads of the app settings item (a
    container's cache miss, which the benchmark leaves out too)."""
    sent: list[str] = []

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        if (params.get("Key") or {}).get("SK") != {"S": keys.settings("any")["SK"]}:
            sent.append(model.name)

    table.client().meta.events.register("before-parameter-build.dynamodb", count, unique_id="requests-sent")
    try:
        yield sent
    finally:
        table.client().meta.events.unregister("before-parameter-build.dynamodb", unique_id="requests-sent")
