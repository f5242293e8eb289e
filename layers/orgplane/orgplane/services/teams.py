"""Teams inside an org: create, list, read, rename, delete, and what their memberships share.

The team memberships themselves (adding, changing, removing, listing, and the cascade when a member
leaves the org) are :mod:`orgplane.services.team_members`; the cleanup jobs of cascades too big for
one transaction are :mod:`orgplane.services.cleanup`. This module holds what both halves need: the
team read with the org, the caller's authority over a team (org role or maintainership), and the
transaction limits of a cascade.

How a team membership is kept exact
-----------------------------------
A team membership exists twice: as its own item (``keys.team_member``, with the GSI1 entry of the
user's view) and as an entry of the org membership's ``teams`` map ({team_id: team role}). Every
write changes both in one transaction, guarded, and bumps the membership's ``teams_version``. The
map is the authority: a team membership item whose user's map lacks the team is an *orphan* (left
for a cleanup job, see below) and no read shows it.

- Removing or leaving the org reads the map with the membership (one strongly consistent
  ``BatchGetItem``) and deletes exactly those team memberships, with their count updates, in the
  removal's own transaction, conditioned on ``teams_version`` being unchanged. A user on more than
  :data:`IN_TRANSACTION_LIMIT` teams leaves through a cleanup job instead (the job item carries the
  map; :func:`services.cleanup.run_member_teams_cleanup`); until it has run, the user's team membership items are
  orphans.
- Deleting a team removes its memberships and their map entries in the delete's transaction when
  it has at most :data:`IN_TRANSACTION_LIMIT` of them, else through a cleanup job
  (:func:`services.cleanup.run_team_cleanup`). The team item goes at once, so nothing reads the rest.
- A team's ``member_count`` always equals its number of team membership items (each write pairs
  them); an orphan is counted until its job removes it. Adding its user back to the team takes the
  orphan's place without counting twice.

DynamoDB allows one operation per item in a transaction: when the caller's own membership is also
the one being written, the guard on the caller's authority is folded into that write's condition.
"""

from __future__ import annotations

from typing import Any

from orgplane import access, clock, ids, keys
from orgplane.caller import Caller
from orgplane.config import settings as deployment
from orgplane.errors import DomainError, forbidden, not_found
from orgplane.models.common import Page
from orgplane.models.teams import (
    CreateTeam,
    ListTeamsQuery,
    Team,
    UpdateTeam,
)
from orgplane.services import audit, optimistic
from orgplane.services.tenancy import OrgView, assume_org, open_org
from orgplane.store import cursors, memberships, pages, records, table
from orgplane.store import orgs as orgs_store
from orgplane.store import teams as teams_store
from orgplane.store.conditions import Condition
from orgplane.store.transaction import Transaction, claim_operations, retrying

Item = dict[str, Any]

#: Team memberships changed inside one transaction at most (each takes two of its 100 operations).
IN_TRANSACTION_LIMIT = 30
#: What a team deletion holds besides its team memberships: the team, its name, the org's count, the
#: caller's guard, the audit event and the event counter (and an Idempotency-Key's claim, if pending).
_TEAM_DELETE_OPERATIONS = 6
#: What joins a transaction after its team memberships: the audit event and the event counter (and the
#: claim).
ADDED_AT_COMMIT = 2


