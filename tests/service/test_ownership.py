"""Ownership transfer: request, accept, decline, cancel, expiry, and the guards on each step."""

from __future__ import annotations

import pytest

from orgplane import clock, keys
from orgplane.models.audit import OrgAuditQuery
from orgplane.models.members import ListMembersQuery, UpdateMember
from orgplane.models.orgs import CreateOrg
from orgplane.models.ownership import CreateOwnershipTransfer, ListOwnershipTransfersQuery, OwnershipTransfer
from orgplane.services import audit_queries, expiry, members, orgs, ownership
from orgplane.store import table
from tests.support import reads, world
from tests.support.world import code_of as codes

alice = world.caller("alice")
bob = world.caller("bob")
carol = world.caller("carol")
support = world.caller("sam", support=True)
stranger = world.caller("mallory")
other_app_alice = world.caller("alice", app_id="other")
WEEK = 7 * 86400


@pytest.fixture
def org_id() -> str:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org, "bob")
    world.add_member(org, "carol", role="admin")
    return org


def offer(org_id: str, to: str = "bob", by: object = alice) -> OwnershipTransfer:
    return ownership.request(by, org_id, CreateOwnershipTransfer(to_user_id=to))  # type: ignore[arg-type]


def roles(org_id: str) -> dict[str, str]:
    return {m.user_id: m.role for m in members.list_members(support, org_id, ListMembersQuery()).data}


def owner_count(org_id: str) -> int:
    return int(table.get(keys.org("demo", org_id))["owner_count"])  # type: ignore[index]


def actions(org_id: str) -> list[str]:
    return [e.action for e in audit_queries.list_for_org(support, org_id, OrgAuditQuery()).data
            if e.action.startswith("ownership.")]


def test_an_owner_offers_ownership_to_a_member(org_id: str) -> None:
    before = int(clock.timestamp())
    transfer = offer(org_id)
    after = int(clock.timestamp())
    assert transfer.id.startswith("ot_")
    assert (transfer.from_user_id, transfer.to_user_id, transfer.status) == ("alice", "bob", "pending")
    assert transfer.expires_at in {clock.iso_at(moment + WEEK) for moment in range(before, after + 1)}
    assert actions(org_id) == ["ownership.transfer_requested"]


def test_accepting_makes_the_target_owner_and_the_initiator_admin_in_one_audit_pair(org_id: str) -> None:
    transfer = offer(org_id)
    accepted = ownership.accept(bob, org_id, transfer.id)
    assert accepted.status == "accepted"
    assert roles(org_id) == {"alice": "admin", "bob": "owner", "carol": "admin"}
    assert owner_count(org_id) == 1
    assert actions(org_id) == ["ownership.transferred", "ownership.transfer_requested"]
    assert members.list_members(support, org_id, ListMembersQuery(role="owner")).data[0].user_id == "bob"
    assert table.get(keys.pending_transfer("demo", org_id)) is None


def test_a_second_accept_is_not_pending(org_id: str) -> None:
    transfer = offer(org_id)
    ownership.accept(bob, org_id, transfer.id)
    assert codes(lambda: ownership.accept(bob, org_id, transfer.id)) == "transfer_not_pending"


def test_only_an_owner_can_request(org_id: str) -> None:
    assert codes(lambda: offer(org_id, to="bob", by=carol)) == "forbidden"
    assert codes(lambda: offer(org_id, to="carol", by=bob)) == "forbidden"
    assert codes(lambda: offer(org_id, to="bob", by=support)) == "forbidden"  # support is not an owner
    assert ownership.list_for_org(alice, org_id, ListOwnershipTransfersQuery()).data == []


def test_the_target_must_be_another_member(org_id: str) -> None:
    assert codes(lambda: offer(org_id, to="nobody")) == "not_org_member"
    assert codes(lambda: offer(org_id, to="alice")) == "validation_error"
    assert codes(lambda: offer(org_id, to="me")) == "validation_error"


def test_one_pending_transfer_per_org(org_id: str) -> None:
    world.add_member(org_id, "dave", role="owner")
    offer(org_id)
    assert codes(lambda: offer(org_id, to="carol")) == "transfer_pending"
    assert codes(lambda: offer(org_id, to="carol", by=world.caller("dave"))) == "transfer_pending"


def test_only_the_target_accepts_or_declines(org_id: str) -> None:
    transfer = offer(org_id)
    for who in (alice, carol, support):
        assert codes(lambda who=who: ownership.accept(who, org_id, transfer.id)) == "forbidden"
        assert codes(lambda who=who: ownership.decline(who, org_id, transfer.id)) == "forbidden"
    assert roles(org_id)["alice"] == "owner"


