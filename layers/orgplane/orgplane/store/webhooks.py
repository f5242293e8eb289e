"""Webhook endpoints: the named conditions and writes of an endpoint item and of the app's endpoint count."""

from __future__ import annotations

import contextlib
from typing import Any

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store import table
from orgplane.store.conditions import Condition
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]

IS_NEW = Condition("attribute_not_exists(PK)")
EXISTS = Condition("attribute_exists(PK)")


def unchanged_since(updated_at: str) -> Condition:
    """The endpoint exists and nothing changed it since it was read."""
    return Condition("#w_updated = :w_seen", {"#w_updated": "updated_at"}, {":w_seen": updated_at})


def enabled() -> Condition:
    """The endpoint is enabled."""
    return Condition("#w_enabled = :w_on", {"#w_enabled": "enabled"}, {":w_on": True})


def read(app_id: str, webhook_id: str) -> Item | None:
    return table.get(keys.webhook(app_id, webhook_id))


def read_with_event_counter(app_id: str, webhook_id: str) -> tuple[Item | None, Item | None]:
    """The endpoint and the app's event counter (``None`` where absent) in one ``BatchGetItem``: a change of
    the endpoint numbers its app-level audit event from that counter without reading it again."""
    endpoint, counter = table.batch_get([keys.webhook(app_id, webhook_id), keys.event_sequence(app_id, None)])
    return endpoint, counter


def of_app(app_id: str) -> table.QuerySpec:
    """The app's endpoints (its listing on GSI2)."""
    return table.QuerySpec("GSI2PK", keys.webhooks_pk(app_id), index=keys.GSI2, sort_name="GSI2SK")


def put_new(tx: Transaction, item: Item) -> None:
    tx.put(item, condition=IS_NEW)


def count(tx: Transaction, app_id: str, limit: int, on_full: DomainError) -> None:
    """One endpoint more for the app, refused with ``on_full`` when it has ``limit`` already."""
    tx.update(keys.webhook_count(app_id), add={"count": 1}, set_={"entity": "WEBHOOK_COUNT"},
              condition=Condition("attribute_not_exists(#w_count) OR #w_count < :w_max", {"#w_count": "count"},
                                  {":w_max": limit}), on_fail=on_full)


def uncount(tx: Transaction, app_id: str) -> None:
    tx.update(keys.webhook_count(app_id), add={"count": -1})


def change(tx: Transaction, app_id: str, webhook_id: str, changes: Item, *, when: Condition,
           remove: list[str] | None = None) -> None:
    """Set ``changes`` (and drop ``remove``) on an endpoint in the state ``when`` says, else STALE."""
    tx.update(keys.webhook(app_id, webhook_id), set_=changes, remove=remove or None, condition=when, on_fail=STALE)


def disable(tx: Transaction, app_id: str, webhook_id: str, reason: str, at: str, *, when: Condition) -> None:
    """The endpoint stops receiving deliveries, with ``reason`` (STALE unless ``when`` holds)."""
    change(tx, app_id, webhook_id, {"enabled": False, "disabled_reason": reason, "updated_at": at}, when=when)


def delete(tx: Transaction, app_id: str, webhook_id: str, on_missing: DomainError) -> None:
    tx.delete(keys.webhook(app_id, webhook_id), condition=EXISTS, on_fail=on_missing)


# --- its health, kept by the sender outside any request's transaction --------------------------------


def mark_failing(app_id: str, webhook_id: str, since: int) -> None:
    """Note when the endpoint started failing (once: an earlier mark, or a deleted endpoint, is left alone)."""
    with contextlib.suppress(table.ConditionFailed):
        table.update(keys.webhook(app_id, webhook_id), "SET failing_since = :now",
                     condition="attribute_exists(PK) AND attribute_not_exists(failing_since)",
                     values={":now": since})


def clear_failing(app_id: str, webhook_id: str) -> None:
    """The endpoint answered: it is no longer failing."""
    table.update(keys.webhook(app_id, webhook_id), "REMOVE failing_since")
