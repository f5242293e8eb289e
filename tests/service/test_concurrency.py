"""Invariants under concurrency, with real threads (also run against DynamoDB Local)."""

from __future__ import annotations

from orgplane.models.members import UpdateMember
from orgplane.models.orgs import CreateOrg, UpdateOrg
from orgplane.services import members, orgs
from tests.support import world
from tests.support.race import race

alice = world.caller("alice")
bob = world.caller("bob")


def test_two_owners_leaving_at_once_leave_exactly_one_owner() -> None:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    world.add_member(org.id, "bob", role="owner")
    results = race(lambda: members.remove_member(alice, org.id, "me"),
                   lambda: members.remove_member(bob, org.id, "me"))
    assert sorted(map(str, results)) == ["None", "last_owner"]
    remaining = orgs.get(world.caller("sam", support=True), org.id)
    assert remaining.member_count == 1


def test_two_owners_demoting_each_other_leave_an_owner() -> None:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    world.add_member(org.id, "bob", role="owner")
    results = race(lambda: members.update_member(alice, org.id, "bob", UpdateMember(role="member")),
                   lambda: members.update_member(bob, org.id, "alice", UpdateMember(role="member")))
    codes = [r if isinstance(r, str) else "ok" for r in results]
    assert sorted(codes) in (["forbidden", "ok"], ["last_owner", "ok"])
    support = world.caller("sam", support=True)
    roles = {m.user_id: m.role for m in members.list_members(support, org.id, members.ListMembersQuery()).data}
    assert sorted(roles.values()) == ["member", "owner"]


def test_racing_creates_of_one_slug_give_one_org() -> None:
    callers = [world.caller(f"user{n}") for n in range(6)]
    results = race(*[lambda c=c: orgs.create(c, CreateOrg(name="Acme", slug="acme")) for c in callers])
    winners = [r for r in results if not isinstance(r, str)]
    assert len(winners) == 1
    assert sorted(r for r in results if isinstance(r, str)) == ["slug_taken"] * 5


def test_racing_renames_to_one_slug_give_one_winner() -> None:
    first = orgs.create(alice, CreateOrg(name="A", slug="first"))
    second = orgs.create(bob, CreateOrg(name="B", slug="second"))
    results = race(lambda: orgs.update(alice, first.id, UpdateOrg(slug="wanted")),
                   lambda: orgs.update(bob, second.id, UpdateOrg(slug="wanted")))
    assert sorted("slug_taken" if r == "slug_taken" else "ok" for r in results) == ["ok", "slug_taken"]
    slugs = {orgs.get(alice, first.id).slug, orgs.get(bob, second.id).slug}
    assert "wanted" in slugs and len(slugs) == 2


def test_racing_joins_never_exceed_the_org_limit() -> None:
    world.put_settings("demo", max_orgs_per_user=2)
    results = race(*[lambda n=n: orgs.create(alice, CreateOrg(name=f"Org {n}", slug=f"org-{n}"))
                     for n in range(5)])
    assert sum(1 for r in results if not isinstance(r, str)) == 2
    assert sorted(r for r in results if isinstance(r, str)) == ["org_limit_reached"] * 3
