"""Memberships: roles, no escalation, the last owner, leaving, listing and cursors."""

from __future__ import annotations

import pytest

from orgplane import keys
from orgplane.models.members import ListMembersQuery, UpdateMember
from orgplane.models.orgs import CreateOrg
from orgplane.services import members, orgs
from orgplane.store import table
from tests.support import world
from tests.support.pages import walk
from tests.support.reads import items_read_by_queries, stale_first_read
from tests.support.world import code_of as codes

alice = world.caller("alice")
bob = world.caller("bob")
carol = world.caller("carol")


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id



def role(org_id: str, user_id: str) -> str:
    return members.get_member(alice, org_id, user_id).role


def test_owner_promotes_a_member_to_admin(org_id: str) -> None:
    world.add_member(org_id, "bob")
    assert members.update_member(alice, org_id, "bob", UpdateMember(role="admin")).role == "admin"
    assert role(org_id, "bob") == "admin"


def test_the_last_owner_cannot_leave(org_id: str) -> None:
    assert codes(lambda: members.remove_member(alice, org_id, "me")) == "last_owner"
    assert role(org_id, "alice") == "owner"


def test_the_last_owner_cannot_be_demoted(org_id: str) -> None:
    assert codes(lambda: members.update_member(alice, org_id, "me", UpdateMember(role="admin"))) == "last_owner"


def test_an_owner_can_leave_when_another_owner_remains(org_id: str) -> None:
    world.add_member(org_id, "bob", role="owner")
    members.remove_member(alice, org_id, "me")
    assert members.get_member(bob, org_id, "bob").role == "owner"
    assert orgs.get(bob, org_id).member_count == 1


def test_only_owners_grant_owner(org_id: str) -> None:
    world.add_member(org_id, "bob", role="admin")
    world.add_member(org_id, "carol")
    assert codes(lambda: members.update_member(bob, org_id, "carol", UpdateMember(role="owner"))) == "forbidden"
    assert codes(lambda: members.update_member(bob, org_id, "me", UpdateMember(role="owner"))) == "forbidden"
    assert role(org_id, "carol") == "member"


def test_an_admin_cannot_remove_or_demote_an_owner(org_id: str) -> None:
    world.add_member(org_id, "bob", role="admin")
    assert codes(lambda: members.remove_member(bob, org_id, "alice")) == "forbidden"
    assert codes(lambda: members.update_member(bob, org_id, "alice", UpdateMember(role="member"))) == "forbidden"
    assert role(org_id, "alice") == "owner"


