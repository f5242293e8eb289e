"""What DynamoDB bills for a write request, and its floor, from each written item before and after.

DynamoDB bills a write by the size of the item (the larger of before and after), in 1 KB units, and
every global secondary index entry the write adds, rewrites or removes as a write of its own (its
projected attributes, keys and 100 bytes of overhead, in 1 KB units); a transactional write
(``TransactWriteItems``) costs twice (prepare and commit,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html, "Capacity
management for transactions"); index entries are counted at the same rate, as DynamoDB Local does (an
upper bound). An index entry is rewritten when its key moves or when an attribute it projects changes
(with ``ProjectionType: ALL``, any attribute).

The **floor** of a write counts, per action, one table write and the index entries whose *key* must
change (an entry added, removed, or moved), each at the smallest unit. What it leaves out is exactly
what item sizes over 1 KB and projections add. Whether an entry is needed at all (does an access
pattern read it?) is judged in the code (``orgplane/keys.py``, template.yaml), not here.

``bench.instrumented`` reads each written item before the request is sent and, for an update, after
it succeeded, through a client of its own (not counted; its time is taken out of the latency).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TRANSACTION_FACTOR = 2


@dataclass(frozen=True)
class Index:
    name: str
    attributes: tuple[str, ...]  # its key attributes (partition, sort)
    projection: str = "ALL"  # ALL | KEYS_ONLY | INCLUDE
    included: frozenset[str] = frozenset()  # INCLUDE's NonKeyAttributes


def indexes() -> list[Index]:
    """The table's global secondary indexes, as template.yaml declares them."""
    from devserver import template

    definition = template.table_definition()
    return [Index(g["IndexName"], tuple(k["AttributeName"] for k in g["KeySchema"]),
                  g["Projection"]["ProjectionType"], frozenset(g["Projection"].get("NonKeyAttributes", [])))
            for g in definition.get("GlobalSecondaryIndexes", [])]


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item in wire format (attribute names plus values), in bytes."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, raw), = value.items()
    if kind == "S":
        return len(str(raw).encode())
    if kind == "N":
        digits = len(str(raw).lstrip("-").replace(".", "").lstrip("0")) or 1
        return (digits + 1) // 2 + 1
    if kind == "B":
        return len(raw) * 3 // 4
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in raw.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in raw)
    if kind in {"SS", "NS", "BS"}:
        return sum(_value_size({kind[0]: v}) for v in raw)
    return 0


def entity_of(key: dict[str, Any], item: dict[str, Any] | None) -> str:
    if item and "entity" in item:
        return str(item["entity"].get("S", "?"))
    sort_key = str(key.get("SK", {}).get("S", "?"))
    return sort_key.split("#", 1)[0] if "#" in sort_key else sort_key


@dataclass
class Entry:
    """One write action: what DynamoDB bills for it (from the item before and after) and its floor."""

    action: str  # Put | Update | Delete | ConditionCheck
    entity: str
    size: int  # bytes of the larger of the item before and after
    units: int  # billed units of the table write (1 KB each), before the transaction factor
    index_units: dict[str, int]  # index -> billed units of the entries written (added, rewritten, removed)
    floor_index: dict[str, int]  # index -> entries whose key must change (added, removed, or moved)

    @property
    def billed(self) -> int:
        return self.units + sum(self.index_units.values())

    @property
    def floor(self) -> int:
        return 1 + sum(self.floor_index.values())

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "entity": self.entity, "size": self.size, "units": self.units,
                "index": self.index_units, "floor_index": self.floor_index}


def actions(operation: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """(action, key, the item a Put writes) of each action of a write request."""
    found: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    if operation == "TransactWriteItems":
        specs = [next(iter(a.items())) for a in body.get("TransactItems", [])]
    elif operation in {"PutItem", "UpdateItem", "DeleteItem"}:
        specs = [(operation[:-4], body)]
    else:
        return []
    for action, spec in specs:
        if action == "Put":
            item = spec["Item"]
            found.append((action, {"PK": item["PK"], "SK": item["SK"]}, item))
        else:
            found.append((action, spec["Key"], None))
    return found


def _units(size: int) -> int:
    return max(1, -(-size // 1024))


def _entry_size(item: dict[str, Any], index: Index, table_keys: tuple[str, ...]) -> int:
    """The size of an item's entry in an index: the projected attributes, the table and index keys, plus
    the 100 bytes of overhead DynamoDB counts per index entry."""
    keep = set(table_keys) | set(index.attributes)
    if index.projection == "ALL":
        projected = item
    else:
        projected = {k: v for k, v in item.items() if k in keep or k in index.included}
    return item_size(projected) + 100


def _projected(item: dict[str, Any] | None, index: Index) -> dict[str, Any] | None:
    if item is None:
        return None
    if index.projection == "ALL":
        return item
    return {k: v for k, v in item.items() if k in index.attributes or k in index.included or k in {"PK", "SK"}}


def entry(action: str, key: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any] | None,
          all_indexes: list[Index]) -> Entry:
    size = max(item_size(old) if old else 0, item_size(new) if new else 0)
    index_units: dict[str, int] = {}
    floor_index: dict[str, int] = {}
    if action != "ConditionCheck":
        for index in all_indexes:
            was = old is not None and all(a in old for a in index.attributes)
            now = new is not None and all(a in new for a in index.attributes)
            moved = was and now and any(old[a] != new[a] for a in index.attributes)  # type: ignore[index]
            floor = (2 if moved else 0) if was and now else int(was) + int(now)
            billed = 0
            if was and (moved or not now):
                billed += _units(_entry_size(old, index, ("PK", "SK")))  # type: ignore[arg-type]
            if now and (moved or not was or _projected(old, index) != _projected(new, index)):
                billed += _units(_entry_size(new, index, ("PK", "SK")))  # type: ignore[arg-type]
            if floor:
                floor_index[index.name] = floor
            if billed:
                index_units[index.name] = billed
    return Entry(action, entity_of(key, new or old), size, _units(size), index_units, floor_index)


def factor(operation: str) -> int:
    return TRANSACTION_FACTOR if operation == "TransactWriteItems" else 1
