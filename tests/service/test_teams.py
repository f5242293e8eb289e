"""Teams: names, limits, roles, maintainers, counts, cascades, isolation, audit, and races."""

from __future__ import annotations

from typing import Any

import pytest

from orgplane import keys
from orgplane.models.audit import OrgAuditQuery
from orgplane.models.members import ListMembersQuery
from orgplane.models.orgs import CreateOrg
from orgplane.models.teams import CreateTeam, ListTeamMembersQuery, ListTeamsQuery, PutTeamMember, UpdateTeam
from orgplane.services import audit_queries, cleanup, members, orgs, team_members, teams
from orgplane.store import table
from tests.support import world
from tests.support.pages import walk
from tests.support.race import race
from tests.support.world import code_of as codes

alice = world.caller("alice")
bob = world.caller("bob")
carol = world.caller("carol")
dave = world.caller("dave")
sam = world.caller("sam", support=True)


@pytest.fixture
def org_id() -> str:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    for user in ("bob", "carol", "dave"):
        world.add_member(org, user)
    return org



def new_team(org_id: str, name: str = "Platform", caller: Any = alice) -> str:
    return teams.create(caller, org_id, CreateTeam(name=name)).id


def put(org_id: str, team_id: str, user_id: str, role: str = "member", caller: Any = alice) -> Any:
    return team_members.put_member(caller, org_id, team_id, user_id, PutTeamMember(role=role))  # type: ignore[arg-type]


def roster(org_id: str, team_id: str, caller: Any = alice) -> dict[str, str]:
    return {m.user_id: m.role for m in team_members.list_members(caller, org_id, team_id, ListTeamMembersQuery()).data}


def count(org_id: str, team_id: str) -> int:
    return teams.get(alice, org_id, team_id).member_count


def names(org_id: str) -> list[str]:
    return [t.name for t in teams.list_teams(alice, org_id, ListTeamsQuery()).data]


def team_member_items(org_id: str) -> list[dict[str, Any]]:
    return [i for i in world.items_of(keys.org_pk("demo", org_id)) if i["entity"] == "TEAM_MEMBER"]


def name_claims(org_id: str) -> list[dict[str, Any]]:
    return [i for i in world.items_of(keys.org_pk("demo", org_id)) if i["entity"] == "TEAMNAME"]


def team_map(org_id: str, user_id: str) -> dict[str, str]:
    item = table.get(keys.member("demo", org_id, user_id))
    assert item is not None
    return dict(item["teams"])


def actions(org_id: str) -> list[str]:
    return [e["action"] for e in world.items_of(keys.audit_pk("demo", org_id))]


def run_cleanup_jobs(org_id: str) -> None:
    for _ in range(200):
        jobs = world.items_of(keys.cleanup_pk("demo", org_id))
        if not jobs:
            return
        for job in jobs:
            cleanup.run_job(job)
    raise AssertionError("the cleanup jobs never finished")


# --- teams ------------------------------------------------------------------------------------


def test_a_created_team_has_the_team_object_and_is_listed(org_id: str) -> None:
    team = teams.create(alice, org_id, CreateTeam(name="Platform", description="Runs the platform."))
    assert team.id.startswith("team_") and team.org_id == org_id and team.member_count == 0
    assert team.description == "Runs the platform." and team.created_at.endswith("Z")
    assert teams.get(bob, org_id, team.id) == team
    assert [t.id for t in teams.list_teams(bob, org_id, ListTeamsQuery()).data] == [team.id]
    assert orgs.get(alice, org_id).team_count == 1


def test_team_names_are_unique_per_org_case_insensitively(org_id: str) -> None:
    new_team(org_id, "Platform")
    assert codes(lambda: new_team(org_id, "platform")) == "team_name_taken"
    assert codes(lambda: new_team(org_id, "  PLATFORM ")) == "team_name_taken"
    other = orgs.create(bob, CreateOrg(name="Bobs", slug="bobs")).id
    assert teams.create(bob, other, CreateTeam(name="Platform")).name == "Platform"
    assert names(org_id) == ["Platform"] and orgs.get(alice, org_id).team_count == 1


def test_a_plain_member_cannot_create_a_team(org_id: str) -> None:
    assert codes(lambda: new_team(org_id, caller=bob)) == "forbidden"
    assert names(org_id) == []


