"""Soft delete, restore and purge of orgs: invisible at once, listed for support, restored exactly, purged
after the window (or at once with ``org_restore_days: 0``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from orgplane import clock, keys
from orgplane.models.admin import AdminOrgsQuery
from orgplane.models.common import ListQuery
from orgplane.models.invitations import CreateInvitation, ListInvitationsQuery
from orgplane.models.members import ListMembersQuery
from orgplane.models.orgs import CreateOrg, ListOrgsQuery, RestoreOrg
from orgplane.models.teams import CreateTeam, ListTeamsQuery, PutTeamMember
from orgplane.services import cleanup, expiry, invitations, lifecycle, members, orgs, team_members, teams
from orgplane.store import table
from tests.support import reads, world
from tests.support.race import race
from tests.support.world import code_of as codes

alice = world.caller("alice")
bob = world.caller("bob")
sam = world.caller("sam", support=True)
other_sam = world.caller("sam", app_id="other", support=True)
DAY = 86400


def run_jobs(org_id: str) -> None:
    """What the stream does: run every job of the org (hide, unhide, purge) until none is left."""
    for _ in range(1000):
        found = [table.get(keys.lifecycle_job("demo", org_id, kind)) for kind in (lifecycle.HIDE, lifecycle.UNHIDE)]
        jobs = [job for job in [*found, table.get(keys.cleanup("demo", org_id))] if job is not None]
        if not jobs:
            return
        for job in jobs:
            cleanup.run_job(job)
    raise AssertionError("the jobs never finished")


def org_count(user_id: str) -> int:
    return int((table.get(keys.user("demo", user_id)) or {}).get("org_count", 0))


def deleted_ids() -> list[str]:
    return [o.id for o in lifecycle.list_deleted(sam, AdminOrgsQuery(deleted=True)).data]


@pytest.fixture
def org_id() -> str:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    for n in range(4):
        world.add_member(org, f"user{n}")
    world.add_member(org, "bob", role="admin")
    team = teams.create(alice, org, CreateTeam(name="Core")).id
    team_members.put_member(alice, org, team, "bob", PutTeamMember())
    for n in range(2):
        invitations.create(alice, org, CreateInvitation(email=f"guest{n}@example.com"))
    return org


def snapshot(org_id: str) -> dict[str, Any]:
    """What a member sees of the org: the org object, its members, teams and invitations."""
    return {
        "org": orgs.get(alice, org_id).model_dump(exclude={"updated_at"}),
        "members": sorted((m.user_id, m.role) for m in members.list_members(alice, org_id, ListMembersQuery()).data),
        "teams": [(t.id, t.name, t.member_count) for t in teams.list_teams(alice, org_id, ListTeamsQuery()).data],
        "invitations": sorted((i.id, i.status) for i in
                              invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data),
    }


def test_a_deleted_org_is_gone_for_everyone_at_once_and_listed_for_support(org_id: str) -> None:
    orgs.delete(alice, org_id)
    for caller in (alice, bob, world.caller("user0")):
        assert codes(lambda caller=caller: orgs.get(caller, org_id)) == "org_not_found"
        assert orgs.list_for_caller(caller, ListOrgsQuery()).data == []
    assert codes(lambda: orgs.get(sam, org_id)) == "org_not_found"
    assert invitations.list_mine(world.caller("guest0"), ListQuery()).data == []
    listed = lifecycle.list_deleted(sam, AdminOrgsQuery(deleted=True)).data
    assert [(o.id, o.name, o.member_count) for o in listed] == [(org_id, "Acme", 6)]
    window = datetime.fromisoformat(listed[0].purge_at) - datetime.fromisoformat(listed[0].deleted_at)
    assert abs(window.total_seconds() - 30 * DAY) < 2
    assert orgs.create(bob, CreateOrg(name="New Acme", slug="acme")).slug == "acme"  # the slug is free


def test_restore_brings_back_members_teams_and_invitations_with_exact_counts(org_id: str) -> None:
    before = snapshot(org_id)
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    restored = lifecycle.restore(sam, org_id, RestoreOrg())
    run_jobs(org_id)
    assert restored.slug == "acme"
    assert snapshot(org_id) == before
    assert deleted_ids() == []
    assert orgs.list_for_caller(bob, ListOrgsQuery()).data[0].id == org_id
    assert {org_count(u) for u in ("alice", "bob", "user0")} == {1}


def test_the_pending_invitations_of_a_deleted_org_leave_the_expiry_index_until_restored(org_id: str) -> None:
    def indexed() -> int:
        return sum(len(table.query(table.QuerySpec("GSI3PK", s, index=keys.GSI3), 100).items)
                   for s in keys.expiry_shards())

    assert indexed() == 2
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    assert indexed() == 0
    lifecycle.restore(sam, org_id, RestoreOrg())
    run_jobs(org_id)
    assert indexed() == 2


def test_invitations_that_expired_while_deleted_come_back_expired(org_id: str) -> None:
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    clock.advance(8 * DAY)  # past the invitations' 7 days
    assert expiry.run() == 0  # nothing of a deleted org is read by the job
    lifecycle.restore(sam, org_id, RestoreOrg())
    run_jobs(org_id)
    assert {i.status for i in invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data} == {"expired"}
    assert expiry.run() == 2
    assert orgs.get(alice, org_id).pending_invitation_count == 0


def test_deleting_releases_the_members_org_counts_and_restore_puts_them_back_over_the_limit(org_id: str) -> None:
    world.put_settings("demo", max_orgs_per_user=1)
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    assert org_count("user0") == 0
    orgs.create(world.caller("user0"), CreateOrg(name="Mine", slug="mine"))  # their place is free
    lifecycle.restore(sam, org_id, RestoreOrg())
    run_jobs(org_id)
    assert org_count("user0") == 2  # kept: over the limit until they leave one
    assert members.get_member(alice, org_id, "user0").role == "member"
    assert codes(lambda: orgs.create(world.caller("user0"), CreateOrg(name="More"))) == "org_limit_reached"


def test_a_member_leaving_a_restored_org_before_the_walk_reaches_them_keeps_their_org_count_exact(
        org_id: str) -> None:
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    assert org_count("user0") == 0
    lifecycle.restore(sam, org_id, RestoreOrg())  # the unhide walk has not reached user0 yet
    members.remove_member(world.caller("user0"), org_id, "me")
    members.remove_member(alice, org_id, "user1")
    run_jobs(org_id)
    assert (org_count("user0"), org_count("user1"), org_count("user2")) == (0, 0, 1)


def test_a_removal_racing_the_unhide_walk_counts_the_member_out_exactly_once(org_id: str) -> None:
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    lifecycle.restore(sam, org_id, RestoreOrg())
    race(lambda: run_jobs(org_id), lambda: members.remove_member(alice, org_id, "user0"))
    run_jobs(org_id)
    assert org_count("user0") == 0
    assert codes(lambda: members.get_member(alice, org_id, "user0")) == "member_not_found"


def test_restore_reclaims_the_slug_or_answers_slug_taken(org_id: str) -> None:
    orgs.delete(alice, org_id)
    orgs.create(bob, CreateOrg(name="Squatter", slug="acme"))
    assert codes(lambda: lifecycle.restore(sam, org_id, RestoreOrg())) == "slug_taken"
    assert deleted_ids() == [org_id]  # nothing changed
    assert lifecycle.restore(sam, org_id, RestoreOrg(slug="acme-again")).slug == "acme-again"
    assert orgs.get(alice, org_id).slug == "acme-again"


def test_only_support_of_the_app_restores_and_lists(org_id: str) -> None:
    orgs.delete(alice, org_id)
    assert codes(lambda: lifecycle.restore(alice, org_id, RestoreOrg())) == "forbidden"
    assert codes(lambda: lifecycle.list_deleted(alice, AdminOrgsQuery(deleted=True))) == "forbidden"
    assert codes(lambda: lifecycle.restore(other_sam, org_id, RestoreOrg())) == "org_not_found"
    assert lifecycle.list_deleted(other_sam, AdminOrgsQuery(deleted=True)).data == []
    assert codes(lambda: lifecycle.restore(sam, "org_nonsense", RestoreOrg())) == "org_not_found"
    live = orgs.create(bob, CreateOrg(name="Live")).id
    assert codes(lambda: lifecycle.restore(sam, live, RestoreOrg())) == "org_not_found"


def test_the_deleted_list_filters_by_prefix_and_paginates() -> None:
    made = [orgs.create(alice, CreateOrg(name=f"Org {n}", slug=f"org-{n}")).id for n in range(3)]
    for org in made:
        orgs.delete(alice, org)
    first = lifecycle.list_deleted(sam, AdminOrgsQuery(deleted=True, limit=2))
    assert [o.id for o in first.data] == made[::-1][:2]
    rest = lifecycle.list_deleted(sam, AdminOrgsQuery(deleted=True, limit=2, cursor=first.next_cursor))
    assert [o.id for o in rest.data] == made[:1] and rest.next_cursor is None
    assert [o.id for o in lifecycle.list_deleted(sam, AdminOrgsQuery(deleted=True, q="org-1")).data] == [made[1]]


def test_after_the_window_the_job_purges_it_in_batches_and_restore_is_404(org_id: str) -> None:
    world.put_settings("demo", org_restore_days=2)
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    clock.advance(DAY)
    assert expiry.run_purges() == 0  # still restorable
    clock.advance(DAY + 1)
    assert expiry.run_purges() == 1
    assert expiry.run_purges() == 0
    assert codes(lambda: lifecycle.restore(sam, org_id, RestoreOrg())) == "org_not_found"
    assert deleted_ids() == []
    run_jobs(org_id)
    assert world.items_of(keys.org_pk("demo", org_id)) == []
    assert {org_count(u) for u in ("alice", "bob", "user0")} == {0}  # released once, not twice


def test_with_restore_days_zero_deletion_purges_as_before(org_id: str) -> None:
    world.put_settings("demo", org_restore_days=0)
    orgs.delete(alice, org_id)
    assert table.get(keys.deleted_org("demo", org_id)) is None
    assert table.get(keys.cleanup("demo", org_id)) is not None
    assert deleted_ids() == []
    run_jobs(org_id)
    assert world.items_of(keys.org_pk("demo", org_id)) == []
    assert codes(lambda: lifecycle.restore(sam, org_id, RestoreOrg())) == "org_not_found"
    assert org_count("user0") == 0


def test_restore_racing_the_purge_leaves_one_outcome(org_id: str) -> None:
    world.put_settings("demo", org_restore_days=1)
    orgs.delete(alice, org_id)
    clock.advance(DAY + 1)
    results = race(lambda: lifecycle.restore(sam, org_id, RestoreOrg()), expiry.run_purges)
    run_jobs(org_id)
    if results[1] == 1:
        assert results[0] == "org_not_found"
        assert world.items_of(keys.org_pk("demo", org_id)) == []
        assert org_count("user0") == 0
    else:
        assert results[1] == 0 and results[0].id == org_id
        assert orgs.get(alice, org_id).member_count == 6 and org_count("user0") == 1


def test_restore_racing_the_hide_walk_leaves_every_count_exact(org_id: str) -> None:
    orgs.delete(alice, org_id)
    hide = table.get(keys.lifecycle_job("demo", org_id, lifecycle.HIDE))
    assert hide is not None
    race(lambda: lifecycle.restore(sam, org_id, RestoreOrg()), lambda: cleanup.run_job(hide))
    run_jobs(org_id)
    assert {org_count(u) for u in ("alice", "bob", "user0", "user3")} == {1}
    assert not any(i.get("soft_deleted") for i in world.items_of(keys.org_pk("demo", org_id)))


def test_two_restores_at_once_restore_once(org_id: str) -> None:
    orgs.delete(alice, org_id)
    results = race(lambda: lifecycle.restore(sam, org_id, RestoreOrg()),
                   lambda: lifecycle.restore(sam, org_id, RestoreOrg()))
    assert sorted(r if isinstance(r, str) else "ok" for r in results) == ["ok", "org_not_found"]


def test_delete_restore_delete_again_then_restore_keeps_counts_exact(org_id: str) -> None:
    orgs.delete(alice, org_id)
    lifecycle.restore(sam, org_id, RestoreOrg())
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    assert org_count("user0") == 0
    lifecycle.restore(sam, org_id, RestoreOrg())
    run_jobs(org_id)
    assert org_count("user0") == 1 and orgs.get(alice, org_id).member_count == 6


def test_restore_announces_member_added_via_restore_for_each_member_after_org_restored(org_id: str) -> None:
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    lifecycle.restore(sam, org_id, RestoreOrg())
    run_jobs(org_id)
    trail = sorted((item for item in table.query(table.QuerySpec("PK", keys.audit_pk("demo", org_id)), 1000).items),
                   key=lambda item: int(item["sequence"]))
    restored_at = next(i for i, item in enumerate(trail) if item["action"] == "org.restored")
    added = [item for item in trail[restored_at + 1:] if item["action"] == "member.added"]
    assert sorted((item["details"]["user_id"], item["details"]["role"]) for item in added) == sorted(
        [("alice", "owner"), ("bob", "admin"), *((f"user{n}", "member") for n in range(4))])
    assert {item["details"]["via"] for item in added} == {"restore"}
    assert {item["actor"]["user_id"] for item in added} == {"sam"}  # the restorer, not the system
    assert [int(item["sequence"]) for item in trail] == list(range(1, len(trail) + 1))  # no gap, no repeat


def test_a_walk_run_twice_announces_each_restored_member_once(org_id: str) -> None:
    orgs.delete(alice, org_id)
    run_jobs(org_id)
    lifecycle.restore(sam, org_id, RestoreOrg())
    job = table.get(keys.lifecycle_job("demo", org_id, lifecycle.UNHIDE))
    assert job is not None
    lifecycle.run_walk(job)
    lifecycle.run_walk(job)  # a repeated stream record of the same batch
    run_jobs(org_id)
    added = [item for item in table.query(table.QuerySpec("PK", keys.audit_pk("demo", org_id)), 1000).items
             if item["action"] == "member.added" and item["details"].get("via") == "restore"]
    assert len(added) == 6


def test_a_restore_is_one_read_and_one_write(org_id: str) -> None:
    """The deleted org comes with the org's event counter, so ``org.restored`` is numbered without a read."""
    orgs.delete(alice, org_id)
    with reads.requests_sent() as sent:
        lifecycle.restore(sam, org_id, RestoreOrg())
    assert sent == ["BatchGetItem", "TransactWriteItems"]
