"""Org memberships: the named conditions on a membership item (its role, its team map) and its writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from orgplane import keys
from orgplane.errors import DomainError
from orgplane.store.conditions import Condition, all_of
from orgplane.store.table import QuerySpec
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]

_ROLE = {"#m_role": "role"}


def role_is(role: str | None) -> Condition:
    """The membership exists and its role is still ``role`` (the one a request was judged on)."""
    return Condition("#m_role = :m_role", dict(_ROLE), {":m_role": role})


def role_in(roles: Iterable[str]) -> Condition:
    """The membership exists and its role is one of ``roles`` (judged without reading it)."""
    ordered = sorted(set(roles))
    if not ordered:
        return Condition("attribute_not_exists(PK) AND attribute_exists(PK)")  # nobody qualifies
    placeholders = [f":m_r{i}" for i in range(len(ordered))]
    return Condition(f"#m_role IN ({', '.join(placeholders)})", dict(_ROLE), dict(zip(placeholders, ordered,
                                                                                     strict=True)))


def team_role_is(team_id: str, role: str) -> Condition:
    """The membership's team map gives it ``role`` on ``team_id``."""
    return Condition("#m_teams.#m_team = :m_team_role", {"#m_teams": "teams", "#m_team": team_id},
                     {":m_team_role": role})


IS_NEW = Condition("attribute_not_exists(PK)")


def teams_as_read(membership: Item) -> Condition:
    """The membership's ``teams`` map is the one read (its ``teams_version`` unchanged)."""
    if "teams_version" in membership:
        return Condition("#m_tv = :m_tv", {"#m_tv": "teams_version"}, {":m_tv": membership["teams_version"]})
    return Condition("attribute_not_exists(#m_tv)", {"#m_tv": "teams_version"})


def put_new(tx: Transaction, item: Item, on_exists: DomainError) -> None:
    tx.put(item, condition=IS_NEW, on_fail=on_exists)


def change_role(tx: Transaction, app_id: str, org_id: str, user_id: str, old: str, changes: dict[str, Any]) -> None:
    """Set ``changes`` (the new role and its index keys) on a membership that still has role ``old``."""
    tx.update(keys.member(app_id, org_id, user_id), set_=changes, condition=role_is(old), on_fail=STALE)


def hidden_as_read(membership: Item) -> Condition:
    """The membership is still hidden by its org's deletion (``soft_deleted``), or still shown, as read: a
    restore's walk unhides memberships one by one after the org is back, each with its user's org count."""
    names = {"#m_hidden": "soft_deleted"}
    if membership.get("soft_deleted"):
        return Condition("attribute_exists(#m_hidden)", names)
    return Condition("attribute_not_exists(#m_hidden)", names)


def delete_as_read(tx: Transaction, app_id: str, org_id: str, membership: Item) -> None:
    """Remove a membership that still has the role, the team map and the hidden state read."""
    tx.delete(keys.member(app_id, org_id, str(membership["user_id"])),
              condition=all_of(role_is(str(membership["role"])), teams_as_read(membership),
                               hidden_as_read(membership)), on_fail=STALE)


# --- the membership's team map ({team_id: team role}) and its version ------------------------------

_MAP = {"#teams": "teams", "#tv": "teams_version"}


def _map_write(tx: Transaction, app_id: str, org_id: str, user_id: str, expression: str, condition: str,
               names: dict[str, str], values: dict[str, Any]) -> None:
    tx.update_expression(keys.member(app_id, org_id, user_id), expression, condition=condition, names=names,
                         values=values, on_fail=STALE)


def add_team(tx: Transaction, app_id: str, org_id: str, membership: Item, team_id: str, role: str) -> None:
    """The user's map gains the team; the membership must still exist and not have it yet (a membership
    written before memberships carried the map gets one)."""
    user_id = str(membership["user_id"])
    if "teams" in membership:
        add_team_to_map(tx, app_id, org_id, user_id, team_id, role, "attribute_exists(PK)")
    else:
        _map_write(tx, app_id, org_id, user_id, "SET #teams = :map ADD #tv :one",
                   "attribute_exists(PK) AND attribute_not_exists(#teams)", dict(_MAP),
                   {":map": {team_id: role}, ":one": 1})