def test_a_rename_moves_the_name_claim_in_the_same_write(org_id: str) -> None:
    team_id = new_team(org_id, "Platform")
    assert teams.update(alice, org_id, team_id, UpdateTeam(name="Core")).name == "Core"
    assert [c["team_id"] for c in name_claims(org_id)] == [team_id]
    assert codes(lambda: new_team(org_id, "CORE")) == "team_name_taken"
    assert new_team(org_id, "Platform") != team_id  # the old name is free at once


def test_a_rename_to_a_taken_name_changes_nothing(org_id: str) -> None:
    first = new_team(org_id, "Platform")
    second = new_team(org_id, "Security")
    before = world.items_of(keys.org_pk("demo", org_id))
    assert codes(lambda: teams.update(alice, org_id, second, UpdateTeam(name="platform"))) == "team_name_taken"
    assert world.items_of(keys.org_pk("demo", org_id)) == before
    assert teams.get(alice, org_id, second).name == "Security" and first != second


def test_a_case_only_rename_keeps_its_claim(org_id: str) -> None:
    team_id = new_team(org_id, "platform")
    assert teams.update(alice, org_id, team_id, UpdateTeam(name="Platform")).name == "Platform"
    assert len(name_claims(org_id)) == 1
    assert codes(lambda: new_team(org_id, "PLATFORM")) == "team_name_taken"


def test_a_description_can_be_changed_and_cleared(org_id: str) -> None:
    team_id = new_team(org_id)
    assert teams.update(alice, org_id, team_id, UpdateTeam(description="Infra")).description == "Infra"
    assert teams.update(alice, org_id, team_id, UpdateTeam(description=None)).description is None
    assert teams.get(alice, org_id, team_id).description is None


def test_the_team_limit_is_enforced_and_a_deletion_frees_a_place(org_id: str) -> None:
    world.put_settings("demo", max_teams_per_org=2)
    first = new_team(org_id, "One")
    new_team(org_id, "Two")
    assert codes(lambda: new_team(org_id, "Three")) == "team_limit_reached"
    assert names(org_id) == ["One", "Two"]
    teams.delete(alice, org_id, first)
    assert new_team(org_id, "Three")
    assert orgs.get(alice, org_id).team_count == 2


def test_a_deleted_team_is_gone_with_its_memberships_and_its_name(org_id: str) -> None:
    team_id = new_team(org_id)
    put(org_id, team_id, "bob", "maintainer")
    put(org_id, team_id, "carol")
    teams.delete(alice, org_id, team_id)
    assert codes(lambda: teams.get(alice, org_id, team_id)) == "team_not_found"
    assert codes(lambda: team_members.list_members(alice, org_id, team_id, ListTeamMembersQuery())) == "team_not_found"
    assert team_member_items(org_id) == [] and name_claims(org_id) == []
    assert team_map(org_id, "bob") == {} and team_map(org_id, "carol") == {}
    assert members.permissions(bob, org_id).teams == []
    assert orgs.get(alice, org_id).team_count == 0
    assert new_team(org_id) != team_id


def test_only_team_delete_deletes_a_team_not_its_maintainer(org_id: str) -> None:
    team_id = new_team(org_id)
    put(org_id, team_id, "bob", "maintainer")
    assert codes(lambda: teams.delete(bob, org_id, team_id)) == "forbidden"
    assert teams.get(alice, org_id, team_id).member_count == 1


