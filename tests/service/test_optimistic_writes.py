"""Optimistic writes: one TransactWriteItems on the happy path, the read path's exact answer otherwise."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from orgplane import config, keys
from orgplane.models.audit import OrgAuditQuery
from orgplane.models.invitations import CreateInvitation
from orgplane.models.orgs import CreateOrg
from orgplane.models.teams import CreateTeam, PutTeamMember
from orgplane.services import audit_queries, events, invitations, members, orgs, team_members, teams
from orgplane.services import settings as app_settings
from orgplane.store import invitations as invitations_store
from orgplane.store import table
from tests.support import world
from tests.support.world import code_of

alice = world.caller("alice")
bob = world.caller("bob")
mallory = world.caller("mallory")
sam = world.caller("sam", support=True)


@contextmanager
def requests() -> Iterator[list[str]]:
    sent: list[str] = []

    def count(event_name: str, **_: Any) -> None:
        sent.append(event_name.rsplit(".", 1)[-1])

    table.client().meta.events.register("before-call.dynamodb", count, unique_id="count-optimistic")
    try:
        yield sent
    finally:
        table.client().meta.events.unregister("before-call.dynamodb", unique_id="count-optimistic")


@pytest.fixture(autouse=True)
def cached_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As on Lambda: app settings (the role book) come from the container's cache, not a read."""
    monkeypatch.setenv("SETTINGS_CACHE_SECONDS", "300")
    config.reset()
    yield
    app_settings.forget()
    monkeypatch.undo()
    config.reset()


@pytest.fixture
def org_id() -> str:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org, "bob")
    return org


@pytest.mark.parametrize("mutation", ["create team", "add to team", "create invitation"])
def test_a_mutation_that_can_say_everything_as_conditions_is_one_request(org_id: str, mutation: str) -> None:
    team = teams.create(alice, org_id, CreateTeam(name="Warm")).id  # the container now knows the counter
    calls: dict[str, Callable[[], object]] = {
        "create team": lambda: teams.create(alice, org_id, CreateTeam(name="Platform")),
        "add to team": lambda: team_members.put_member(alice, org_id, team, "bob", PutTeamMember(role="member")),
        "create invitation": lambda: invitations.create(alice, org_id, CreateInvitation(email="new@example.com")),
    }
    with requests() as sent:
        calls[mutation]()
    assert sent == ["TransactWriteItems"]


def test_a_stranger_still_sees_404_and_a_lower_role_403_and_nothing_is_written(org_id: str) -> None:
    assert code_of(lambda: teams.create(mallory, org_id, CreateTeam(name="X"))) == "org_not_found"
    assert code_of(lambda: teams.create(bob, org_id, CreateTeam(name="X"))) == "forbidden"
    assert code_of(lambda: invitations.create(mallory, org_id, CreateInvitation(email="x@example.com"))) \
        == "org_not_found"
    assert code_of(lambda: invitations.create(bob, org_id, CreateInvitation(email="x@example.com"))) == "forbidden"
    assert [t for t in world.items_of(keys.org_pk("demo", org_id)) if t.get("entity") in {"TEAM", "INVITATION"}] == []


def test_a_refused_optimistic_write_answers_with_the_read_paths_exact_code(org_id: str) -> None:
    teams.create(alice, org_id, CreateTeam(name="Platform"))
    assert code_of(lambda: teams.create(alice, org_id, CreateTeam(name="Platform"))) == "team_name_taken"
    invitations.create(alice, org_id, CreateInvitation(email="new@example.com"))
    assert code_of(lambda: invitations.create(alice, org_id, CreateInvitation(email="new@example.com"))) \
        == "invitation_pending"


def test_a_maintainer_adds_to_their_own_team_without_a_read(org_id: str) -> None:
    team = teams.create(alice, org_id, CreateTeam(name="Platform")).id
    team_members.put_member(alice, org_id, team, "bob", PutTeamMember(role="maintainer"))
    world.add_member(org_id, "carol")
    with requests() as sent:
        team_members.put_member(bob, org_id, team, "carol", PutTeamMember(role="member"))
    assert sent == ["TransactWriteItems"]


def test_a_counter_moved_by_another_container_is_learnt_from_the_cancellation(org_id: str) -> None:
    teams.create(alice, org_id, CreateTeam(name="One"))
    events._known[events._partition("demo", org_id)] = (1, None)  # another container numbered since
    with requests() as sent:
        teams.create(alice, org_id, CreateTeam(name="Two"))
    assert sent == ["TransactWriteItems", "TransactWriteItems"]  # the second numbers from ALL_OLD, no read
    sequences = sorted(int(i["sequence"]) for i in world.items_of(keys.audit_pk("demo", org_id)) if "sequence" in i)
    assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) >= 4  # gap-free, none twice


def test_removing_a_plain_team_member_is_one_request_and_a_maintainer_takes_the_read_path(org_id: str) -> None:
    team = teams.create(alice, org_id, CreateTeam(name="Platform")).id
    world.add_member(org_id, "carol")
    team_members.put_member(alice, org_id, team, "bob", PutTeamMember(role="member"))
    team_members.put_member(alice, org_id, team, "carol", PutTeamMember(role="maintainer"))
    with requests() as sent:
        team_members.remove_member(alice, org_id, team, "bob")
    assert sent == ["TransactWriteItems"]
    with requests() as sent:
        team_members.remove_member(alice, org_id, team, "carol")
    assert sent == ["TransactWriteItems", "BatchGetItem", "TransactWriteItems"]  # the guess was wrong
    removed = [e.details for e in audit_queries.list_for_org(alice, org_id, OrgAuditQuery()).data
               if e.action == "team.member_removed"]
    assert sorted(str(d["role"]) for d in removed) == ["maintainer", "member"]  # what each really held
    assert code_of(lambda: team_members.remove_member(mallory, org_id, team, "alice")) == "org_not_found"


