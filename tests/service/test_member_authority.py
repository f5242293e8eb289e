"""Authority cannot be borrowed: nobody changes or removes a member whose role holds a permission they
lack (owners and support excepted), and an invitation's answer tells nothing to a role that may not read
who is a member or invited."""

from __future__ import annotations

import pytest

from orgplane import keys
from orgplane.models.invitations import CreateInvitation, ListInvitationsQuery
from orgplane.models.members import UpdateMember
from orgplane.models.orgs import CreateOrg
from orgplane.services import invitations, members, orgs
from orgplane.store import table
from tests.support import world
from tests.support.world import code_of

alice = world.caller("alice")
bob = world.caller("bob")
support = world.caller("sam", support=True)

ROLES = {
    "updater": {"permissions": ["org:read", "member:read", "member:update"]},
    "remover": {"permissions": ["org:read", "member:read", "member:remove"]},
    "auditor": {"permissions": ["org:read", "member:read", "audit:read"]},
    "inviter": {"permissions": ["org:read", "member:invite"]},
}


@pytest.fixture
def org_id() -> str:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    world.put_settings("demo", roles=ROLES)
    world.add_member(org_id, "carol", role="admin")
    world.add_member(org_id, "dave", role="auditor")
    world.add_member(org_id, "erin", role="member")
    return org_id


def _role(org_id: str, user_id: str) -> str | None:
    return (table.get(keys.member("demo", org_id, user_id)) or {}).get("role")


@pytest.mark.parametrize(("target", "new_role"), [("carol", "member"), ("dave", "member"), ("alice", "member")])
def test_a_role_holding_member_update_cannot_change_a_member_whose_role_holds_more(org_id: str, target: str,
                                                                                    new_role: str) -> None:
    world.add_member(org_id, "bob", role="updater")
    before = _role(org_id, target)
    assert code_of(lambda: members.update_member(bob, org_id, target, UpdateMember(role=new_role))) == "forbidden"
    assert _role(org_id, target) == before


def test_a_role_holding_member_update_changes_members_whose_role_it_covers(org_id: str) -> None:
    world.add_member(org_id, "bob", role="updater")
    assert members.update_member(bob, org_id, "erin", UpdateMember(role="updater")).role == "updater"


@pytest.mark.parametrize("target", ["carol", "dave", "alice"])
def test_a_role_holding_member_remove_cannot_remove_a_member_whose_role_holds_more(org_id: str, target: str) -> None:
    world.add_member(org_id, "bob", role="remover")
    assert code_of(lambda: members.remove_member(bob, org_id, target)) == "forbidden"
    assert _role(org_id, target) is not None


def test_a_role_holding_member_remove_removes_members_whose_role_it_covers(org_id: str) -> None:
    world.add_member(org_id, "bob", role="remover")
    members.remove_member(bob, org_id, "erin")
    assert _role(org_id, "erin") is None


def test_admins_still_manage_admins_and_support_manages_everyone(org_id: str) -> None:
    world.add_member(org_id, "bob", role="admin")
    assert members.update_member(bob, org_id, "carol", UpdateMember(role="member")).role == "member"
    assert members.update_member(support, org_id, "dave", UpdateMember(role="member")).role == "member"


@pytest.mark.parametrize("email", ["fresh@example.com", "erin@example.com", "pending@example.com"])
def test_inviting_without_member_read_and_invitation_read_is_refused_alike_for_every_address(
        org_id: str, email: str) -> None:
    invitations.create(alice, org_id, CreateInvitation(email="pending@example.com"))
    world.add_member(org_id, "bob", role="inviter")
    before = world.items_of(keys.org_pk("demo", org_id))
    assert code_of(lambda: invitations.create(bob, org_id, CreateInvitation(email=email))) == "forbidden"
    assert world.items_of(keys.org_pk("demo", org_id)) == before


def test_resending_without_the_reads_is_refused(org_id: str) -> None:
    sent = invitations.create(alice, org_id, CreateInvitation(email="pending@example.com"))
    world.add_member(org_id, "bob", role="inviter")
    assert code_of(lambda: invitations.resend(bob, org_id, sent.id)) == "forbidden"
    assert [i.id for i in invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data] == [sent.id]
