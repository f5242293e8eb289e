"""What the table reads cost, seen from the client: for tests that prove a read does not grow."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from orgplane.store import table


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