def add_team_to_map(tx: Transaction, app_id: str, org_id: str, user_id: str, team_id: str, role: str,
                    requires: str = "attribute_exists(#teams)") -> None:
    """The user's existing map gains the team (unread membership: the map must exist and lack it)."""
    _map_write(tx, app_id, org_id, user_id, "SET #teams.#t = :role ADD #tv :one",
               f"{requires} AND attribute_not_exists(#teams.#t)", {**_MAP, "#t": team_id},
               {":role": role, ":one": 1})


def change_team_role(tx: Transaction, app_id: str, org_id: str, user_id: str, team_id: str, old: str,
                     new: str) -> None:
    _map_write(tx, app_id, org_id, user_id, "SET #teams.#t = :role ADD #tv :one", "#teams.#t = :old",
               {**_MAP, "#t": team_id}, {":role": new, ":old": old, ":one": 1})


def remove_team(tx: Transaction, app_id: str, org_id: str, user_id: str, team_id: str,
                role: str | None = None) -> None:
    """The user's map loses the team (which must still give ``role``, if given)."""
    if role is None:
        _map_write(tx, app_id, org_id, user_id, "REMOVE #teams.#t ADD #tv :one", "attribute_exists(#teams.#t)",
                   {**_MAP, "#t": team_id}, {":one": 1})
    else:
        _map_write(tx, app_id, org_id, user_id, "REMOVE #teams.#t ADD #tv :one", "#teams.#t = :old",
                   {**_MAP, "#t": team_id}, {":old": role, ":one": 1})


def check_not_on_team(tx: Transaction, app_id: str, org_id: str, user_id: str, team_id: str) -> None:
    """A team membership item of the user is an orphan: the membership (if any) lacks the team."""
    tx.check(keys.member(app_id, org_id, user_id),
             Condition("attribute_not_exists(PK) OR attribute_not_exists(#teams.#t)", {"#teams": "teams",
                                                                                       "#t": team_id}),
             on_fail=STALE)


EXISTS = Condition("attribute_exists(PK)")


def check_exists(tx: Transaction, app_id: str, org_id: str, user_id: str) -> None:
    """The user is (still) a member of the org, whatever their role."""
    tx.check(keys.member(app_id, org_id, user_id), EXISTS, on_fail=STALE)


# --- reads ---------------------------------------------------------------------------------------


def of_org(app_id: str, org_id: str) -> QuerySpec:
    """An org's members, by user id."""
    return QuerySpec("PK", keys.org_pk(app_id, org_id), begins_with=keys.MEMBER_PREFIX)


def with_role(app_id: str, org_id: str, role: str) -> QuerySpec:
    """An org's members holding ``role``, by user id (only those are read, however many others there are)."""
    return QuerySpec("GSI4PK", keys.members_with_role_pk(app_id, org_id, role), index=keys.GSI4, sort_name="GSI4SK")


def user_view(app_id: str, user_id: str, sort_prefix: str = keys.USER_ORG_PREFIX) -> QuerySpec:
    """A user's memberships (or, with ``keys.user_team_prefix()``, team memberships) across the app's orgs."""
    return QuerySpec("GSI1PK", keys.user_pk(app_id, user_id), index=keys.GSI1, sort_name="GSI1SK",
                     begins_with=sort_prefix)


def by_email(app_id: str, email_prefix: str | None) -> QuerySpec:
    """The app's memberships in member-email order (support's search by email)."""
    return QuerySpec("GSI5PK", keys.member_email_pk(app_id), index=keys.GSI5, sort_name="GSI5SK",
                     begins_with=email_prefix or None)
