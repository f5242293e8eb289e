"""The DynamoDB client and the handful of operations the product uses.

Items go in and out as plain Python values (``str``, ``int``, ``bool``, ``None``, ``list``,
``dict``); numbers come back as ``int`` where integral. Endpoints come from the standard
``AWS_ENDPOINT_URL_DYNAMODB`` variable, so DynamoDB Local and the local server need nothing here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from orgplane.config import settings
from orgplane.errors import DomainError
from orgplane.store.conditions import Condition, all_of

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_lock = threading.Lock()
_client: Any = None

Item = dict[str, Any]

_TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
}


def client() -> Any:
    """One client per container, created on first use (standard retry mode, bounded)."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = boto3.client(
                    "dynamodb",
                    config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2,
                                  read_timeout=5),
                )
    return _client


def reset_client() -> None:
    global _client
    _client = None


def table_name() -> str:
    return settings().table_name


def _to_plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    if isinstance(value, list | set | frozenset | tuple):
        return [_to_plain(v) for v in value]
    return value


def _to_ddb_value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_ddb_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_ddb_value(v) for v in value]
    return value


def serialize(item: Item) -> dict[str, Any]:
    return {k: _serializer.serialize(_to_ddb_value(v)) for k, v in item.items()}


def serialize_value(value: Any) -> Any:
    return _serializer.serialize(_to_ddb_value(value))


def deserialize(raw: dict[str, Any]) -> Item:
    return {k: _to_plain(_deserializer.deserialize(v)) for k, v in raw.items()}


def _call(operation: str, **kwargs: Any) -> Any:
    try:
        return getattr(client(), operation)(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _TRANSIENT:
            raise DomainError("unavailable", "The database is busy; retry shortly.") from error
        raise


def get(key: dict[str, str], consistent: bool = True) -> Item | None:
    response = _call("get_item", TableName=table_name(), Key=serialize(key), ConsistentRead=consistent)
    raw = response.get("Item")
    return deserialize(raw) if raw else None


def batch_get(keys: Sequence[dict[str, str]], consistent: bool = True) -> list[Item | None]:
    """Items for ``keys`` in the same order (``None`` where absent). One request for up to 100 keys."""
    if not keys:
        return []
    wanted = [serialize(k) for k in keys]
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in wanted:
        unique[(raw["PK"]["S"], raw["SK"]["S"])] = raw
    found: dict[tuple[str, str], Item] = {}
    pending = list(unique.values())
    attempt = 0
    while pending:
        response = _call(
            "batch_get_item",
            RequestItems={table_name(): {"Keys": pending[:100], "ConsistentRead": consistent}},
        )
        for raw in response.get("Responses", {}).get(table_name(), []):
            found[(raw["PK"]["S"], raw["SK"]["S"])] = deserialize(raw)
        unprocessed = response.get("UnprocessedKeys", {}).get(table_name(), {}).get("Keys", [])
        pending = unprocessed + pending[100:]
        if unprocessed:
            attempt += 1
            if attempt > 5:
                raise DomainError("unavailable", "The database is busy; retry shortly.")
            time.sleep(0.05 * 2**attempt)
    return [found.get((raw["PK"]["S"], raw["SK"]["S"])) for raw in wanted]


@dataclass
class Page:
    items: list[Item]
    last_key: dict[str, Any] | None


@dataclass
class QuerySpec:
    """One ``Query`` on a known partition: table or index, a key condition, optional filter."""

    partition_name: str
    partition_value: str
    index: str | None = None
    sort_name: str = "SK"
    begins_with: str | None = None
    sort_between: tuple[str, str] | None = None
    sort_at_most: str | None = None
    forward: bool = True
    filter_expression: str | None = None
    filter_names: dict[str, str] = field(default_factory=dict)
    filter_values: dict[str, Any] = field(default_factory=dict)

    def where(self, condition: Condition | None) -> QuerySpec:
        """This query keeping only the items that meet ``condition`` (a filter: the rest still cost read units)."""
        if condition is None:
            return self
        if self.filter_expression is not None:
            condition = all_of(Condition(self.filter_expression, self.filter_names, self.filter_values), condition)
        return replace(self, filter_expression=condition.expression, filter_names=dict(condition.names),
                       filter_values=dict(condition.values))


def query(spec: QuerySpec, limit: int, start_key: dict[str, Any] | None = None) -> Page:
    names = {"#pk": spec.partition_name, **spec.filter_names}
    values: dict[str, Any] = {":pk": serialize_value(spec.partition_value)}
    condition = "#pk = :pk"
    if spec.begins_with is not None:
        names["#sk"] = spec.sort_name
        values[":prefix"] = serialize_value(spec.begins_with)
        condition += " AND begins_with(#sk, :prefix)"
    elif spec.sort_between is not None:
        names["#sk"] = spec.sort_name
        values[":lo"] = serialize_value(spec.sort_between[0])
        values[":hi"] = serialize_value(spec.sort_between[1])
        condition += " AND #sk BETWEEN :lo AND :hi"
    elif spec.sort_at_most is not None:
        names["#sk"] = spec.sort_name
        values[":hi"] = serialize_value(spec.sort_at_most)
        condition += " AND #sk <= :hi"
    for name, value in spec.filter_values.items():
        values[name] = serialize_value(value)
    kwargs: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": spec.forward,
        "Limit": limit,
    }
    if spec.index:
        kwargs["IndexName"] = spec.index
    else:
        kwargs["ConsistentRead"] = True
    if spec.filter_expression:
        kwargs["FilterExpression"] = spec.filter_expression
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    response = _call("query", **kwargs)
    return Page(
        items=[deserialize(raw) for raw in response.get("Items", [])],
        last_key=response.get("LastEvaluatedKey"),
    )


