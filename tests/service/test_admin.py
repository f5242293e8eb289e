"""The operator surface: org search, user lookup and the activity log, for the app's support staff only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from orgplane.models.admin import AdminOrgsQuery, FindUsersQuery
from orgplane.models.audit import AppAuditQuery, OrgAuditQuery
from orgplane.models.members import UpdateMember
from orgplane.models.orgs import CreateOrg, UpdateOrg
from orgplane.models.settings import UpdateSettings
from orgplane.services import admin, audit_queries, members, orgs, settings_admin, team_members
from orgplane.store import table
from tests.support import world
from tests.support.pages import walk
from tests.support.world import code_of

alice = world.caller("alice")
bob = world.caller("bob")
sam = world.caller("sam", support=True)



def create(name: str, slug: str, owner: str = "alice") -> str:
    return orgs.create(world.caller(owner), CreateOrg(name=name, slug=slug)).id


def search(q: str | None = None, limit: int = 50) -> list[str]:
    """Every org name the search finds, following cursors."""
    names: list[str] = []
    cursor = None
    for _ in range(50):
        page = admin.list_orgs(sam, AdminOrgsQuery(q=q, limit=limit, cursor=cursor))
        names += [o.name for o in page.data]
        cursor = page.next_cursor
        if not cursor:
            return names
    raise AssertionError("the search never ended")


# --- GET /admin/orgs ----------------------------------------------------------------------------


def test_every_admin_route_is_for_support_staff_only() -> None:
    calls: list[Callable[[], Any]] = [
        lambda: admin.list_orgs(alice, AdminOrgsQuery()),
        lambda: admin.get_user(alice, "alice"),
        lambda: admin.find_users(alice, FindUsersQuery(email="alice")),
        lambda: audit_queries.list_for_app(alice, AppAuditQuery()),
        lambda: settings_admin.get(alice),
    ]
    create("Acme", "acme")
    assert [code_of(call) for call in calls] == ["forbidden"] * len(calls)


def test_org_search_matches_a_name_prefix_case_insensitively() -> None:
    create("Acme Corp", "acme-corp")
    create("acme labs", "labs")
    create("Globex", "globex")
    assert sorted(search("ACME")) == ["Acme Corp", "acme labs"]
    assert search("acme  c") == ["Acme Corp"]


def test_org_search_matches_a_slug_prefix_once() -> None:
    create("Initech", "tps-reports")
    create("TPS Club", "tps-club")
    assert sorted(search("tps")) == ["Initech", "TPS Club"]


def test_org_search_treats_underscore_and_percent_literally() -> None:
    create("100% Pure", "pure")
    create("100 Percent", "percent")
    create("a_b", "ab")
    create("axb", "axb")
    assert search("100%") == ["100% Pure"]
    assert search("a_") == ["a_b"]


def test_org_search_without_q_lists_every_org_of_the_app() -> None:
    for n in range(3):
        create(f"Org {n}", f"org-{n}")
    orgs.create(world.caller("olga", app_id="other"), CreateOrg(name="Org elsewhere", slug="org-x"))
    assert search() == ["Org 0", "Org 1", "Org 2"]


def test_org_search_paginates_across_names_and_slugs_without_repeats() -> None:
    for n in range(5):
        create(f"Zeta {n}", f"zeta-{n}")
        create(f"Other {n}", f"zeta-other-{n}")
    found = search("zeta", limit=2)
    assert sorted(found) == sorted([f"Zeta {n}" for n in range(5)] + [f"Other {n}" for n in range(5)])
    assert len(found) == len(set(found))


def test_org_search_follows_renames_and_deletions() -> None:
    org_id = create("Acme", "acme")
    gone = create("Acme Two", "acme-two")
    orgs.update(alice, org_id, UpdateOrg(name="Renamed", slug="renamed"))
    orgs.delete(alice, gone)
    assert search("acme") == []
    assert search("renamed") == ["Renamed"]


def test_an_org_search_cursor_only_works_for_the_same_search() -> None:
    for n in range(3):
        create(f"Acme {n}", f"acme-{n}")
    cursor = admin.list_orgs(sam, AdminOrgsQuery(q="acme", limit=1)).next_cursor
    assert cursor
    assert code_of(lambda: admin.list_orgs(sam, AdminOrgsQuery(q="acm", cursor=cursor))) == "validation_error"
    other = world.caller("olga", app_id="other", support=True)
    assert code_of(lambda: admin.list_orgs(other, AdminOrgsQuery(q="acme", cursor=cursor))) == "validation_error"


# --- GET /admin/users/{user_id} -----------------------------------------------------------------


def test_user_lookup_shows_memberships_with_their_orgs() -> None:
    first = create("Acme", "acme")
    second = create("Globex", "globex", owner="bob")
    world.add_member(second, "alice", role="admin")
    user = admin.get_user(sam, "alice")
    assert user.user_id == "alice" and user.emails == ["alice@example.com"]
    assert sorted((m.org_slug, m.role) for m in user.memberships) == [("acme", "owner"), ("globex", "admin")]
    assert {m.org_id for m in user.memberships} == {first, second}


def test_user_lookup_leaves_out_deleted_orgs_at_once() -> None:
    org_id = create("Acme", "acme")
    create("Globex", "globex")
    orgs.delete(alice, org_id)
    assert [m.org_slug for m in admin.get_user(sam, "alice").memberships] == ["globex"]


def test_user_lookup_shows_pending_invitations_to_the_users_emails() -> None:
    from orgplane import clock
    from orgplane.models.invitations import CreateInvitation
    from orgplane.services import invitations

    org_id = create("Acme", "acme")
    other = create("Globex", "globex", owner="bob")
    third = create("Initech", "initech", owner="bob")
    fourth = create("Hooli", "hooli", owner="bob")
    pending = invitations.create(bob, other, CreateInvitation(email="Alice@example.com", role="admin")).id
    revoked = invitations.create(bob, third, CreateInvitation(email="alice@example.com")).id
    invitations.revoke(bob, third, revoked)
    invitations.create(bob, fourth, CreateInvitation(email="alice@example.com", expires_in_seconds=300))
    clock.advance(301)  # past due, not yet marked by the job: not pending any more
    user = admin.get_user(sam, "alice")
    assert [(i.id, i.org_id, i.status, i.role) for i in user.invitations] == [(pending, other, "pending", "admin")]
    assert [m.org_id for m in user.memberships] == [org_id]


def test_user_lookup_shows_team_memberships_of_live_teams_with_their_roles() -> None:
    from orgplane.models.teams import CreateTeam, PutTeamMember
    from orgplane.services import teams

    org_id = create("Acme", "acme")
    world.add_member(org_id, "bob")
    alice = world.caller("alice")
    kept, gone = (teams.create(alice, org_id, CreateTeam(name=name)).id for name in ("Platform", "Gone"))
    team_members.put_member(alice, org_id, kept, "bob", PutTeamMember(role="maintainer"))
    team_members.put_member(alice, org_id, gone, "bob", PutTeamMember())
    teams.delete(alice, org_id, gone)
    [membership] = admin.get_user(sam, "bob").team_memberships
    assert (membership.org_id, membership.team_id, membership.role) == (org_id, kept, "maintainer")
    assert membership.added_at


def test_user_lookup_of_someone_unknown_is_404() -> None:
    create("Acme", "acme")
    assert code_of(lambda: admin.get_user(sam, "nobody")) == "not_found"


def test_user_lookup_of_a_former_member_shows_nothing_held() -> None:
    org_id = create("Acme", "acme")
    world.add_member(org_id, "bob")
    members.remove_member(bob, org_id, "me")
    user = admin.get_user(sam, "bob")
    assert user.memberships == [] and user.invitations == [] and user.team_memberships == []


def test_me_stands_for_the_support_callers_own_user() -> None:
    orgs.create(sam, CreateOrg(name="Support HQ", slug="hq"))
    assert [m.org_slug for m in admin.get_user(sam, "me").memberships] == ["hq"]


# --- GET /admin/users?email= --------------------------------------------------------------------


def test_user_search_finds_distinct_users_by_email_prefix() -> None:
    first = create("Acme", "acme")
    second = create("Globex", "globex", owner="bob")
    world.add_member(second, "alice")
    world.add_member(first, "alison")
    page = admin.find_users(sam, FindUsersQuery(email="ALI"))
    assert [(u.user_id, sorted(u.org_ids)) for u in page.data] == [
        ("alice", sorted([first, second])), ("alison", [first])]
    assert [u.user_id for u in admin.find_users(sam, FindUsersQuery(email="alice@")).data] == ["alice"]


def test_user_search_treats_underscore_and_percent_literally() -> None:
    org_id = create("Acme", "acme")
    world.add_member(org_id, "a_b")
    world.add_member(org_id, "axb")
    assert [u.user_id for u in admin.find_users(sam, FindUsersQuery(email="a_")).data] == ["a_b"]
    assert admin.find_users(sam, FindUsersQuery(email="%")).data == []


def test_user_search_paginates_by_user_not_by_membership() -> None:
    orgs_ = [create(f"Org {n}", f"org-{n}") for n in range(3)]
    for n in range(5):
        for org_id in orgs_:
            world.add_member(org_id, f"user{n}")
    walked = walk(lambda cursor: admin.find_users(sam, FindUsersQuery(email="user", limit=2, cursor=cursor)))
    assert all(len(page) <= 2 for page in walked)
    assert all(len(u.org_ids) == 3 for page in walked for u in page)
    assert [u.user_id for page in walked for u in page] == [f"user{n}" for n in range(5)]


def test_user_search_leaves_out_members_of_deleted_orgs() -> None:
    org_id = create("Acme", "acme")
    world.add_member(org_id, "bob")
    orgs.delete(alice, org_id)
    assert admin.find_users(sam, FindUsersQuery(email="bob")).data == []


# --- the activity log ---------------------------------------------------------------------------


def test_org_audit_is_newest_first_and_needs_audit_read() -> None:
    org_id = create("Acme", "acme")
    world.add_member(org_id, "bob")
    orgs.update(alice, org_id, UpdateOrg(name="Acme 2"))
    members.update_member(alice, org_id, "bob", UpdateMember(role="admin"))
    actions = [e.action for e in audit_queries.list_for_org(alice, org_id, OrgAuditQuery()).data]
    assert actions == ["member.role_changed", "org.updated", "member.added", "org.created"]
    world.add_member(org_id, "carol")
    assert code_of(lambda: audit_queries.list_for_org(world.caller("carol"), org_id, OrgAuditQuery())) == "forbidden"
    assert code_of(lambda: audit_queries.list_for_org(world.caller("dave"), org_id, OrgAuditQuery())) == "org_not_found"


def test_a_custom_role_with_audit_read_reads_the_org_audit() -> None:
    settings_admin.patch(sam, UpdateSettings.model_validate(
        {"roles": {"auditor": {"permissions": ["org:read", "audit:read"]}}}))
    org_id = create("Acme", "acme")
    world.add_member(org_id, "bob", role="auditor")
    assert [e.action for e in audit_queries.list_for_org(bob, org_id, OrgAuditQuery()).data] == ["member.added", "org.created"]


def test_audit_events_carry_the_full_event_object() -> None:
    org_id = create("Acme", "acme")
    event = audit_queries.list_for_org(alice, org_id, OrgAuditQuery()).data[1]
    assert event.id.startswith("evt_") and event.org_id == org_id and event.action == "org.created"
    assert event.actor.model_dump() == {"type": "user", "user_id": "alice", "client_id": None,
                                        "email": "alice@example.com", "support": False}
    assert event.target.model_dump() == {"type": "org", "id": org_id}
    assert event.at.endswith("Z") and event.request_id == "req-alice"
    assert event.details == {"name": "Acme", "slug": "acme"}


def test_org_audit_filters_by_action_and_action_family() -> None:
    org_id = create("Acme", "acme")
    for n in range(3):
        world.add_member(org_id, f"user{n}")
        members.update_member(alice, org_id, f"user{n}", UpdateMember(role="admin"))
    members.remove_member(alice, org_id, "user0")
    exact = audit_queries.list_for_org(alice, org_id, OrgAuditQuery(action="member.removed")).data
    assert [e.target.id for e in exact] == ["user0"]
    family = audit_queries.list_for_org(alice, org_id, OrgAuditQuery(action="member.*")).data
    assert [e.action for e in family] == ["member.removed"] + ["member.role_changed"] * 3 + ["member.added"]


def test_filtered_audit_pages_are_full_and_never_skip_or_repeat() -> None:
    org_id = create("Acme", "acme")
    for n in range(7):
        world.add_member(org_id, f"user{n}")
        members.update_member(alice, org_id, f"user{n}", UpdateMember(role="admin"))
        orgs.update(alice, org_id, UpdateOrg(name=f"Acme {n}"))
    walked = walk(lambda cursor: audit_queries.list_for_org(
        alice, org_id, OrgAuditQuery(action="member.role_changed", limit=3, cursor=cursor)))
    assert all(len(page) == 3 for page in walked[:-1])
    assert [e.target.id for page in walked for e in page] == [f"user{n}" for n in reversed(range(7))]


def test_app_audit_lists_every_org_and_app_level_event_newest_first() -> None:
    first = create("Acme", "acme")
    settings_admin.patch(sam, UpdateSettings(max_orgs_per_user=9))
    second = create("Globex", "globex", owner="bob")
    events = audit_queries.list_for_app(sam, AppAuditQuery()).data
    assert [(e.action, e.org_id) for e in events] == [
        ("member.added", second), ("org.created", second), ("settings.updated", None),
        ("member.added", first), ("org.created", first)]


def test_app_audit_filters_by_org_actor_and_action() -> None:
    first = create("Acme", "acme")
    second = create("Globex", "globex", owner="bob")
    world.add_member(first, "bob")
    members.update_member(sam, first, "bob", UpdateMember(role="admin"))
    members.remove_member(bob, first, "me")
    by_org = audit_queries.list_for_app(sam, AppAuditQuery(org_id=second)).data
    assert [e.action for e in by_org] == ["member.added", "org.created"]
    by_actor = audit_queries.list_for_app(sam, AppAuditQuery(actor="bob")).data
    assert [(e.action, e.org_id) for e in by_actor] == [
        ("member.left", first), ("member.added", second), ("org.created", second)]
    by_support = audit_queries.list_for_app(sam, AppAuditQuery(actor="me")).data
    assert [(e.action, e.actor.support) for e in by_support] == [("member.role_changed", True)]
    both = audit_queries.list_for_app(sam, AppAuditQuery(org_id=first, actor="bob", action="member.*")).data
    assert [e.action for e in both] == ["member.left"]


def test_an_audit_cursor_is_bound_to_its_filters() -> None:
    for n in range(3):
        create(f"Org {n}", f"org-{n}")
    cursor = audit_queries.list_for_app(sam, AppAuditQuery(limit=1)).next_cursor
    assert cursor
    assert len(audit_queries.list_for_app(sam, AppAuditQuery(limit=1, cursor=cursor)).data) == 1
    assert code_of(lambda: audit_queries.list_for_app(sam, AppAuditQuery(action="org.created", cursor=cursor))) == \
        "validation_error"


def test_support_changes_are_audited_as_support() -> None:
    org_id = create("Acme", "acme")
    world.add_member(org_id, "bob")
    members.remove_member(sam, org_id, "bob")
    event = audit_queries.list_for_org(alice, org_id, OrgAuditQuery(action="member.removed")).data[0]
    assert event.actor.user_id == "sam" and event.actor.support is True


def test_the_audit_of_a_deleted_org_stays_readable_to_support() -> None:
    org_id = create("Acme", "acme")
    orgs.delete(alice, org_id)
    assert [e.action for e in audit_queries.list_for_app(sam, AppAuditQuery(org_id=org_id)).data] == [
        "org.deleted", "member.added", "org.created"]
    assert code_of(lambda: audit_queries.list_for_org(alice, org_id, OrgAuditQuery())) == "org_not_found"


def test_audit_reads_use_no_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    create("Acme", "acme")
    calls: list[str] = []
    original = table._call

    def spy(operation: str, **kwargs: Any) -> Any:
        calls.append(operation)
        return original(operation, **kwargs)

    monkeypatch.setattr(table, "_call", spy)
    audit_queries.list_for_app(sam, AppAuditQuery())
    admin.list_orgs(sam, AdminOrgsQuery(q="ac"))
    admin.find_users(sam, FindUsersQuery(email="a"))
    admin.get_user(sam, "alice")
    assert calls and set(calls) <= {"query", "get_item", "batch_get_item"}
