"""Organizations: creation, slugs, visibility, deletion and its cleanup, limits, audit."""

from __future__ import annotations

import math

import pytest

from orgplane import keys
from orgplane.models.orgs import CreateOrg, ListOrgsQuery, UpdateOrg
from orgplane.services import cleanup, members, orgs, role_usage
from orgplane.store import table
from tests.support import world
from tests.support.pages import walk
from tests.support.world import code_of as codes

alice = world.caller("alice")
bob = world.caller("bob")


def create(owner=alice, name: str = "Acme", slug: str | None = "acme"):  # type: ignore[no-untyped-def]
    return orgs.create(owner, CreateOrg(name=name, slug=slug))



def test_creator_becomes_the_only_owner() -> None:
    org = create()
    assert org.id.startswith("org_") and org.member_count == 1
    listed = orgs.list_for_caller(alice, ListOrgsQuery()).data
    assert [(o.id, o.role) for o in listed] == [(org.id, "owner")]
    assert members.get_member(alice, org.id, "me").role == "owner"


def test_slug_is_unique_within_an_app() -> None:
    create()
    assert codes(lambda: create(bob)) == "slug_taken"


def test_same_slug_in_another_app_is_fine() -> None:
    create()
    other = orgs.create(world.caller("alice", app_id="other"), CreateOrg(name="Acme", slug="acme"))
    assert other.slug == "acme"


def test_slug_is_derived_from_the_name_and_made_unique() -> None:
    first = create(slug=None, name="Ünïcode Corp")
    second = create(bob, slug=None, name="Ünïcode Corp")
    assert first.slug == "unicode-corp"
    assert second.slug.startswith("unicode-corp-") and second.slug != first.slug


def test_changing_the_slug_releases_the_old_one() -> None:
    org = create()
    orgs.update(alice, org.id, UpdateOrg(slug="acme-two"))
    assert create(bob).slug == "acme"
    assert codes(lambda: orgs.update(alice, org.id, UpdateOrg(slug="acme"))) == "slug_taken"
    assert orgs.get(alice, org.id).slug == "acme-two"


def test_a_deleted_orgs_slug_can_be_reused_at_once() -> None:
    org = create()
    orgs.delete(alice, org.id)
    assert create(bob).id != org.id


def test_a_deleted_org_is_gone_from_every_read_at_once() -> None:
    org = create()
    world.add_member(org.id, "bob")
    orgs.delete(alice, org.id)
    assert codes(lambda: orgs.get(alice, org.id)) == "org_not_found"
    assert codes(lambda: members.get_member(bob, org.id, "me")) == "org_not_found"
    assert orgs.list_for_caller(alice, ListOrgsQuery()).data == []
    assert orgs.list_for_caller(bob, ListOrgsQuery()).data == []


def test_cleanup_removes_every_item_in_bounded_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    world.put_settings("demo", org_restore_days=0)  # purged at once, as before restore existed
    org = create()
    for n in range(30):
        world.add_member(org.id, f"user{n}")
    monkeypatch.setenv("CLEANUP_BATCH_SIZE", "7")
    from orgplane import config

    config.reset()
    before = len(world.items_of(keys.org_pk("demo", org.id)))
    orgs.delete(alice, org.id)
    batches = []
    while (removed := cleanup.run_batch("demo", org.id)) > 0:
        batches.append(removed)
    assert max(batches) <= 7 and sum(batches) == before - 1 > 31
    assert world.items_of(keys.org_pk("demo", org.id)) == []
    assert table.get(keys.cleanup("demo", org.id)) is None
    assert table.get(keys.user("demo", "user3"))["org_count"] == 0  # type: ignore[index]


def test_cleanup_removes_a_batch_of_members_in_one_transaction_with_every_counter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    world.put_settings("demo", roles={"billing": {"permissions": ["org:read"]}}, org_restore_days=0)
    org = create()
    for n in range(20):
        world.add_member(org.id, f"user{n}", role="billing" if n % 2 else "member")
    monkeypatch.setenv("CLEANUP_BATCH_SIZE", "100")
    from orgplane import config

    config.reset()
    left = len(world.items_of(keys.org_pk("demo", org.id))) - 1  # all but the org item, which goes at once
    orgs.delete(alice, org.id)
    sent: list[str] = []
    table.client().meta.events.register("before-call.dynamodb.TransactWriteItems",
                                        lambda **kwargs: sent.append("tx"), unique_id="count-cleanup-tx")
    try:
        assert cleanup.run_batch("demo", org.id) == left  # 21 memberships and their 21 email claims
    finally:
        table.client().meta.events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="count-cleanup-tx")
    # the page's 21 memberships (a delete and a user counter each, one role counter per chunk) in as few
    # transactions as the engine's size allows (100 operations; 10 on DynamoDB Local), then the job's progress
    limit = config.settings().max_transaction_items
    assert 1 <= len(sent) - 1 <= math.ceil((2 * 21 + 1) / (limit - 2)) < 21
    assert [table.get(keys.user("demo", f"user{n}"))["org_count"] for n in (0, 1)] == [0, 0]  # type: ignore[index]
    assert role_usage.holders("demo", "billing") == 0


