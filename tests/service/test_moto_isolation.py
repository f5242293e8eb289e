"""The moto tiers isolate whole requests: a request, from parsing to its serialised response, runs
under one lock, so no read turns items into a response while another thread's write changes them."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from devserver import moto_isolation
from orgplane.store import table


def test_items_are_turned_into_responses_while_the_lock_is_held(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.dynamo_type import Item

    held: list[bool] = []
    describe = Item.describe_attrs

    def spy(self: Item, *args: Any, **kwargs: Any) -> Any:
        held.append(moto_isolation.LOCK._is_owned())  # type: ignore[attr-defined]
        return describe(self, *args, **kwargs)

    monkeypatch.setattr(Item, "describe_attrs", spy)
    table.put({"PK": "P", "SK": "S", "entity": "TEST"})
    table.batch_get([{"PK": "P", "SK": "S"}])
    table.query(table.QuerySpec("PK", "P"), 10)
    assert held and all(held)


def test_a_batch_get_waits_for_the_isolation_lock_until_its_response_is_made() -> None:
    table.put({"PK": "P", "SK": "S", "entity": "TEST"})
    answered = threading.Event()

    def read() -> None:
        table.batch_get([{"PK": "P", "SK": "S"}])
        answered.set()

    with moto_isolation.LOCK:  # another request holds the engine
        reader = threading.Thread(target=read)
        reader.start()
        assert not answered.wait(0.3)
    assert answered.wait(10)
    reader.join()


def test_install_is_idempotent_and_wraps_each_request_once() -> None:
    from moto.dynamodb.responses import DynamoHandler

    wrapped = DynamoHandler.call_action
    moto_isolation.install()
    assert DynamoHandler.call_action is wrapped
