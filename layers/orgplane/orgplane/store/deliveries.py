"""Webhook deliveries: one item per (endpoint, event), its attempts recorded by single conditional writes.

A delivery is written outside any request's transaction (by the fan-out, the test send, the sender), so its
writes are single ``PutItem``/``UpdateItem`` requests; each is conditioned on the state it was decided on, so
a repeated stream record or a second attempt of the same delivery changes nothing.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from orgplane import keys
from orgplane.store import table

Item = dict[str, Any]
Key = dict[str, str]


def key_of(item: Item) -> Key:
    return {"PK": item["PK"], "SK": item["SK"]}


def read(app_id: str, webhook_id: str, delivery_id: str) -> Item | None:
    return table.get(keys.webhook_delivery(app_id, webhook_id, delivery_id))


def of_webhook(app_id: str, webhook_id: str) -> table.QuerySpec:
    """An endpoint's deliveries, newest first."""
    return table.QuerySpec("PK", keys.webhook_delivery(app_id, webhook_id, "")["PK"],
                           begins_with=keys.DELIVERY_PREFIX, forward=False)


def put_new(item: Item) -> bool:
    """Put a new delivery; ``False`` (nothing written) when it exists already."""
    try:
        table.put(item, condition="attribute_not_exists(PK)")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def restart(key: Key, generation: int, next_attempt_epoch: int, was: str) -> None:
    """Make a finished delivery pending again, as ``generation``, with no attempts yet; raises
    :class:`table.ConditionFailed` when its status is no longer ``was``."""
    table.update(key, "SET #s = :s, attempts = :a, generation = :g, next_attempt_epoch = :n",
                 condition="#s = :old", names={"#s": "status"},
                 values={":s": "pending", ":a": 0, ":g": generation, ":n": next_attempt_epoch, ":old": was})


def record_attempt(item: Item, changes: Item) -> bool:
    """Set ``changes`` on a delivery still at the attempts and generation read in ``item``; ``False`` when
    another attempt of it recorded first."""
    names = {f"#c{i}": name for i, name in enumerate(changes)}
    values: dict[str, Any] = {f":c{i}": value for i, value in enumerate(changes.values())}
    values[":attempts"] = int(item.get("attempts", 0))
    values[":generation"] = int(item.get("generation", 0))
    assignments = ", ".join(f"#c{i} = :c{i}" for i in range(len(changes)))
    try:
        table.update(key_of(item), f"SET {assignments}",
                     condition="attempts = :attempts AND generation = :generation", names=names, values=values)
    except table.ConditionFailed:
        return False
    return True
