"""An app's settings item: read whole, replaced whole, guarded by its ``version``."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.store import table
from orgplane.store.conditions import Condition
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]


def version_is(version: int | None) -> Condition:
    """The settings are still at ``version`` (``None``: none were ever written)."""
    if version is None:
        return Condition("attribute_not_exists(#v_version)", {"#v_version": "version"})
    return Condition("#v_version = :v_seen", {"#v_version": "version"}, {":v_seen": version})


def read(app_id: str) -> Item | None:
    return table.get(keys.settings(app_id))


def replace(tx: Transaction, app_id: str, fields: Item, *, seen: int | None, at: str, by: str) -> None:
    """Write ``fields`` as the app's settings, one version after ``seen``, STALE unless still at ``seen``."""
    tx.put({**keys.settings(app_id), "entity": "SETTINGS", "app_id": app_id, **fields, "version": int(seen or 0) + 1,
            "updated_at": at, "updated_by": by}, condition=version_is(seen), on_fail=STALE)
