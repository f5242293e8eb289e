"""moto's DynamoDB with AWS's write isolation, at a cost that does not grow with the table.

Two gaps of moto matter here:

- Nothing is isolated: a transaction's conditions are checked apart from applying it, a failed
  transaction is rolled back by restoring a copy of the whole table (undoing writes made
  concurrently), and a query iterates the table's dicts while another thread may change them. Every
  **request** is serialised on one lock instead: the whole of it, from parsing to the serialised
  response. Locking only the backend's methods is not enough, because moto turns the items a read
  returns into the response after the method has returned, while another thread's write may be
  changing those very items ("dictionary changed size during iteration"); and a lock per method
  misses the ones nobody listed (``batch_get_item`` was).
- That copy is a deep copy of the whole table, stream records included, made once **per operation**
  of every transaction: each transaction costs time and memory in proportion to everything ever
  written, until requests time out. Instead, this patch copies only the items the transaction names
  (and remembers the stream's length), and restores just those when it fails.

:func:`install` is idempotent; the local server and the moto test tier both use it.
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item")
_READS = ("get_item", "query", "scan")  # a read must not iterate a table while a write changes it


class _NoTableCopies(types.SimpleNamespace):
    """Stands in for the ``copy`` module inside moto's DynamoDB backend: tables are not copied (the
    patched transaction restores what it touched itself); anything else is copied as before."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def install() -> None:
    import moto.dynamodb.models as backend_module
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_orgplane_isolated", False):
        return
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    for handler in (DynamoHandler, DynamoDBStreamsHandler):  # whole requests, responses included
        handler.call_action = _locked(handler.call_action)  # type: ignore[method-assign]
    for name in (*_WRITES, *_READS):  # direct calls on the backend (tests and the local tools)
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
    DynamoDBBackend.transact_write_items = _transaction(DynamoDBBackend.transact_write_items)  # type: ignore[method-assign]
    backend_module.copy = _NoTableCopies()  # type: ignore[assignment]
    DynamoDBBackend._orgplane_isolated = True  # type: ignore[attr-defined]


def _locked(original: Any) -> Any:
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return original(self, *args, **kwargs)

    return locked


def _transaction(original: Any) -> Any:
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        with LOCK:
            saved = _touched(self, transact_items)
            streams = {id(t): (t, len(t.stream_shard.items)) for t, *_ in saved if t.stream_shard is not None}
            try:
                return original(self, transact_items)
            except Exception:
                for table, hash_key, range_key, item in reversed(saved):
                    _restore(table, hash_key, range_key, item)
                for table, length in streams.values():
                    del table.stream_shard.items[length:]
                raise

    return transact_write_items


def _touched(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash key, range key, a copy of the item or None) for every item the transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        op = next(iter(entry.values()), None)
        if not isinstance(op, dict) or op.get("TableName") not in backend.tables:
            continue
        table = backend.tables[op["TableName"]]
        key = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
            continue  # moto refuses it before changing anything
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return saved


def _restore(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    if item is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item