def test_an_owner_demoted_while_demoting_another_owner_is_refused_at_write_time(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read as owner, written as admin: the write pins the caller's role, so the retry judges again."""
    world.add_member(org_id, "olga", role="admin")
    stale_first_read(monkeypatch, lambda found: [found[0], {**(found[1] or {}), "role": "owner"}, *found[2:]])
    olga = world.caller("olga")
    assert codes(lambda: members.update_member(olga, org_id, "alice", UpdateMember(role="member"))) == "forbidden"
    assert members.get_member(alice, org_id, "alice").role == "owner"


def test_nobody_grants_a_role_with_permissions_they_lack(org_id: str) -> None:
    world.put_settings("demo", roles={"deleter": {"permissions": ["org:read", "org:delete"]}})
    world.add_member(org_id, "bob", role="admin")
    world.add_member(org_id, "carol")
    assert codes(lambda: members.update_member(bob, org_id, "carol", UpdateMember(role="deleter"))) == "forbidden"
    assert members.update_member(alice, org_id, "carol", UpdateMember(role="deleter")).role == "deleter"


def test_a_custom_role_grants_exactly_its_permissions(org_id: str) -> None:
    world.put_settings("demo", roles={"auditor": {"permissions": ["org:read", "audit:read"]}})
    world.add_member(org_id, "bob", role="auditor")
    view = members.permissions(bob, org_id)
    assert view.role == "auditor" and view.permissions == ["org:read", "audit:read"]
    assert codes(lambda: members.list_members(bob, org_id, ListMembersQuery())) == "forbidden"


def test_unknown_role_is_400_only_for_callers_allowed_to_change_roles(org_id: str) -> None:
    world.add_member(org_id, "bob")
    assert codes(lambda: members.update_member(bob, org_id, "bob", UpdateMember(role="nope"))) == "forbidden"
    assert codes(lambda: members.update_member(bob, org_id, "bob", UpdateMember(role="admin"))) == "forbidden"
    assert codes(lambda: members.update_member(alice, org_id, "bob", UpdateMember(role="nope"))) == \
        "validation_error"
    assert role(org_id, "bob") == "member"


def test_a_member_can_leave_and_their_counts_follow(org_id: str) -> None:
    world.add_member(org_id, "bob")
    members.remove_member(bob, org_id, "me")
    assert codes(lambda: members.get_member(alice, org_id, "bob")) == "member_not_found"
    assert orgs.get(alice, org_id).member_count == 1
    assert table.get(keys.user("demo", "bob"))["org_count"] == 0  # type: ignore[index]


def test_a_plain_member_cannot_remove_others(org_id: str) -> None:
    world.add_member(org_id, "bob")
    world.add_member(org_id, "carol")
    assert codes(lambda: members.remove_member(bob, org_id, "carol")) == "forbidden"
    assert role(org_id, "carol") == "member"


def test_removing_a_member_is_audited(org_id: str) -> None:
    world.add_member(org_id, "bob")
    members.remove_member(alice, org_id, "bob")
    last = world.items_of(keys.audit_pk("demo", org_id))[-1]
    assert last["action"] == "member.removed" and last["target"] == {"type": "member", "id": "bob"}


def test_members_of_another_org_are_not_found_under_this_org(org_id: str) -> None:
    other = orgs.create(bob, CreateOrg(name="Bobs", slug="bobs")).id
    world.add_member(other, "carol")
    assert codes(lambda: members.get_member(alice, org_id, "carol")) == "member_not_found"
    assert codes(lambda: members.remove_member(alice, org_id, "carol")) == "member_not_found"
    assert members.get_member(bob, other, "carol").role == "member"


def test_member_lists_paginate_with_cursors(org_id: str) -> None:
    for n in range(7):
        world.add_member(org_id, f"user{n}")
    walked = walk(lambda cursor: members.list_members(alice, org_id, ListMembersQuery(limit=3, cursor=cursor)))
    assert [len(page) for page in walked] == [3, 3, 2]
    exact = walk(lambda cursor: members.list_members(alice, org_id, ListMembersQuery(limit=4, cursor=cursor)))
    assert [len(page) for page in exact] == [4, 4]  # a list ending on a page boundary has no empty last page
    assert sorted(m.user_id for page in walked for m in page) == sorted(["alice", *[f"user{n}" for n in range(7)]])


def test_role_filter_lists_only_that_role(org_id: str) -> None:
    world.add_member(org_id, "bob", role="admin")
    world.add_member(org_id, "carol")
    page = members.list_members(alice, org_id, ListMembersQuery(role="admin"))
    assert [m.user_id for m in page.data] == ["bob"]


def test_the_role_filter_reads_only_that_roles_members(org_id: str) -> None:
    for n in range(12):
        world.add_member(org_id, f"user{n:02d}")
    world.add_member(org_id, "bob", role="admin")
    with items_read_by_queries() as scanned:
        page = members.list_members(alice, org_id, ListMembersQuery(role="admin"))
    assert [m.user_id for m in page.data] == ["bob"] and page.next_cursor is None and sum(scanned) == 1


def test_role_filtered_pages_walk_every_holder_once(org_id: str) -> None:
    admins = [f"admin{n}" for n in range(5)]
    for n, user in enumerate(admins):
        world.add_member(org_id, user, role="admin")
        world.add_member(org_id, f"member{n}")
    walked = walk(lambda cursor: members.list_members(alice, org_id,
                                                      ListMembersQuery(role="admin", limit=2, cursor=cursor)))
    assert [m.user_id for page in walked for m in page] == admins


def test_a_role_change_moves_the_member_between_role_lists(org_id: str) -> None:
    world.add_member(org_id, "bob", role="admin")
    members.update_member(alice, org_id, "bob", UpdateMember(role="member"))
    assert members.list_members(alice, org_id, ListMembersQuery(role="admin")).data == []
    assert [m.user_id for m in members.list_members(alice, org_id, ListMembersQuery(role="member")).data] == ["bob"]


def test_a_forged_cursor_is_rejected(org_id: str) -> None:
    for n in range(3):
        world.add_member(org_id, f"user{n}")
    cursor = members.list_members(alice, org_id, ListMembersQuery(limit=1)).next_cursor
    assert cursor
    body, signature = cursor.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    assert codes(lambda: members.list_members(alice, org_id, ListMembersQuery(cursor=forged))) == \
        "validation_error"


def test_a_cursor_from_another_org_is_rejected(org_id: str) -> None:
    other = orgs.create(bob, CreateOrg(name="Bobs", slug="bobs")).id
    for n in range(3):
        world.add_member(org_id, f"user{n}")
        world.add_member(other, f"user{n}")
    cursor = members.list_members(bob, other, ListMembersQuery(limit=1)).next_cursor
    assert codes(lambda: members.list_members(alice, org_id, ListMembersQuery(cursor=cursor))) == \
        "validation_error"