def test_a_big_team_is_deleted_at_once_and_its_memberships_by_the_cleanup_job(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(teams, "IN_TRANSACTION_LIMIT", 2)
    team_id = new_team(org_id)
    for user in ("bob", "carol", "dave"):
        put(org_id, team_id, user)
    teams.delete(alice, org_id, team_id)
    assert codes(lambda: teams.get(alice, org_id, team_id)) == "team_not_found"
    assert names(org_id) == [] and orgs.get(alice, org_id).team_count == 0
    assert members.permissions(bob, org_id).teams == []  # its map entry waits for the job, unseen
    assert len(team_member_items(org_id)) == 3
    run_cleanup_jobs(org_id)
    assert team_member_items(org_id) == []
    assert all(team_map(org_id, user) == {} for user in ("bob", "carol", "dave"))


def test_a_member_of_a_team_deleted_by_the_job_can_still_leave_the_org(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(teams, "IN_TRANSACTION_LIMIT", 2)
    doomed = new_team(org_id, "Doomed")
    kept = new_team(org_id, "Kept")
    for user in ("bob", "carol", "dave"):
        put(org_id, doomed, user)
    put(org_id, kept, "bob")
    teams.delete(alice, org_id, doomed)
    members.remove_member(alice, org_id, "bob")
    assert count(org_id, kept) == 0 and roster(org_id, kept) == {}
    run_cleanup_jobs(org_id)
    assert {i["user_id"] for i in team_member_items(org_id)} == set()


# --- team members -----------------------------------------------------------------------------


def test_putting_a_member_adds_then_changes_the_role(org_id: str) -> None:
    team_id = new_team(org_id)
    added = put(org_id, team_id, "bob")
    assert (added.team_id, added.user_id, added.role) == (team_id, "bob", "member")
    assert added.added_at.endswith("Z")
    changed = put(org_id, team_id, "bob", "maintainer")
    assert changed.role == "maintainer" and changed.added_at == added.added_at
    assert roster(org_id, team_id) == {"bob": "maintainer"} and team_map(org_id, "bob") == {team_id: "maintainer"}
    assert members.permissions(bob, org_id).teams[0].model_dump() == {"team_id": team_id, "role": "maintainer"}


def test_only_org_members_can_join_a_team(org_id: str) -> None:
    team_id = new_team(org_id)
    assert codes(lambda: put(org_id, team_id, "mallory")) == "not_org_member"
    assert team_member_items(org_id) == [] and count(org_id, team_id) == 0
    assert table.get(keys.member("demo", org_id, "mallory")) is None


def test_the_member_count_is_exact(org_id: str) -> None:
    team_id = new_team(org_id)
    for user in ("bob", "carol", "dave"):
        put(org_id, team_id, user)
    put(org_id, team_id, "carol")  # again, same role: no change
    put(org_id, team_id, "carol", "maintainer")
    assert count(org_id, team_id) == 3 == len(roster(org_id, team_id))
    team_members.remove_member(alice, org_id, team_id, "dave")
    assert count(org_id, team_id) == 2 == len(roster(org_id, team_id))
    members.remove_member(alice, org_id, "bob")
    assert count(org_id, team_id) == 1 and roster(org_id, team_id) == {"carol": "maintainer"}


def test_a_maintainer_manages_their_team_and_no_other(org_id: str) -> None:
    mine = new_team(org_id, "Mine")
    other = new_team(org_id, "Other")
    put(org_id, mine, "bob", "maintainer")
    put(org_id, other, "dave")
    assert put(org_id, mine, "carol", caller=bob).role == "member"
    assert put(org_id, mine, "carol", "maintainer", caller=bob).role == "maintainer"
    assert teams.update(bob, org_id, mine, UpdateTeam(name="Ours")).name == "Ours"
    team_members.remove_member(bob, org_id, mine, "carol")
    assert codes(lambda: put(org_id, other, "carol", caller=bob)) == "forbidden"
    assert codes(lambda: team_members.remove_member(bob, org_id, other, "dave")) == "forbidden"
    assert codes(lambda: teams.update(bob, org_id, other, UpdateTeam(name="Taken over"))) == "forbidden"
    assert codes(lambda: new_team(org_id, "New", caller=bob)) == "forbidden"
    assert roster(org_id, other) == {"dave": "member"} and teams.get(alice, org_id, other).name == "Other"


def test_a_plain_team_member_cannot_manage_the_team(org_id: str) -> None:
    team_id = new_team(org_id)
    put(org_id, team_id, "bob")
    assert codes(lambda: put(org_id, team_id, "carol", caller=bob)) == "forbidden"
    assert codes(lambda: put(org_id, team_id, "bob", "maintainer", caller=bob)) == "forbidden"
    assert codes(lambda: teams.update(bob, org_id, team_id, UpdateTeam(name="Mine"))) == "forbidden"
    assert roster(org_id, team_id) == {"bob": "member"}


def test_a_maintainer_can_step_down(org_id: str) -> None:
    team_id = new_team(org_id)
    put(org_id, team_id, "bob", "maintainer")
    assert put(org_id, team_id, "me", "member", caller=bob).role == "member"
    assert codes(lambda: put(org_id, team_id, "me", "maintainer", caller=bob)) == "forbidden"


def test_anyone_on_a_team_can_leave_it(org_id: str) -> None:
    team_id = new_team(org_id)
    put(org_id, team_id, "bob")
    put(org_id, team_id, "carol")
    assert codes(lambda: team_members.remove_member(bob, org_id, team_id, "carol")) == "forbidden"
    team_members.remove_member(bob, org_id, team_id, "me")
    assert roster(org_id, team_id) == {"carol": "member"} and count(org_id, team_id) == 1
    assert team_map(org_id, "bob") == {}
    assert actions(org_id)[-1] == "team.member_left"


def test_removing_someone_who_is_not_on_the_team_is_member_not_found(org_id: str) -> None:
    team_id = new_team(org_id)
    assert codes(lambda: team_members.remove_member(alice, org_id, team_id, "bob")) == "member_not_found"
    assert codes(lambda: team_members.remove_member(bob, org_id, team_id, "me")) == "member_not_found"


def test_an_admin_adds_themselves_in_one_guarded_write(org_id: str) -> None:
    team_id = new_team(org_id)
    assert put(org_id, team_id, "me", "maintainer").user_id == "alice"
    assert members.permissions(alice, org_id).teams[0].team_id == team_id
    team_members.remove_member(alice, org_id, team_id, "me")
    assert roster(org_id, team_id) == {}


def needs_transaction_of(operations: int) -> None:
    """Skip on an engine whose transactions hold fewer operations (DynamoDB Local 1.11 takes 10;
    DynamoDB 100): a removal from two teams with its event and event counter needs 11."""
    from orgplane import config

    if config.settings().max_transaction_items < operations:
        pytest.skip(f"this engine's transactions hold fewer than {operations} operations")


def test_a_removed_org_member_vanishes_from_every_team_at_once(org_id: str) -> None:
    needs_transaction_of(11)
    first, second = new_team(org_id, "First"), new_team(org_id, "Second")
    for team_id in (first, second):
        put(org_id, team_id, "bob")
        put(org_id, team_id, "carol")
    members.remove_member(alice, org_id, "bob")
    for team_id in (first, second):
        assert roster(org_id, team_id) == {"carol": "member"} and count(org_id, team_id) == 1
    assert {i["user_id"] for i in team_member_items(org_id)} == {"carol"}
    assert codes(lambda: put(org_id, first, "bob")) == "not_org_member"
    removal = audit_queries.list_for_org(alice, org_id, OrgAuditQuery(action="member.removed")).data[0]
    assert removal.details == {"role": "member", "team_ids": sorted([first, second])}


def test_leaving_the_org_takes_the_leavers_team_memberships(org_id: str) -> None:
    team_id = new_team(org_id)
    put(org_id, team_id, "bob", "maintainer")
    members.remove_member(bob, org_id, "me")
    assert roster(org_id, team_id) == {} and count(org_id, team_id) == 0
    assert team_member_items(org_id) == []


def test_a_member_on_more_teams_than_one_write_holds_leaves_through_the_cleanup_job(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(teams, "IN_TRANSACTION_LIMIT", 2)
    team_ids = [new_team(org_id, f"Team {n}") for n in range(3)]
    for team_id in team_ids:
        put(org_id, team_id, "bob")
        put(org_id, team_id, "carol")
    members.remove_member(alice, org_id, "bob")
    for team_id in team_ids:  # no read shows bob, though his items wait for the job
        assert roster(org_id, team_id) == {"carol": "member"}
    assert {i["user_id"] for i in team_member_items(org_id)} == {"bob", "carol"}
    run_cleanup_jobs(org_id)
    assert {i["user_id"] for i in team_member_items(org_id)} == {"carol"}
    assert [count(org_id, t) for t in team_ids] == [1, 1, 1]


def test_a_removal_never_holds_more_team_memberships_than_the_engines_transaction_takes(org_id: str) -> None:
    """On DynamoDB Local (10 operations per transaction) a member on three teams used to answer 500: their
    team memberships now wait for the cleanup job there, and go in the removal itself on DynamoDB."""
    team_ids = [new_team(org_id, f"Team {n}") for n in range(3)]
    for team_id in team_ids:
        put(org_id, team_id, "bob")
        put(org_id, team_id, "carol")
    members.remove_member(alice, org_id, "bob")
    run_cleanup_jobs(org_id)
    assert all(roster(org_id, team_id) == {"carol": "member"} for team_id in team_ids)
    assert {i["user_id"] for i in team_member_items(org_id)} == {"carol"}
    assert [count(org_id, t) for t in team_ids] == [1, 1, 1]
    teams.delete(alice, org_id, team_ids[0])  # a team with a member: deleted as the engine allows
    run_cleanup_jobs(org_id)
    assert {i["user_id"] for i in team_member_items(org_id)} == {"carol"}
    assert team_map(org_id, "carol") == {t: "member" for t in team_ids[1:]}


def test_rejoining_while_the_cleanup_job_waits_counts_once(org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(teams, "IN_TRANSACTION_LIMIT", 2)
    team_ids = [new_team(org_id, f"Team {n}") for n in range(3)]
    for team_id in team_ids:
        put(org_id, team_id, "bob")
    members.remove_member(alice, org_id, "bob")
    world.add_member(org_id, "bob")
    put(org_id, team_ids[0], "bob", "maintainer")  # takes the place of the waiting item
    assert roster(org_id, team_ids[0]) == {"bob": "maintainer"} and count(org_id, team_ids[0]) == 1
    run_cleanup_jobs(org_id)
    assert roster(org_id, team_ids[0]) == {"bob": "maintainer"}
    assert [count(org_id, t) for t in team_ids] == [1, 0, 0]
    assert team_map(org_id, "bob") == {team_ids[0]: "maintainer"}


def test_a_team_joined_between_the_removals_read_and_write_goes_too(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    needs_transaction_of(11)
    first, second = new_team(org_id, "First"), new_team(org_id, "Second")
    put(org_id, first, "bob")
    real = team_members.remove_memberships_of
    joined: list[bool] = []

    def join_meanwhile(*args: Any) -> None:
        if not joined:  # a concurrent add lands after the removal read bob's map
            joined.append(True)
            put(org_id, second, "bob")
        real(*args)

    monkeypatch.setattr(team_members, "remove_memberships_of", join_meanwhile)
    members.remove_member(alice, org_id, "bob")
    assert joined and team_member_items(org_id) == []
    assert count(org_id, first) == 0 and count(org_id, second) == 0


def test_a_team_with_waiting_items_is_deleted_exactly(org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(teams, "IN_TRANSACTION_LIMIT", 2)
    team_ids = [new_team(org_id, f"Team {n}") for n in range(3)]
    for team_id in team_ids:
        put(org_id, team_id, "bob")
    put(org_id, team_ids[0], "alice")
    members.remove_member(alice, org_id, "bob")  # bob's three items now wait for the job
    teams.delete(alice, org_id, team_ids[0])  # two items: one waiting (bob), one live (the caller's own)
    assert team_map(org_id, "alice") == {}
    run_cleanup_jobs(org_id)
    assert team_member_items(org_id) == []
    assert [count(org_id, t) for t in team_ids[1:]] == [0, 0]


def test_a_membership_written_before_team_maps_can_join_a_team(org_id: str) -> None:
    team_id = new_team(org_id)
    old = table.get(keys.member("demo", org_id, "bob"))
    assert old is not None
    table.put({k: v for k, v in old.items() if k != "teams"})
    put(org_id, team_id, "bob")
    assert team_map(org_id, "bob") == {team_id: "member"} and roster(org_id, team_id) == {"bob": "member"}


def test_permissions_list_the_callers_teams_from_the_membership(org_id: str) -> None:
    first, second = new_team(org_id, "First"), new_team(org_id, "Second")
    put(org_id, first, "bob", "maintainer")
    put(org_id, second, "bob")
    view = members.permissions(bob, org_id)
    assert sorted((t.team_id, t.role) for t in view.teams) == sorted([(first, "maintainer"), (second, "member")])
    assert members.permissions(carol, org_id).teams == []


def test_team_memberships_stay_queryable_per_user(org_id: str) -> None:
    team_id = new_team(org_id)
    put(org_id, team_id, "bob")
    found = table.query_all(table.QuerySpec("GSI1PK", keys.user_pk("demo", "bob"), index=keys.GSI1,
                                            sort_name="GSI1SK", begins_with=keys.user_team_prefix(org_id)))
    assert [(i["team_id"], i["role"]) for i in found] == [(team_id, "member")]


def test_team_member_lists_paginate_and_cursors_stay_in_their_team(org_id: str) -> None:
    first, second = new_team(org_id, "First"), new_team(org_id, "Second")
    for user in ("bob", "carol", "dave"):
        put(org_id, first, user)
        put(org_id, second, user)
    walked = walk(lambda cursor: team_members.list_members(alice, org_id, first, ListTeamMembersQuery(limit=2, cursor=cursor)))
    assert [m.user_id for page in walked for m in page] == ["bob", "carol", "dave"]
    exact = walk(lambda cursor: team_members.list_members(alice, org_id, first, ListTeamMembersQuery(limit=3, cursor=cursor)))
    assert [len(page) for page in exact] == [3]  # no cursor to an empty page
    cursor = team_members.list_members(alice, org_id, first, ListTeamMembersQuery(limit=1)).next_cursor
    assert codes(lambda: team_members.list_members(alice, org_id, second, ListTeamMembersQuery(cursor=cursor))) == \
        "validation_error"


def test_team_lists_paginate(org_id: str) -> None:
    created = [new_team(org_id, f"Team {n}") for n in range(5)]
    page = teams.list_teams(alice, org_id, ListTeamsQuery(limit=3))
    rest = teams.list_teams(alice, org_id, ListTeamsQuery(limit=3, cursor=page.next_cursor))
    assert [t.id for t in page.data + rest.data] == created and rest.next_cursor is None


# --- isolation --------------------------------------------------------------------------------


def test_a_team_of_another_org_is_not_found_under_this_org(org_id: str) -> None:
    other = orgs.create(bob, CreateOrg(name="Bobs", slug="bobs")).id
    foreign = new_team(other, "Theirs", caller=bob)
    assert codes(lambda: teams.get(alice, org_id, foreign)) == "team_not_found"
    assert codes(lambda: teams.update(alice, org_id, foreign, UpdateTeam(name="Mine"))) == "team_not_found"
    assert codes(lambda: teams.delete(alice, org_id, foreign)) == "team_not_found"
    assert codes(lambda: put(org_id, foreign, "carol")) == "team_not_found"
    assert codes(lambda: team_members.list_members(alice, org_id, foreign, ListTeamMembersQuery())) == "team_not_found"
    assert teams.get(bob, other, foreign).name == "Theirs"


@pytest.mark.parametrize("team_id", ["x", "TEAM#x", "team_", "team_01JD0000000000000000000000#MEMBER"])
def test_a_malformed_team_id_is_team_not_found(org_id: str, team_id: str) -> None:
    assert codes(lambda: teams.get(alice, org_id, team_id)) == "team_not_found"
    assert codes(lambda: put(org_id, team_id, "bob")) == "team_not_found"


def test_a_caller_of_another_app_sees_org_not_found(org_id: str) -> None:
    team_id = new_team(org_id)
    stranger = world.caller("alice", app_id="other")
    assert codes(lambda: teams.get(stranger, org_id, team_id)) == "org_not_found"
    assert codes(lambda: teams.list_teams(stranger, org_id, ListTeamsQuery())) == "org_not_found"
    assert codes(lambda: teams.create(stranger, org_id, CreateTeam(name="X"))) == "org_not_found"
    assert codes(lambda: team_members.put_member(stranger, org_id, team_id, "bob", PutTeamMember())) == "org_not_found"


def test_a_non_member_sees_org_not_found(org_id: str) -> None:
    team_id = new_team(org_id)
    mallory = world.caller("mallory")
    assert codes(lambda: teams.get(mallory, org_id, team_id)) == "org_not_found"
    assert codes(lambda: team_members.remove_member(mallory, org_id, team_id, "me")) == "org_not_found"


def test_support_staff_manage_teams_and_are_audited_as_support(org_id: str) -> None:
    team_id = new_team(org_id, caller=sam)
    put(org_id, team_id, "bob", caller=sam)
    event = world.items_of(keys.audit_pk("demo", org_id))[-1]
    assert event["action"] == "team.member_added" and event["actor"]["support"] is True


def test_a_deleted_orgs_teams_are_cleaned_up_with_it(org_id: str) -> None:
    world.put_settings("demo", org_restore_days=0)
    team_id = new_team(org_id)
    put(org_id, team_id, "bob")
    orgs.delete(alice, org_id)
    assert codes(lambda: teams.get(bob, org_id, team_id)) == "org_not_found"
    while cleanup.run_batch("demo", org_id) > 0:
        pass
    assert world.items_of(keys.org_pk("demo", org_id)) == []


# --- audit ------------------------------------------------------------------------------------


def test_every_team_change_writes_its_audit_event(org_id: str) -> None:
    team_id = new_team(org_id)
    teams.update(alice, org_id, team_id, UpdateTeam(name="Core"))
    put(org_id, team_id, "bob")
    put(org_id, team_id, "bob", "maintainer")
    team_members.remove_member(alice, org_id, team_id, "bob")
    teams.delete(alice, org_id, team_id)
    team_events = [e for e in world.items_of(keys.audit_pk("demo", org_id)) if e["action"].startswith("team.")]
    assert [e["action"] for e in team_events] == [
        "team.created", "team.updated", "team.member_added", "team.member_role_changed", "team.member_removed",
        "team.deleted",
    ]
    assert {(e["target"]["type"], e["target"]["id"]) for e in team_events} == {("team", team_id)}
    assert team_events[1]["details"] == {"name": "Core", "previous_name": "Platform"}
    assert team_events[3]["details"] == {"user_id": "bob", "from": "member", "to": "maintainer"}


def test_refused_changes_write_no_audit_event(org_id: str) -> None:
    team_id = new_team(org_id)
    before = actions(org_id)
    assert codes(lambda: put(org_id, team_id, "mallory")) == "not_org_member"
    assert codes(lambda: put(org_id, team_id, "carol", caller=bob)) == "forbidden"
    assert codes(lambda: new_team(org_id, "platform")) == "team_name_taken"
    assert actions(org_id) == before


# --- races ------------------------------------------------------------------------------------


def test_racing_renames_to_one_name_give_one_winner(org_id: str) -> None:
    first, second = new_team(org_id, "First"), new_team(org_id, "Second")
    results = race(lambda: teams.update(alice, org_id, first, UpdateTeam(name="Wanted")),
                   lambda: teams.update(alice, org_id, second, UpdateTeam(name="wanted")))
    assert sorted("team_name_taken" if r == "team_name_taken" else "ok" for r in results) == \
        ["ok", "team_name_taken"]
    assert sorted(n.casefold() for n in names(org_id)) in (["first", "wanted"], ["second", "wanted"])
    claims = {c["SK"]: c["team_id"] for c in name_claims(org_id)}
    assert len(claims) == 2 and set(claims.values()) == {first, second}


def test_racing_creates_never_exceed_the_team_limit(org_id: str) -> None:
    world.put_settings("demo", max_teams_per_org=2)
    results = race(*[lambda n=n: new_team(org_id, f"Team {n}") for n in range(5)])
    assert sum(1 for r in results if r != "team_limit_reached") == 2
    assert sorted(r for r in results if r == "team_limit_reached") == ["team_limit_reached"] * 3
    assert len(names(org_id)) == 2 and orgs.get(alice, org_id).team_count == 2


def test_racing_adds_of_one_user_count_once(org_id: str) -> None:
    team_id = new_team(org_id)
    results = race(*[lambda: put(org_id, team_id, "bob") for _ in range(3)])
    assert all(not isinstance(r, str) for r in results)
    assert count(org_id, team_id) == 1 and roster(org_id, team_id) == {"bob": "member"}


def test_an_add_racing_the_users_removal_leaves_no_team_member(org_id: str) -> None:
    team_id = new_team(org_id)
    results = race(lambda: put(org_id, team_id, "bob"), lambda: members.remove_member(alice, org_id, "bob"))
    assert results[1] is None
    assert results[0] == "not_org_member" or not isinstance(results[0], str)
    assert team_member_items(org_id) == [] and count(org_id, team_id) == 0
    assert "bob" not in {m.user_id for m in members.list_members(alice, org_id, ListMembersQuery()).data}
