"""Service tier: domain services on an in-process moto DynamoDB built from template.yaml."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from tests.support import world

_transactions = threading.Lock()
_original_transact = DynamoDBBackend.transact_write_items


def _isolated_transact(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
    # moto rolls a failed transaction back by restoring a snapshot of the whole table, which undoes a
    # concurrent transaction's writes; AWS isolates transactions, so serialise them here. The real
    # engine's behaviour under races is proven by the same tests on DynamoDB Local (tests/ddblocal).
    with _transactions:
        return _original_transact(self, *args, **kwargs)


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", _isolated_transact)
    with world.environment(), mock_aws():
        world.create_table(world.TEST_ENV["TABLE_NAME"])
        yield
