"""Ownership transfer under concurrency, with real threads (also run against DynamoDB Local)."""

from __future__ import annotations

from orgplane import keys
from orgplane.models.members import ListMembersQuery, UpdateMember
from orgplane.models.orgs import CreateOrg
from orgplane.models.ownership import CreateOwnershipTransfer, ListOwnershipTransfersQuery
from orgplane.services import members, orgs, ownership
from orgplane.store import table
from tests.support import world
from tests.support.race import race

alice = world.caller("alice")
bob = world.caller("bob")
dave = world.caller("dave")
support = world.caller("sam", support=True)


def setup_org(*extra_owners: str) -> str:
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org_id, "bob")
    world.add_member(org_id, "carol")
    for owner in extra_owners:
        world.add_member(org_id, owner, role="owner")
    return org_id


def offer(org_id: str, to: str = "bob", by: object = alice) -> str:
    return ownership.request(by, org_id, CreateOwnershipTransfer(to_user_id=to)).id  # type: ignore[arg-type]


def roles(org_id: str) -> dict[str, str]:
    return {m.user_id: m.role for m in members.list_members(support, org_id, ListMembersQuery()).data}


def status(org_id: str, transfer_id: str) -> str:
    return str(table.get(keys.ownership_transfer("demo", org_id, transfer_id))["status"])  # type: ignore[index]


def counters_agree(org_id: str) -> None:
    org = table.get(keys.org("demo", org_id))
    held = roles(org_id)
    assert org is not None
    assert int(org["owner_count"]) == sum(role == "owner" for role in held.values()) >= 1
    assert int(org["member_count"]) == len(held)


def outcome(result: object) -> str:
    return result if isinstance(result, str) else "ok"


def test_accept_racing_cancel_leaves_exactly_one_outcome() -> None:
    org_id = setup_org()
    transfer_id = offer(org_id)
    results = race(lambda: ownership.accept(bob, org_id, transfer_id),
                   lambda: ownership.cancel(alice, org_id, transfer_id))
    assert sorted(map(outcome, results)) == ["ok", "transfer_not_pending"]
    if outcome(results[0]) == "ok":
        assert status(org_id, transfer_id) == "accepted"
        assert (roles(org_id)["alice"], roles(org_id)["bob"]) == ("admin", "owner")
    else:
        assert status(org_id, transfer_id) == "cancelled"
        assert (roles(org_id)["alice"], roles(org_id)["bob"]) == ("owner", "member")
    assert table.get(keys.pending_transfer("demo", org_id)) is None
    counters_agree(org_id)


def test_accept_racing_the_targets_removal_leaves_one_owner_and_no_ghost_owner() -> None:
    org_id = setup_org()
    transfer_id = offer(org_id)
    results = race(lambda: ownership.accept(bob, org_id, transfer_id),
                   lambda: members.remove_member(alice, org_id, "bob"))
    held = roles(org_id)
    if outcome(results[0]) == "ok":  # bob became owner first; alice, now admin, may not remove an owner
        assert results[1] == "forbidden"
        assert (held["alice"], held["bob"]) == ("admin", "owner")
        assert status(org_id, transfer_id) == "accepted"
    else:  # bob was removed first: he cannot see the org any more, and nothing changed hands
        assert results == ["org_not_found", None]
        assert "bob" not in held and held["alice"] == "owner"
        assert status(org_id, transfer_id) == "pending"
    counters_agree(org_id)


def test_accept_racing_the_initiators_demotion_never_leaves_the_org_without_an_owner() -> None:
    org_id = setup_org("dave")
    transfer_id = offer(org_id)
    results = race(lambda: ownership.accept(bob, org_id, transfer_id),
                   lambda: members.update_member(dave, org_id, "alice", UpdateMember(role="member")))
    held = roles(org_id)
    if outcome(results[0]) == "ok":
        assert held["bob"] == "owner" and held["alice"] in {"admin", "member"}
    else:
        assert results[0] == "transfer_not_pending"
        assert (held["alice"], held["bob"]) == ("member", "member")
    counters_agree(org_id)


def test_two_owners_requesting_at_once_give_one_pending_transfer() -> None:
    org_id = setup_org("dave")
    results = race(lambda: ownership.request(alice, org_id, CreateOwnershipTransfer(to_user_id="bob")),
                   lambda: ownership.request(dave, org_id, CreateOwnershipTransfer(to_user_id="carol")))
    assert sorted(map(outcome, results)) == ["ok", "transfer_pending"]
    listed = ownership.list_for_org(support, org_id, ListOwnershipTransfersQuery()).data
    assert [t.status for t in listed] == ["pending"]
    claim = table.get(keys.pending_transfer("demo", org_id))
    assert claim is not None and claim["transfer_id"] == listed[0].id


def test_racing_accept_and_decline_leave_one_answer() -> None:
    org_id = setup_org()
    transfer_id = offer(org_id)
    results = race(lambda: ownership.accept(bob, org_id, transfer_id),
                   lambda: ownership.decline(bob, org_id, transfer_id))
    assert sorted(map(outcome, results)) == ["ok", "transfer_not_pending"]
    assert status(org_id, transfer_id) in {"accepted", "declined"}
    assert (roles(org_id)["bob"] == "owner") == (status(org_id, transfer_id) == "accepted")
    counters_agree(org_id)
