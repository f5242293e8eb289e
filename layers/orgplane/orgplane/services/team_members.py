"""Team memberships: a member joins, changes role on, or leaves a team, and leaves every team with the org.

A team membership is its own item and an entry of the org membership's ``teams`` map, written together
(see :mod:`orgplane.services.teams` for how they are kept exact).
"""

from __future__ import annotations

import secrets

from orgplane import clock, ids, keys
from orgplane.caller import Caller
from orgplane.errors import not_found
from orgplane.models.common import Page
from orgplane.models.teams import ListTeamMembersQuery, PutTeamMember, TeamMember
from orgplane.services import audit, optimistic, teams
from orgplane.services.teams import (
    ADDED_AT_COMMIT,
    JOB_MEMBER_TEAMS,
    MAINTAINER,
    NOT_ORG_MEMBER,
    Item,
    commit_guarded,
    existing_team,
    open_team,
    operations_left,
    team_authority,
)
from orgplane.services.tenancy import OrgView, assume_org
from orgplane.store import conditions, cursors, memberships, pages, records, table
from orgplane.store import teams as teams_store
from orgplane.store.conditions import Condition
from orgplane.store.transaction import Transaction

# --- reading ----------------------------------------------------------------------------------


def list_members(caller: Caller, org_id: str, team_id: str, query: ListTeamMembersQuery) -> Page[TeamMember]:
    """A page of the team's members; each is checked against its org membership's map, so a user who
    has left the org never shows, even while a cleanup job still holds their team membership item."""
    view, team, _ = open_team(caller, org_id, team_id)
    view.require("org:read")
    existing_team(team)
    scope = f"team-members:{caller.app_id}:{org_id}:{team_id}"
    page = pages.fill(
        teams_store.members_of(caller.app_id, org_id, team_id),
        query.limit, cursors.decode(query.cursor, scope),
    )
    memberships = table.batch_get([keys.member(caller.app_id, org_id, i["user_id"]) for i in page.items])
    data = [records.to_team_member(item) for item, membership in zip(page.items, memberships, strict=True)
            if team_id in records.member_teams(membership)]
    return Page(data=data, next_cursor=cursors.encode(page.last_key, scope))


def live_teams(app_id: str, org_id: str, membership: Item | None) -> list[tuple[str, str]]:
    """(team_id, team role) of a membership's map, without teams deleted while their cleanup runs."""
    entries = sorted(records.member_teams(membership).items())
    if not entries:
        return []
    found = table.batch_get([keys.team(app_id, org_id, team_id) for team_id, _ in entries])
    return [entry for entry, team in zip(entries, found, strict=True) if team is not None]


# --- team members -----------------------------------------------------------------------------


def put_member(caller: Caller, org_id: str, team_id: str, user_id: str, body: PutTeamMember) -> TeamMember:
    user_id = caller.resolve_user(user_id)
    return optimistic.write(lambda: _add_member_unread(caller, org_id, team_id, user_id, body),
                            lambda: _put_member(caller, org_id, team_id, user_id, body))


def _add_member_unread(caller: Caller, org_id: str, team_id: str, user_id: str,
                       body: PutTeamMember) -> TeamMember | None:
    """The common case in one request: a member of the org joins a team they are not on. Guards: the
    team member item is new, the team exists, the user's membership exists with a team map lacking the
    team, and the caller holds ``team:member:manage`` by org role or maintains this team. Anything else
    (a role change, an orphan to take over, a stranger) fails a guard and takes the read path."""
    view = assume_org(caller, org_id)
    if view is None or not ids.is_valid("team", team_id):
        return None
    app_id = caller.app_id
    result = records.team_member_item(app_id, org_id, team_id, user_id, body.role, clock.iso())
    tx = Transaction()
    teams_store.put_new_member(tx, result)
    teams_store.count_members(tx, app_id, org_id, team_id, +1)
    memberships.add_team_to_map(tx, app_id, org_id, user_id, team_id, body.role)
    authority = None if caller.support else conditions.any_of(
        view.authority("team:member:manage"), memberships.team_role_is(team_id, MAINTAINER))
    view.guard(tx, authority=authority, caller=authority is not None)
    audit.record(tx, caller, org_id, "team.member_added", "team", team_id, {"user_id": user_id, "role": body.role},
                 view.settings.audit_retention_days)
    tx.commit()
    return records.to_team_member(result)


def _put_member(caller: Caller, org_id: str, team_id: str, user_id: str, body: PutTeamMember) -> TeamMember:
    app_id = caller.app_id
    member_key = keys.team_member(app_id, org_id, team_id, user_id)
    view, found, (membership, current) = open_team(caller, org_id, team_id, keys.member(app_id, org_id, user_id),
                                                    member_key)
    existing_team(found)
    guard = team_authority(view, team_id, "team:member:manage")
    tx = Transaction()
    if membership is None:
        raise NOT_ORG_MEMBER
    old_role = records.member_teams(membership).get(team_id)
    now = clock.iso()
    if old_role is not None and current is not None:
        if old_role == body.role:
            return records.to_team_member(current)
        teams_store.change_member_role(tx, member_key, old_role, body.role, now)
        memberships.change_team_role(tx, app_id, org_id, user_id, team_id, old_role, body.role)
        teams_store.check_exists(tx, app_id, org_id, team_id)
        action, details, result = "team.member_role_changed", {"from": old_role, "to": body.role}, {
            **current, "role": body.role}
    else:
        result = records.team_member_item(app_id, org_id, team_id, user_id, body.role, now)
        if current is None:
            teams_store.put_new_member(tx, result)
            teams_store.count_members(tx, app_id, org_id, team_id, +1)
        else:  # an orphan of the user's earlier membership, still counted: take its place
            teams_store.replace_orphan(tx, result)
            teams_store.check_exists(tx, app_id, org_id, team_id)
        memberships.add_team(tx, app_id, org_id, membership, team_id, body.role)
        action, details = "team.member_added", {"role": body.role}
    audit.record(tx, caller, org_id, action, "team", team_id, {"user_id": user_id, **details},
                 view.settings.audit_retention_days)
    commit_guarded(view, tx, guard)
    return records.to_team_member(result)


