"""Orgs: the named conditions and writes of an org item, its slug claim and its counters."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store import records
from orgplane.store.conditions import Condition, all_of
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Outcome, Stale, Transaction

Item = dict[str, Any]

EXISTS = Condition("attribute_exists(PK)")

#: The custom role the org's domain-join policy holds in the role's usage count (absent or null: none). The
#: policy's role as counted, kept apart from the policy so an org whose policy predates counting releases
#: nothing it never held.
POLICY_ROLE = "domain_join_role_held"
IS_NEW = Condition("attribute_not_exists(PK)")


def name_is(name: str) -> Condition:
    """The org exists and still has ``name``."""
    return Condition("#o_name = :o_name", {"#o_name": "name"}, {":o_name": name})


def join_policy_is(mode: str, role: str) -> Condition:
    """The org exists and its domain-join policy is still ``mode`` with ``role`` (as a join read it)."""
    return Condition("#o_dj.#o_dj_mode = :o_dj_mode AND #o_dj.#o_dj_role = :o_dj_role",
                     {"#o_dj": "domain_join", "#o_dj_mode": "mode", "#o_dj_role": "role"},
                     {":o_dj_mode": mode, ":o_dj_role": role})


def unchanged_since(updated_at: str) -> Condition:
    """The org exists and nothing changed it since it was read."""
    return Condition("#o_updated = :o_seen", {"#o_updated": "updated_at"}, {":o_seen": updated_at})


def keeps_an_owner() -> Condition:
    """The org exists and has more than one owner (one may go)."""
    return all_of(EXISTS, Condition("#o_owners > :o_one", {"#o_owners": "owner_count"}, {":o_one": 1}))


def below(counter: str, limit: int, *, absent_is_zero: bool = False) -> Condition:
    """The org exists and ``counter`` is below ``limit`` (an absent counter passes if ``absent_is_zero``)."""
    expression = "attribute_not_exists(#o_c) OR #o_c < :o_max" if absent_is_zero else "#o_c < :o_max"
    return all_of(EXISTS, Condition(expression, {"#o_c": counter}, {":o_max": limit}))


def at_most(counter: str, room: int) -> Condition:
    """The org exists and ``counter`` is at most ``room`` (so that adding to it stays within a limit)."""
    return all_of(EXISTS, Condition("#o_c <= :o_room", {"#o_c": counter}, {":o_room": room}))


def put_new(tx: Transaction, org: Item) -> None:
    tx.put(org, condition=IS_NEW)


def update_as_read(tx: Transaction, app_id: str, org_id: str, changes: dict[str, Any], updated_at: str) -> None:
    """Set ``changes`` on the org, STALE if it changed since read."""
    tx.update(keys.org(app_id, org_id), set_=changes, condition=unchanged_since(updated_at), on_fail=STALE)


def delete_as_read(tx: Transaction, app_id: str, org_id: str, updated_at: str) -> None:
    tx.delete(keys.org(app_id, org_id), condition=unchanged_since(updated_at), on_fail=STALE)


def count(tx: Transaction, app_id: str, org_id: str, add: dict[str, int], when: Condition = EXISTS,
          on_fail: Outcome = STALE) -> None:
    """Add to the org's counters, on ``when`` (by default: the org exists)."""
    tx.update(keys.org(app_id, org_id), add=add, condition=when, on_fail=on_fail)


def claim_slug(tx: Transaction, app_id: str, slug: str, org_id: str, on_taken: DomainError | Stale) -> None:
    tx.put(records.slug_item(app_id, slug, org_id), condition=IS_NEW, on_fail=on_taken)


def release_slug(tx: Transaction, app_id: str, slug: str, org_id: str) -> None:
    """The slug's claim goes, STALE unless it is still this org's."""
    tx.delete(keys.slug(app_id, slug), condition=Condition("#s_org = :s_org", {"#s_org": "org_id"},
                                                           {":s_org": org_id}), on_fail=STALE)


# --- reads ---------------------------------------------------------------------------------------


def listed_by_name(app_id: str, name_prefix: str | None) -> QuerySpec:
    """The app's orgs in name order (support's search; the index projects only the name)."""
    return QuerySpec("GSI5PK", keys.org_listing_pk(app_id), index=keys.GSI5, sort_name="GSI5SK",
                     begins_with=name_prefix or None)


def slugs(app_id: str, slug_prefix: str) -> QuerySpec:
    """The app's slug claims in slug order (support's search by slug)."""
    return QuerySpec("GSI2PK", keys.slug_listing_pk(app_id), index=keys.GSI2, sort_name="GSI2SK",
                     begins_with=slug_prefix)


def partition(app_id: str, org_id: str) -> QuerySpec:
    """Every item of an org's partition (what a purge removes)."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id))