def test_the_callers_orgs_page_by_page_without_an_empty_last_page() -> None:
    created = [create(slug=f"org-{n}").id for n in range(4)]
    walked = walk(lambda cursor: orgs.list_for_caller(alice, ListOrgsQuery(limit=2, cursor=cursor)))
    assert [len(page) for page in walked] == [2, 2]
    assert sorted(o.id for page in walked for o in page) == sorted(created)


def test_max_orgs_per_user_is_enforced() -> None:
    world.put_settings("demo", max_orgs_per_user=2)
    create(slug="one")
    create(slug="two")
    assert codes(lambda: create(slug="three")) == "org_limit_reached"
    assert [o.slug for o in orgs.list_for_caller(alice, ListOrgsQuery()).data] == ["one", "two"]


def test_leaving_an_org_frees_a_place_under_the_org_limit() -> None:
    world.put_settings("demo", max_orgs_per_user=1)
    mine = create(bob, slug="bobs")
    org = create()
    world.put_settings("demo", max_orgs_per_user=None)
    world.add_member(org.id, "bob")
    world.put_settings("demo", max_orgs_per_user=2)
    assert codes(lambda: create(bob, slug="third")) == "org_limit_reached"
    members.remove_member(bob, org.id, "me")
    assert create(bob, slug="third").slug == "third"
    assert mine.slug == "bobs"


def test_a_non_member_sees_not_found_never_data() -> None:
    org = create()
    assert codes(lambda: orgs.get(bob, org.id)) == "org_not_found"
    assert codes(lambda: orgs.update(bob, org.id, UpdateOrg(name="Hijacked"))) == "org_not_found"
    assert codes(lambda: orgs.delete(bob, org.id)) == "org_not_found"
    assert orgs.get(alice, org.id).name == "Acme"


def test_a_caller_from_another_app_sees_not_found() -> None:
    org = create()
    intruder = world.caller("alice", app_id="other", support=True)
    assert codes(lambda: orgs.get(intruder, org.id)) == "org_not_found"
    assert codes(lambda: members.list_members(intruder, org.id, members.ListMembersQuery())) == "org_not_found"


def test_a_plain_member_cannot_change_or_delete_the_org() -> None:
    org = create()
    world.add_member(org.id, "bob")
    assert orgs.get(bob, org.id).id == org.id
    assert codes(lambda: orgs.update(bob, org.id, UpdateOrg(name="Bob's"))) == "forbidden"
    assert codes(lambda: orgs.delete(bob, org.id)) == "forbidden"


def test_an_admin_can_update_but_not_delete() -> None:
    org = create()
    world.add_member(org.id, "bob", role="admin")
    assert orgs.update(bob, org.id, UpdateOrg(name="Renamed")).name == "Renamed"
    assert codes(lambda: orgs.delete(bob, org.id)) == "forbidden"


def test_support_staff_act_on_any_org_of_their_app() -> None:
    org = create()
    support = world.caller("sam", support=True)
    assert orgs.update(support, org.id, UpdateOrg(name="Fixed")).name == "Fixed"
    events = world.items_of(keys.audit_pk("demo", org.id))
    assert events[-1]["actor"] == {"type": "user", "user_id": "sam", "email": "sam@example.com", "support": True}


def test_every_org_mutation_writes_its_audit_event() -> None:
    org = create()
    orgs.update(alice, org.id, UpdateOrg(name="Acme Two", metadata={"tier": "gold"}))
    orgs.delete(alice, org.id)
    events = world.items_of(keys.audit_pk("demo", org.id))
    assert [e["action"] for e in events] == ["org.created", "member.added", "org.updated", "org.deleted"]
    assert [e["sequence"] for e in events] == [1, 2, 3, 4]
    events = [e for e in events if e["action"] != "member.added"]
    assert all(e["request_id"] == "req-alice" and e["target"] == {"type": "org", "id": org.id} for e in events)


def test_an_update_that_changes_nothing_writes_nothing() -> None:
    org = create()
    assert orgs.update(alice, org.id, UpdateOrg(name="Acme")).updated_at == org.updated_at
    assert len(world.items_of(keys.audit_pk("demo", org.id))) == 2  # org.created, member.added
