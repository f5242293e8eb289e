"""Invite links: a link's state (``active`` until revoked) and its ``uses`` counter, with their writes."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.store.conditions import Condition, all_of
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]

ACTIVE = "active"
IS_NEW = Condition("attribute_not_exists(PK)")


def active() -> Condition:
    return Condition("#il_status = :il_active", {"#il_status": "status"}, {":il_active": ACTIVE})


def usable(token_hash: str, now_epoch: int) -> Condition:
    """Active, still the token read, unexpired at ``now_epoch`` and not used up: one more may join by it."""
    return all_of(active(), Condition(
        "#il_hash = :il_hash AND #il_exp > :il_now AND (attribute_not_exists(#il_max) OR #il_uses < #il_max)",
        {"#il_hash": "token_hash", "#il_exp": "expires_epoch", "#il_max": "max_uses", "#il_uses": "uses"},
        {":il_hash": token_hash, ":il_now": now_epoch}))


def put_new(tx: Transaction, item: Item) -> None:
    tx.put(item, condition=IS_NEW)


def revoke(tx: Transaction, app_id: str, org_id: str, link_id: str, now: str) -> None:
    """The link is revoked, STALE unless it is still active."""
    tx.update(keys.invite_link(app_id, org_id, link_id), set_={"status": "revoked", "updated_at": now},
              condition=active(), on_fail=STALE)


def use(tx: Transaction, app_id: str, org_id: str, link_id: str, token_hash: str, now_epoch: int, now: str) -> None:
    """Count one use of the link, STALE unless it is still :func:`usable`."""
    tx.update(keys.invite_link(app_id, org_id, link_id), add={"uses": 1}, set_={"updated_at": now},
              condition=usable(token_hash, now_epoch), on_fail=STALE)


def of_org(app_id: str, org_id: str) -> QuerySpec:
    """An org's invite links, by id."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.INVITE_LINK_PREFIX)