def remove_member(caller: Caller, org_id: str, team_id: str, user_id: str) -> None:
    user_id = caller.resolve_user(user_id)
    optimistic.write(lambda: _remove_member_unread(caller, org_id, team_id, user_id),
                     lambda: _remove_member(caller, org_id, team_id, user_id))


def _remove_member_unread(caller: Caller, org_id: str, team_id: str, user_id: str) -> bool | None:
    """The common case in one request: the user is on the team as a plain ``member``. The audit event
    records the team role removed, so the role is a guess the user's team map must confirm (a
    maintainer, a user not on the team or any refusal takes the read path)."""
    view = assume_org(caller, org_id)
    if view is None or not ids.is_valid("team", team_id):
        return None
    guard = None
    if not caller.is_self(user_id) and not caller.support:
        guard = conditions.any_of(view.authority("team:member:manage"), memberships.team_role_is(team_id, MAINTAINER))
    _write_removal(view, team_id, user_id, "member", guard)
    return True


def _remove_member(caller: Caller, org_id: str, team_id: str, user_id: str) -> None:
    app_id = caller.app_id
    member_key = keys.team_member(app_id, org_id, team_id, user_id)
    view, found, (membership, current) = open_team(caller, org_id, team_id, keys.member(app_id, org_id, user_id),
                                                    member_key)
    existing_team(found)
    guard = None if caller.is_self(user_id) else team_authority(view, team_id, "team:member:manage")
    role = records.member_teams(membership).get(team_id)
    if role is None or current is None:
        raise not_found("member")
    _write_removal(view, team_id, user_id, role, guard)


def _write_removal(view: OrgView, team_id: str, user_id: str, role: str, guard: Condition | None) -> None:
    """The team membership, its map entry (which must still give ``role``) and the team's count go."""
    caller, app_id, org_id = view.caller, view.caller.app_id, view.org_id
    tx = Transaction()
    teams_store.delete_member(tx, keys.team_member(app_id, org_id, team_id, user_id))
    memberships.remove_team(tx, app_id, org_id, user_id, team_id, role)
    teams_store.count_members(tx, app_id, org_id, team_id, -1)
    audit.record(tx, caller, org_id, "team.member_left" if caller.is_self(user_id) else "team.member_removed",
                 "team", team_id, {"user_id": user_id, "role": role}, view.settings.audit_retention_days)
    commit_guarded(view, tx, guard)


# --- cascades of org membership removal ---------------------------------------------------------


def remove_memberships_of(tx: Transaction, app_id: str, org_id: str, membership: Item,
                          assume_teams_exist: bool = False) -> None:
    """Inside an org membership's removal: exactly the teams of its map go with it.

    The caller conditions the membership's delete on :func:`memberships.teams_as_read`, so the map read is the map
    removed. Beyond :data:`teams.IN_TRANSACTION_LIMIT` teams, or what the engine's transaction has room for, a
    cleanup job (carrying the map) removes them.
    The teams are read to skip deleted ones (their count goes with them), unless ``assume_teams_exist``:
    then each count update is conditioned on its team existing, and a deleted team fails the write.
    """
    entries = records.member_teams(membership)
    if not entries:
        return
    user_id = membership["user_id"]
    team_ids = sorted(entries)
    room = operations_left(len(tx) + ADDED_AT_COMMIT)
    if len(entries) <= min(teams.IN_TRANSACTION_LIMIT, room):  # one operation a team at least; two if it still exists
        existing: list[Item | None] = (
            [{} for _ in team_ids] if assume_teams_exist
            else table.batch_get([keys.team(app_id, org_id, team_id) for team_id in team_ids]))
        operations = len(team_ids) + sum(team is not None for team in existing)  # a deleted team: no count
        if operations <= room or assume_teams_exist:  # too big on an assumption: the optimistic attempt
            # gives way to the read path, which knows the deleted teams (store.transaction)
            for team_id, team in zip(team_ids, existing, strict=True):
                teams_store.delete_member(tx, keys.team_member(app_id, org_id, team_id, user_id))
                if team is not None:  # else deleted, its own cleanup job pending: no count to keep
                    teams_store.count_members(tx, app_id, org_id, team_id, -1)
            return
    job_id = secrets.token_hex(8)
    tx.put({**keys.member_teams_cleanup(app_id, org_id, user_id, job_id), "entity": "CLEANUP",
            "kind": JOB_MEMBER_TEAMS, "app_id": app_id, "org_id": org_id, "user_id": user_id,
            "teams": entries, "batches": 0, "removed": 0, "requested_at": clock.iso()})