def test_a_member_on_a_team_leaves_the_org_in_two_requests_and_a_deleted_team_still_lets_them_go(
        org_id: str) -> None:
    kept, doomed = (teams.create(alice, org_id, CreateTeam(name=n)).id for n in ("Kept", "Doomed"))
    world.add_member(org_id, "carol")
    team_members.put_member(alice, org_id, kept, "bob", PutTeamMember(role="member"))
    for team in (kept, doomed):
        team_members.put_member(alice, org_id, team, "carol", PutTeamMember(role="member"))
    with requests() as sent:
        members.remove_member(alice, org_id, "bob")
    assert sent == ["BatchGetItem", "TransactWriteItems"]  # the team is assumed to exist, as it does
    table.delete_many([keys.team("demo", org_id, doomed)])  # deleted, its cleanup job not run yet
    members.remove_member(alice, org_id, "carol")
    assert table.get(keys.member("demo", org_id, "carol")) is None
    assert (table.get(keys.team("demo", org_id, kept)) or {})["member_count"] == 0
    assert table.get(keys.team("demo", org_id, doomed)) is None  # no count resurrects it


def test_the_backend_adding_a_new_member_is_one_request_and_a_member_again_is_a_role_change(org_id: str) -> None:
    from orgplane.models.provisioning import PutMember
    from orgplane.services import provisioning
    from tests.service.test_provisioning import BACKEND, OTHER_BACKEND

    provisioning.put_member(BACKEND, org_id, "warm", PutMember())  # the container now knows the counter
    with requests() as sent:
        member, created = provisioning.put_member(BACKEND, org_id, "dave", PutMember(email="dave@example.com"))
    assert sent == ["TransactWriteItems"]
    assert created and (member.user_id, member.role, member.email) == ("dave", "member", "dave@example.com")
    with requests() as sent:
        member, created = provisioning.put_member(BACKEND, org_id, "dave", PutMember(role="admin"))
    assert sent[:2] == ["TransactWriteItems", "BatchGetItem"]  # the membership exists: the read path's change
    assert not created and member.role == "admin"
    stranger = dataclasses.replace(OTHER_BACKEND, request_id="req-other")  # as every request has one
    assert code_of(lambda: provisioning.put_member(stranger, org_id, "erin", PutMember())) == "org_not_found"
    assert code_of(lambda: provisioning.put_member(bob, org_id, "erin", PutMember())) == "forbidden"
    assert code_of(lambda: provisioning.put_member(mallory, org_id, "erin", PutMember())) == "org_not_found"
    assert code_of(lambda: provisioning.put_member(BACKEND, org_id, "erin", PutMember(role="ghost"))) == \
        "validation_error"
    assert table.get(keys.member("demo", org_id, "erin")) is None
    assert (table.get(keys.org("demo", org_id)) or {})["member_count"] == 4  # alice, bob, warm, dave


def test_answering_an_invitation_from_ones_own_list_is_two_requests_and_a_stale_listing_takes_the_read_path(
        org_id: str) -> None:
    dan, erin = world.caller("dan", email="dan@example.com"), world.caller("erin", email="erin@example.com")
    invitations.create(alice, org_id, CreateInvitation(email="warm@example.com"))  # the counter is known
    to_dan = invitations.create(alice, org_id, CreateInvitation(email="dan@example.com")).id
    to_erin = invitations.create(alice, org_id, CreateInvitation(email="erin@example.com")).id
    with requests() as sent:
        assert invitations.accept_by_id(dan, to_dan).user_id == "dan"
    assert sent == ["Query", "TransactWriteItems"]  # the listing, then the guarded answer: no read between
    with requests() as sent:
        invitations.decline_by_id(erin, to_erin)
    assert sent == ["Query", "TransactWriteItems"]
    assert code_of(lambda: invitations.accept_by_id(erin, to_erin)) == "invitation_not_pending"
    assert code_of(lambda: invitations.accept_by_id(dan, to_dan)) == "invitation_not_pending"
    assert code_of(lambda: invitations.accept_by_id(mallory, to_dan)) == "invitation_not_found"
    resent = invitations.create(alice, org_id, CreateInvitation(email="frank@example.com")).id
    frank = world.caller("frank", email="frank@example.com")
    invitations.resend(alice, org_id, resent)  # a new link nonce: a listing from before it is stale
    listed = table.query(invitations_store.of_email("demo", frank.email_key or "",
                                                    keys.invitation_email_sk(resent)), 1).items[0]
    stale = {**listed, "nonce": "an-older-nonce"}
    real_query = table.query

    def stale_listing(spec: Any, limit: int, start: Any = None) -> Any:
        page = real_query(spec, limit, start)
        return table.Page([stale], page.last_key) if spec.partition_name == "GSI1PK" and page.items else page

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(table, "query", stale_listing)
        with requests() as sent:
            assert invitations.accept_by_id(frank, resent).user_id == "frank"
    assert sent[:2] == ["Query", "TransactWriteItems"] and "BatchGetItem" in sent  # cancelled, then the read path
    members_now = (table.get(keys.org("demo", org_id)) or {})["member_count"]
    assert members_now == 4  # alice, bob, dan, frank: each accept counted once