def test_declining_leaves_roles_and_frees_the_org_for_a_new_request(org_id: str) -> None:
    transfer = offer(org_id)
    assert ownership.decline(bob, org_id, transfer.id).status == "declined"
    assert roles(org_id) == {"alice": "owner", "bob": "member", "carol": "admin"}
    assert codes(lambda: ownership.accept(bob, org_id, transfer.id)) == "transfer_not_pending"
    assert offer(org_id, to="carol").status == "pending"
    assert "ownership.transfer_declined" in actions(org_id)


def test_a_cancelled_transfer_cannot_be_accepted(org_id: str) -> None:
    transfer = offer(org_id)
    ownership.cancel(alice, org_id, transfer.id)
    assert codes(lambda: ownership.accept(bob, org_id, transfer.id)) == "transfer_not_pending"
    assert codes(lambda: ownership.cancel(alice, org_id, transfer.id)) == "transfer_not_pending"
    assert roles(org_id)["alice"] == "owner"
    assert actions(org_id)[0] == "ownership.transfer_cancelled"


def test_who_may_cancel(org_id: str) -> None:
    transfer = offer(org_id)
    assert codes(lambda: ownership.cancel(bob, org_id, transfer.id)) == "forbidden"
    assert codes(lambda: ownership.cancel(carol, org_id, transfer.id)) == "forbidden"
    ownership.cancel(support, org_id, transfer.id)
    assert ownership.list_for_org(bob, org_id, ListOwnershipTransfersQuery()).data[0].status == "cancelled"


def test_a_transfer_past_due_is_refused_before_and_after_the_job(org_id: str) -> None:
    transfer = offer(org_id)
    clock.advance(WEEK + 1)
    assert codes(lambda: ownership.accept(bob, org_id, transfer.id)) == "transfer_not_pending"
    assert codes(lambda: ownership.decline(bob, org_id, transfer.id)) == "transfer_not_pending"
    assert ownership.list_for_org(bob, org_id, ListOwnershipTransfersQuery()).data[0].status == "expired"
    assert expiry.run_transfers() == 1
    assert expiry.run_transfers() == 0
    assert table.get(keys.ownership_transfer("demo", org_id, transfer.id))["status"] == "expired"  # type: ignore[index]
    assert "GSI3PK" not in table.get(keys.ownership_transfer("demo", org_id, transfer.id))  # type: ignore[operator]
    assert actions(org_id)[0] == "ownership.transfer_expired"
    assert offer(org_id, to="carol").status == "pending"
    assert roles(org_id)["alice"] == "owner"


def test_a_request_expires_a_past_due_pending_transfer_the_job_has_not_reached(org_id: str) -> None:
    first = offer(org_id)
    clock.advance(WEEK + 1)
    second = offer(org_id, to="carol")
    listed = ownership.list_for_org(alice, org_id, ListOwnershipTransfersQuery()).data
    assert [(t.id, t.status) for t in listed] == [(second.id, "pending"), (first.id, "expired")]


def test_the_expiry_job_reads_only_due_transfers(org_id: str) -> None:
    offer(org_id)
    assert expiry.run_transfers() == 0
    assert expiry.run() == 0  # the invitations' shards never see transfers
    clock.advance(WEEK + 1)
    assert expiry.run() == 0
    assert expiry.run_transfers() == 1


def test_accept_after_the_initiator_lost_owner_is_not_pending(org_id: str) -> None:
    world.add_member(org_id, "dave", role="owner")
    transfer = offer(org_id)
    members.update_member(world.caller("dave"), org_id, "alice", UpdateMember(role="admin"))
    assert codes(lambda: ownership.accept(bob, org_id, transfer.id)) == "transfer_not_pending"
    assert roles(org_id)["bob"] == "member"


def test_a_dead_pending_transfer_gives_way_to_a_new_request(org_id: str) -> None:
    world.add_member(org_id, "dave", role="owner")
    dave = world.caller("dave")
    stale = offer(org_id)
    members.remove_member(dave, org_id, "bob")
    fresh = offer(org_id, to="carol", by=dave)
    listed = {t.id: t.status for t in ownership.list_for_org(dave, org_id, ListOwnershipTransfersQuery()).data}
    assert listed == {stale.id: "cancelled", fresh.id: "pending"}
    cancelled = [e for e in audit_queries.list_for_org(support, org_id, OrgAuditQuery()).data
                 if e.action == "ownership.transfer_cancelled"]
    assert cancelled[0].details["reason"] == "target_not_member"
    assert cancelled[0].actor.user_id == ownership.SYSTEM_ACTOR