def query_all(spec: QuerySpec, page_size: int = 100, max_items: int = 1000) -> list[Item]:
    """Every item of a bounded partition read (used where the caller bounds the size)."""
    items: list[Item] = []
    start: dict[str, Any] | None = None
    while True:
        page = query(spec, page_size, start)
        items.extend(page.items)
        if not page.last_key or len(items) >= max_items:
            return items[:max_items]
        start = page.last_key


def put(item: Item, condition: str | None = None, names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None) -> None:
    _call("put_item", TableName=table_name(), Item=serialize(item), **_expressions(condition, names, values))


def _expressions(condition: str | None, names: dict[str, str] | None, values: dict[str, Any] | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if condition:
        kwargs["ConditionExpression"] = condition
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = {k: serialize_value(v) for k, v in values.items()}
    return kwargs


class ConditionFailed(Exception):
    """A single-item conditional write found the item not as expected."""


def update(key: dict[str, str], expression: str, *, condition: str | None = None,
           names: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> Item:
    """One conditional ``UpdateItem`` (for work outside a request's transaction: delivery bookkeeping);
    returns the item as written, or raises :class:`ConditionFailed`."""
    try:
        response = _call("update_item", TableName=table_name(), Key=serialize(key), UpdateExpression=expression,
                         ReturnValues="ALL_NEW", **_expressions(condition, names, values))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise ConditionFailed(str(key)) from error
        raise
    return deserialize(response["Attributes"])


def delete_many(keys: Iterable[dict[str, str]]) -> None:
    """Unconditional deletes in batches of 25 (cleanup of already-unreachable items only)."""
    batch = [{"DeleteRequest": {"Key": serialize(k)}} for k in keys]
    for start in range(0, len(batch), 25):
        requests = batch[start : start + 25]
        attempt = 0
        while requests:
            response = _call("batch_write_item", RequestItems={table_name(): requests})
            requests = response.get("UnprocessedItems", {}).get(table_name(), [])
            if requests:
                attempt += 1
                if attempt > 6:
                    raise DomainError("unavailable", "The database is busy; retry shortly.")
                time.sleep(0.05 * 2**attempt)
