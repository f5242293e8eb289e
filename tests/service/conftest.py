"""Service tier: domain services on an in-process moto DynamoDB built from template.yaml."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from tests.support import world

_transactions = threading.RLock()
_ISOLATED = ("transact_write_items", "update_item", "put_item", "delete_item")
_originals = {name: getattr(DynamoDBBackend, name) for name in _ISOLATED}


def _isolated(name: str) -> Any:
    # moto rolls a failed transaction back by restoring a snapshot of the whole table, which undoes a
    # concurrent transaction's writes, and checks a single write's condition apart from applying it;
    # AWS makes both atomic, so serialise them here. The real engine's behaviour under races is proven
    # by the same tests on DynamoDB Local (tests/ddblocal).
    original = _originals[name]

    def isolated(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _transactions:
            return original(self, *args, **kwargs)

    return isolated


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in _ISOLATED:
        monkeypatch.setattr(DynamoDBBackend, name, _isolated(name))
    with world.environment(), mock_aws():
        world.create_table(world.TEST_ENV["TABLE_NAME"])
        yield
