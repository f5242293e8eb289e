"""Teams: the named writes of a team item, its name claim and its team membership items."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store import records
from orgplane.store.conditions import Condition
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]
Key = dict[str, str]

EXISTS = Condition("attribute_exists(PK)")
IS_NEW = Condition("attribute_not_exists(PK)")


def put_new(tx: Transaction, item: Item) -> None:
    tx.put(item, condition=IS_NEW)


def claim_name(tx: Transaction, app_id: str, org_id: str, name: str, team_id: str, on_taken: DomainError) -> None:
    tx.put(records.team_name_claim_item(app_id, org_id, name, team_id), condition=IS_NEW, on_fail=on_taken)


def release_name(tx: Transaction, app_id: str, org_id: str, name_key: str, team_id: str) -> None:
    """The name's claim goes, STALE unless it is still this team's."""
    tx.delete(keys.team_name_claim(app_id, org_id, name_key),
              condition=Condition("#n_team = :n_team", {"#n_team": "team_id"}, {":n_team": team_id}),
              on_fail=STALE)


def update_as_read(tx: Transaction, app_id: str, org_id: str, team_id: str, changes: dict[str, Any],
                   updated_at: str) -> None:
    tx.update(keys.team(app_id, org_id, team_id), set_=changes,
              condition=Condition("#t_updated = :t_seen", {"#t_updated": "updated_at"}, {":t_seen": updated_at}),
              on_fail=STALE)


def delete(tx: Transaction, app_id: str, org_id: str, team_id: str, member_count: int | None = None) -> None:
    """The team goes; with ``member_count``, only while it has exactly that many memberships."""
    condition = EXISTS if member_count is None else Condition(
        "attribute_exists(PK) AND #t_count = :t_n", {"#t_count": "member_count"}, {":t_n": member_count})
    tx.delete(keys.team(app_id, org_id, team_id), condition=condition, on_fail=STALE)


def count_members(tx: Transaction, app_id: str, org_id: str, team_id: str, delta: int) -> None:
    tx.update(keys.team(app_id, org_id, team_id), add={"member_count": delta}, condition=EXISTS, on_fail=STALE)


def check_exists(tx: Transaction, app_id: str, org_id: str, team_id: str) -> None:
    tx.check(keys.team(app_id, org_id, team_id), EXISTS, on_fail=STALE)


# --- team membership items ----------------------------------------------------------------------


def put_new_member(tx: Transaction, item: Item) -> None:
    tx.put(item, condition=IS_NEW, on_fail=STALE)


def replace_orphan(tx: Transaction, item: Item) -> None:
    """Take the place of an orphan team membership item (it must still be there)."""
    tx.put(item, condition=EXISTS, on_fail=STALE)


def delete_member(tx: Transaction, key: Key) -> None:
    tx.delete(key, condition=EXISTS, on_fail=STALE)


def change_member_role(tx: Transaction, key: Key, old: str, new: str, now: str) -> None:
    tx.update(key, set_={"role": new, "updated_at": now},
              condition=Condition("#tm_role = :tm_old", {"#tm_role": "role"}, {":tm_old": old}), on_fail=STALE)


# --- reads ---------------------------------------------------------------------------------------


def of_org(app_id: str, org_id: str) -> QuerySpec:
    """An org's teams."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.TEAM_PREFIX)


def members_of(app_id: str, org_id: str, team_id: str) -> QuerySpec:
    """A team's membership items (orphans of departed members included: the caller drops them)."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.team_member_prefix(team_id))