def in_transaction_limit(other_operations: int) -> int:
    """Team memberships (two operations each) a transaction of ``other_operations`` more can change:
    :data:`IN_TRANSACTION_LIMIT` on DynamoDB (100 operations), fewer, down to none (a cleanup job takes
    them all), where the engine allows fewer (``MAX_TRANSACTION_ITEMS``: DynamoDB Local 1.11 takes 10)."""
    return max(0, min(IN_TRANSACTION_LIMIT, operations_left(other_operations) // 2))


def operations_left(other_operations: int) -> int:
    """Operations one transaction has left beside ``other_operations`` (and a pending claim's)."""
    return deployment().max_transaction_items - other_operations - claim_operations()


MAINTAINER = "maintainer"

TEAM_NAME_TAKEN = DomainError("team_name_taken", "Another team of this organization has that name.")
TEAM_LIMIT = DomainError("team_limit_reached", "The organization has as many teams as this app allows.")
NOT_ORG_MEMBER = DomainError("not_org_member", "Only members of the organization can join its teams.")

JOB_TEAM = "team"
JOB_MEMBER_TEAMS = "member_teams"


# --- reading ----------------------------------------------------------------------------------


def open_team(caller: Caller, org_id: str, team_id: str,
               *more_keys: dict[str, str]) -> tuple[OrgView, Item | None, list[Item | None]]:
    """The org, the caller's membership, the team and ``more_keys``: one ``BatchGetItem``.

    A malformed team id reads nothing (it cannot address another kind of item) and is not found.
    """
    if not ids.is_valid("team", team_id):
        return open_org(caller, org_id), None, [None] * len(more_keys)
    view = open_org(caller, org_id, keys.team(caller.app_id, org_id, team_id), *more_keys)
    return view, view.extra[0], view.extra[1:]


def existing_team(team: Item | None) -> Item:
    if team is None:
        raise not_found("team")
    return team


def list_teams(caller: Caller, org_id: str, query: ListTeamsQuery) -> Page[Team]:
    view = open_org(caller, org_id)
    view.require("org:read")
    scope = f"teams:{caller.app_id}:{org_id}"
    page = pages.fill(teams_store.of_org(caller.app_id, org_id), query.limit, cursors.decode(query.cursor, scope))
    return Page(data=[records.to_team(i) for i in page.items], next_cursor=cursors.encode(page.last_key, scope))


def get(caller: Caller, org_id: str, team_id: str) -> Team:
    view, team, _ = open_team(caller, org_id, team_id)
    view.require("org:read")
    return records.to_team(existing_team(team))


# --- authority and the transaction ---------------------------------------------------------------


def _org_authority(view: OrgView, permission: str) -> Condition | None:
    """The caller holds ``permission`` through their org role (``None``: support, nothing to pin)."""
    view.require(permission)
    return view.authority(permission)


def team_authority(view: OrgView, team_id: str, permission: str) -> Condition | None:
    """The org ``permission``, or else the maintainer role on this very team."""
    if view.has(permission):
        return _org_authority(view, permission)
    if (records.member_teams(view.membership).get(team_id) == MAINTAINER
            and permission in access.TEAM_ROLE_PERMISSIONS[MAINTAINER]):
        return memberships.team_role_is(team_id, MAINTAINER)
    raise forbidden(f"This needs the {permission} permission or the team's maintainer role.")


def commit_guarded(view: OrgView, tx: Transaction, authority: Condition | None) -> None:
    """The org exists and the caller's ``authority`` holds (merged into writes of those items), then commit."""
    view.guard(tx, authority=authority, caller=authority is not None)
    tx.commit()


# --- teams ------------------------------------------------------------------------------------


def create(caller: Caller, org_id: str, body: CreateTeam) -> Team:
    return optimistic.write(lambda: _create_unread(caller, org_id, body), lambda: _create(caller, org_id, body))


def _create_unread(caller: Caller, org_id: str, body: CreateTeam) -> Team | None:
    """The happy path in one request: the name claim, the team limit and the caller's role are guards."""
    view = assume_org(caller, org_id)
    return None if view is None else _write_team(view, body)


def _create(caller: Caller, org_id: str, body: CreateTeam) -> Team:
    view = open_org(caller, org_id, keys.team_name_claim(caller.app_id, org_id, records.name_key(body.name)))
    view.require("team:create")
    if view.extra[0] is not None:
        raise TEAM_NAME_TAKEN
    limit = view.settings.max_teams_per_org
    if limit is not None and int(view.org.get("team_count", 0)) >= limit:
        raise TEAM_LIMIT
    return _write_team(view, body)


def _write_team(view: OrgView, body: CreateTeam) -> Team:
    caller, org_id = view.caller, view.org_id
    limit = view.settings.max_teams_per_org
    team_id = ids.new("team")
    item = records.team_item(caller.app_id, org_id, team_id, body.name, body.description, clock.iso())
    tx = Transaction()
    teams_store.put_new(tx, item)
    teams_store.claim_name(tx, caller.app_id, org_id, body.name, team_id, TEAM_NAME_TAKEN)
    # a full org is re-read and refused: a vanished org is then org_not_found, not a limit
    room = orgs_store.EXISTS if limit is None else orgs_store.below("team_count", limit, absent_is_zero=True)
    orgs_store.count(tx, caller.app_id, org_id, {"team_count": 1}, room)
    view.guard(tx, "team:create")
    audit.record(tx, caller, org_id, "team.created", "team", team_id, {"name": body.name},
                 view.settings.audit_retention_days)
    tx.commit()
    return records.to_team(item)


def update(caller: Caller, org_id: str, team_id: str, body: UpdateTeam) -> Team:
    return retrying(lambda: _update(caller, org_id, team_id, body))


def _update(caller: Caller, org_id: str, team_id: str, body: UpdateTeam) -> Team:
    view, found, _ = open_team(caller, org_id, team_id)
    team = existing_team(found)
    guard = team_authority(view, team_id, "team:update")
    changes: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if body.name is not None and body.name != team["name"]:
        changes.update(name=body.name, name_key=records.name_key(body.name))
        details.update({"name": body.name, "previous_name": team["name"]})
    if "description" in body.model_fields_set and body.description != team.get("description"):
        changes["description"] = body.description
        details["description_changed"] = True
    if not changes:
        return records.to_team(team)
    changes["updated_at"] = clock.iso()
    tx = Transaction()
    teams_store.update_as_read(tx, caller.app_id, org_id, team_id, changes, team["updated_at"])
    old_key = team.get("name_key") or records.name_key(team["name"])
    if "name_key" in changes and changes["name_key"] != old_key:  # the claim moves with the name, atomically
        teams_store.release_name(tx, caller.app_id, org_id, old_key, team_id)
        teams_store.claim_name(tx, caller.app_id, org_id, body.name or "", team_id, TEAM_NAME_TAKEN)
    audit.record(tx, caller, org_id, "team.updated", "team", team_id, details,
                 view.settings.audit_retention_days)
    commit_guarded(view, tx, guard)
    return records.to_team({**team, **changes})


def delete(caller: Caller, org_id: str, team_id: str) -> None:
    retrying(lambda: _delete(caller, org_id, team_id))


def _delete(caller: Caller, org_id: str, team_id: str) -> None:
    """Gone from every read at once; its memberships go in the same transaction when few, else by a job."""
    view, found, _ = open_team(caller, org_id, team_id)
    team = existing_team(found)
    guard = _org_authority(view, "team:delete")
    app_id = caller.app_id
    limit = in_transaction_limit(_TEAM_DELETE_OPERATIONS)
    team_members = table.query(teams_store.members_of(app_id, org_id, team_id), limit + 1).items
    cascade = len(team_members) <= limit
    tx = Transaction()
    if cascade:  # exactly these: the count pins them (every membership write changes it)
        teams_store.delete(tx, app_id, org_id, team_id, member_count=len(team_members))
        holders = table.batch_get([keys.member(app_id, org_id, m["user_id"]) for m in team_members])
        for team_member, membership in zip(team_members, holders, strict=True):
            user_id = team_member["user_id"]
            teams_store.delete_member(tx, keys.team_member(app_id, org_id, team_id, user_id))
            if team_id in records.member_teams(membership):
                memberships.remove_team(tx, app_id, org_id, user_id, team_id)
            else:
                memberships.check_not_on_team(tx, app_id, org_id, user_id, team_id)
    else:
        teams_store.delete(tx, app_id, org_id, team_id)
        tx.put({**keys.team_cleanup(app_id, org_id, team_id), "entity": "CLEANUP", "kind": JOB_TEAM,
                       "app_id": app_id, "org_id": org_id, "team_id": team_id, "batches": 0, "removed": 0,
                       "requested_at": clock.iso()})
    teams_store.release_name(tx, app_id, org_id, team.get("name_key") or records.name_key(team["name"]), team_id)
    orgs_store.count(tx, app_id, org_id, {"team_count": -1})
    audit.record(tx, caller, org_id, "team.deleted", "team", team_id,
                 {"name": team["name"], "member_count": int(team.get("member_count", 0))},
                 view.settings.audit_retention_days)
    commit_guarded(view, tx, guard)