def test_a_target_who_is_already_an_owner_takes_the_initiators_place(org_id: str) -> None:
    world.add_member(org_id, "dave", role="owner")
    transfer = offer(org_id, to="dave")
    ownership.accept(world.caller("dave"), org_id, transfer.id)
    assert roles(org_id)["alice"] == "admin"
    assert owner_count(org_id) == 1


def test_a_custom_role_holder_accepting_releases_the_role() -> None:
    world.put_settings("demo", roles={"billing": {"permissions": ["org:read"]}})
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org_id, "bob", role="billing")
    ownership.accept(bob, org_id, offer(org_id).id)
    assert int(table.get(keys.role_usage("demo", "billing"))["holders"]) == 0  # type: ignore[index]


def test_the_list_is_newest_first_and_paginates(org_id: str) -> None:
    made = []
    for _ in range(3):
        made.append(offer(org_id).id)
        ownership.decline(bob, org_id, made[-1])
    first = ownership.list_for_org(bob, org_id, ListOwnershipTransfersQuery(limit=2))
    assert [t.id for t in first.data] == made[::-1][:2]
    rest = ownership.list_for_org(bob, org_id, ListOwnershipTransfersQuery(limit=2, cursor=first.next_cursor))
    assert [t.id for t in rest.data] == made[:1] and rest.next_cursor is None


def test_another_org_or_app_sees_404(org_id: str) -> None:
    transfer = offer(org_id)
    other_org = orgs.create(stranger, CreateOrg(name="Other", slug="other")).id
    for call in (lambda: offer(org_id, by=stranger), lambda: ownership.accept(stranger, org_id, transfer.id),
                 lambda: ownership.list_for_org(stranger, org_id, ListOwnershipTransfersQuery()),
                 lambda: ownership.accept(other_app_alice, org_id, transfer.id),
                 lambda: ownership.cancel(other_app_alice, org_id, transfer.id)):
        assert codes(call) == "org_not_found"
    # the transfer id under another org's path (one the caller owns) is not found there
    assert codes(lambda: ownership.cancel(stranger, other_org, transfer.id)) == "transfer_not_found"
    assert codes(lambda: ownership.accept(bob, org_id, "ot_nonsense")) == "transfer_not_found"
    assert ownership.list_for_org(alice, org_id, ListOwnershipTransfersQuery()).data[0].status == "pending"


def test_deleting_the_org_takes_its_transfers(org_id: str) -> None:
    transfer = offer(org_id)
    orgs.delete(alice, org_id)
    assert codes(lambda: ownership.accept(bob, org_id, transfer.id)) == "org_not_found"


def test_accepting_is_one_read_and_one_write_on_the_assumption_that_the_initiator_is_still_an_owner(
        org_id: str) -> None:
    transfer = offer(org_id)
    with reads.requests_sent() as sent:
        ownership.accept(bob, org_id, transfer.id)
    assert sent == ["BatchGetItem", "TransactWriteItems"]
    assert roles(org_id) == {"alice": "admin", "bob": "owner", "carol": "admin"}


def test_accept_after_the_initiator_left_is_not_pending_and_changes_nothing(org_id: str) -> None:
    world.add_member(org_id, "dave", role="owner")
    transfer = offer(org_id)
    members.remove_member(alice, org_id, "alice")
    assert codes(lambda: ownership.accept(bob, org_id, transfer.id)) == "transfer_not_pending"
    assert roles(org_id) == {"bob": "member", "carol": "admin", "dave": "owner"}


def test_offering_ownership_is_one_write_when_the_org_has_no_pending_transfer(org_id: str) -> None:
    ownership.cancel(alice, org_id, offer(org_id).id)  # the container now knows the org's event counter
    with reads.requests_sent() as sent:
        offer(org_id, to="carol")
    assert sent == ["TransactWriteItems"]


def test_a_refused_one_write_offer_answers_as_the_read_path(org_id: str) -> None:
    offer(org_id)
    assert codes(lambda: offer(org_id, to="carol")) == "transfer_pending"
    assert codes(lambda: offer(org_id, to="nobody", by=world.caller("carol"))) == "forbidden"
    assert codes(lambda: offer(org_id, to="alice")) == "validation_error"
    assert codes(lambda: offer(org_id, to="bob", by=stranger)) == "org_not_found"
