"""Organizations and memberships through the local server (DESIGN sections 5 and 6): the first-run
journey, slugs, ``/me``, permissions per role, member routes, no escalation, the last owner, the org
limit, and 404 (never data) for members of other orgs and callers of another app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest

from tests.http.client import Client
from tests.http.expect import assert_problem, ok, unique

ALL_PERMISSIONS = {
    "org:read", "org:update", "org:delete", "member:read", "member:invite", "member:update",
    "member:remove", "invitation:read", "invitation:revoke", "team:create", "team:update",
    "team:delete", "team:member:manage", "audit:read", "domain:manage",
}
ROLE_PERMISSIONS = {
    "owner": ALL_PERMISSIONS,
    "admin": ALL_PERMISSIONS - {"org:delete"},
    "member": {"org:read", "member:read"},
}
ORG_FIELDS = {"id", "name", "slug", "metadata", "member_count", "pending_invitation_count", "team_count",
              "domain_join", "created_by", "created_at", "updated_at"}
MEMBER_FIELDS = {"org_id", "user_id", "email", "role", "joined_at", "updated_at"}
SETTINGS_CACHE_SECONDS = 30  # services/settings.py caches app settings per container on the product clock


class User(NamedTuple):
    sub: str
    token: str


def new_user(api: Client, prefix: str = "user", app: str = "demo", **claims: Any) -> User:
    sub = unique(prefix)
    return User(sub, api.token(app=app, sub=sub, **claims))


def create_org(api: Client, owner: User, name: str = "Acme", slug: str | None = None) -> dict[str, Any]:
    return dict(ok(api.post("/orgs", token=owner.token, json={"name": name, "slug": slug or unique("acme")}), 201))


def join(api: Client, org_id: str, inviter: User, role: str = "member", prefix: str = "member") -> User:
    """A fresh user who became a member the only way there is: invited, then accepted in-app."""
    user = new_user(api, prefix)
    invitation = ok(api.post(f"/orgs/{org_id}/invitations", token=inviter.token,
                             json={"email": f"{user.sub}@example.com", "role": role}), 201)
    member = ok(api.post(f"/invitations/{invitation['id']}/accept", token=user.token))
    assert (member["user_id"], member["role"]) == (user.sub, role), member
    return user


def role_of(api: Client, org_id: str, viewer: User, user_id: str) -> str:
    return str(ok(api.get(f"/orgs/{org_id}/members/{user_id}", token=viewer.token))["role"])


def my_org_ids(api: Client, user: User) -> list[str]:
    return [o["id"] for o in ok(api.get("/orgs?limit=100", token=user.token))["data"]]


class Org(NamedTuple):
    id: str
    owner: User
    admin: User
    member: User


@pytest.fixture
def org(api: Client) -> Org:
    """An org with one owner, one admin and one member (the server is shared: fresh users per test)."""
    owner = new_user(api, "owner")
    org_id = create_org(api, owner)["id"]
    return Org(org_id, owner, join(api, org_id, owner, "admin", "admin"), join(api, org_id, owner))


# ---------------------------------------------------------------- the first-run journey


def test_a_new_user_creates_lists_changes_and_deletes_an_org_that_nobody_else_can_see(api: Client) -> None:
    alice = new_user(api, "alice")
    slug = unique("acme")
    created = ok(api.post("/orgs", token=alice.token, json={"name": "Acme", "slug": slug}), 201)
    assert set(created) == ORG_FIELDS, created
    assert created["id"].startswith("org_")
    assert (created["name"], created["slug"], created["metadata"], created["created_by"]) == (
        "Acme", slug, {}, alice.sub)
    assert (created["member_count"], created["pending_invitation_count"], created["team_count"]) == (1, 0, 0)
    assert created["created_at"].endswith("Z") and created["updated_at"].endswith("Z")
    org_path = f"/orgs/{created['id']}"

    listed = ok(api.get("/orgs", token=alice.token))
    assert [(o["id"], o["role"]) for o in listed["data"]] == [(created["id"], "owner")]
    assert listed["next_cursor"] is None

    new_slug = unique("acme-corp")
    changed = ok(api.patch(org_path, token=alice.token, json={"name": "Acme Corp", "slug": new_slug}))
    assert (changed["id"], changed["name"], changed["slug"]) == (created["id"], "Acme Corp", new_slug)
    assert changed["updated_at"] >= created["updated_at"] and changed["created_at"] == created["created_at"]
    assert ok(api.get(org_path, token=alice.token)) == changed

    bob = new_user(api, "bob")
    alice_in_other_app = api.token(app="other", sub=alice.sub)  # the same sub in another app is another user
    for stranger in (bob.token, alice_in_other_app):
        assert_problem(api.get(org_path, token=stranger), 404, "org_not_found")
        assert_problem(api.patch(org_path, token=stranger, json={"name": "Mine"}), 404, "org_not_found")
        assert_problem(api.delete(org_path, token=stranger), 404, "org_not_found")
        assert ok(api.get("/orgs", token=stranger))["data"] == []
    assert ok(api.get(org_path, token=alice.token)) == changed

    deleted = api.delete(org_path, token=alice.token)
    assert deleted.status == 204 and deleted.json is None, deleted
    assert_problem(api.get(org_path, token=alice.token), 404, "org_not_found")
    assert ok(api.get("/orgs", token=alice.token))["data"] == []


# ---------------------------------------------------------------- slugs


def test_a_taken_slug_is_409_slug_taken_on_create_and_on_rename(api: Client) -> None:
    owner = new_user(api, "owner")
    first = create_org(api, owner)
    assert_problem(api.post("/orgs", token=new_user(api).token, json={"name": "Copy", "slug": first["slug"]}),
                   409, "slug_taken")
    second = create_org(api, owner)
    assert_problem(api.patch(f"/orgs/{second['id']}", token=owner.token, json={"slug": first["slug"]}),
                   409, "slug_taken")
    assert ok(api.get(f"/orgs/{second['id']}", token=owner.token))["slug"] == second["slug"]
    assert sorted(my_org_ids(api, owner)) == sorted([first["id"], second["id"]])


def test_a_renamed_orgs_old_slug_is_free_at_once(api: Client) -> None:
    owner = new_user(api, "owner")
    first = create_org(api, owner)
    ok(api.patch(f"/orgs/{first['id']}", token=owner.token, json={"slug": unique("renamed")}))
    reused = create_org(api, new_user(api), slug=first["slug"])
    assert reused["slug"] == first["slug"] and reused["id"] != first["id"]


def test_a_deleted_orgs_slug_can_be_reused(api: Client) -> None:
    owner = new_user(api, "owner")
    gone = create_org(api, owner)
    assert api.delete(f"/orgs/{gone['id']}", token=owner.token).status == 204
    again = create_org(api, owner, name="Acme again", slug=gone["slug"])
    assert again["id"] != gone["id"] and again["slug"] == gone["slug"]
    assert my_org_ids(api, owner) == [again["id"]]


def test_a_slug_is_unique_per_app_only(api: Client) -> None:
    demo = create_org(api, new_user(api, "owner"))
    other = create_org(api, new_user(api, "owner", app="other"), slug=demo["slug"])
    assert other["slug"] == demo["slug"] and other["id"] != demo["id"]


# ---------------------------------------------------------------- /me and permissions


def test_me_is_the_callers_identity_in_the_callers_app(api: Client) -> None:
    sub = unique("me")
    for app in ("demo", "other"):
        me = ok(api.get("/me", token=api.token(app=app, sub=sub, email=f"{sub}@example.com")))
        assert me == {"user_id": sub, "email": f"{sub}@example.com", "app_id": app, "support": False,
                      "type": "user"}


def test_permissions_are_the_built_in_set_of_the_callers_role(api: Client, org: Org) -> None:
    for role, caller in (("owner", org.owner), ("admin", org.admin), ("member", org.member)):
        shown = ok(api.get(f"/orgs/{org.id}/permissions", token=caller.token))
        assert shown["role"] == role
        assert len(shown["permissions"]) == len(set(shown["permissions"])), shown
        assert set(shown["permissions"]) == ROLE_PERMISSIONS[role], shown
        assert shown["teams"] == []


def test_an_admin_changes_the_org_but_cannot_delete_it_and_a_member_can_do_neither(api: Client, org: Org) -> None:
    path = f"/orgs/{org.id}"
    assert ok(api.patch(path, token=org.admin.token, json={"name": "Renamed by admin"}))["name"] == "Renamed by admin"
    assert_problem(api.delete(path, token=org.admin.token), 403, "forbidden")
    assert_problem(api.patch(path, token=org.member.token, json={"name": "Renamed by member"}), 403, "forbidden")
    assert_problem(api.delete(path, token=org.member.token), 403, "forbidden")
    shown = ok(api.get(path, token=org.member.token))
    assert (shown["name"], shown["member_count"]) == ("Renamed by admin", 3)


# ---------------------------------------------------------------- member routes


def test_members_list_pages_with_limit_and_cursor_until_every_member_was_seen(api: Client) -> None:
    owner = new_user(api, "owner")
    org_id = create_org(api, owner)["id"]
    joined = [join(api, org_id, owner) for _ in range(4)]
    expected = {owner.sub, *(u.sub for u in joined)}

    seen: list[dict[str, Any]] = []
    sizes: list[int] = []
    cursor: str | None = None
    for _ in range(10):
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = ok(api.get(f"/orgs/{org_id}/members{query}", token=joined[0].token))
        seen += page["data"]
        sizes.append(len(page["data"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert cursor is None, "the walk did not end"
    assert sizes == [2, 2, 1]
    assert sorted(m["user_id"] for m in seen) == sorted(expected)
    assert all(set(m) == MEMBER_FIELDS and m["org_id"] == org_id for m in seen), seen
    assert {m["user_id"]: m["role"] for m in seen}[owner.sub] == "owner"


def test_members_list_filters_by_role(api: Client, org: Org) -> None:
    for role, user in (("owner", org.owner), ("admin", org.admin), ("member", org.member)):
        listed = ok(api.get(f"/orgs/{org.id}/members?role={role}", token=org.member.token))
        assert [m["user_id"] for m in listed["data"]] == [user.sub]


def test_a_limit_outside_1_to_100_is_400(api: Client) -> None:
    owner = new_user(api, "owner")
    org_id = create_org(api, owner)["id"]
    for query in ("limit=0", "limit=101", "limit=ten"):
        assert_problem(api.get(f"/orgs/{org_id}/members?{query}", token=owner.token), 400, "validation_error",
                       "limit")
    assert len(ok(api.get(f"/orgs/{org_id}/members?limit=100", token=owner.token))["data"]) == 1


def test_a_forged_or_foreign_members_cursor_is_400(api: Client, org: Org) -> None:
    foreign = ok(api.get(f"/orgs/{org.id}/members?limit=1", token=org.owner.token))["next_cursor"]
    assert foreign
    other_org = create_org(api, org.owner)["id"]
    assert_problem(api.get(f"/orgs/{other_org}/members?cursor={foreign}", token=org.owner.token), 400,
                   "validation_error", "cursor")
    tampered = ("f" if foreign[0] != "f" else "e") + foreign[1:]  # one changed byte of the position it holds
    assert_problem(api.get(f"/orgs/{org.id}/members?cursor={tampered}", token=org.owner.token), 400,
                   "validation_error", "cursor")
    assert_problem(api.get(f"/orgs/{org.id}/members?cursor=not-a-cursor", token=org.owner.token), 400,
                   "validation_error", "cursor")


def test_a_member_reads_another_member_and_themselves_as_me(api: Client, org: Org) -> None:
    owner = ok(api.get(f"/orgs/{org.id}/members/{org.owner.sub}", token=org.member.token))
    assert set(owner) == MEMBER_FIELDS
    assert (owner["org_id"], owner["user_id"], owner["email"], owner["role"]) == (
        org.id, org.owner.sub, f"{org.owner.sub}@example.com", "owner")
    me = ok(api.get(f"/orgs/{org.id}/members/me", token=org.member.token))
    assert me == ok(api.get(f"/orgs/{org.id}/members/{org.member.sub}", token=org.member.token))
    assert (me["user_id"], me["role"]) == (org.member.sub, "member")


def test_a_user_who_is_not_a_member_is_404_member_not_found(api: Client) -> None:
    owner = new_user(api, "owner")
    path = f"/orgs/{create_org(api, owner)['id']}/members/{unique('nobody')}"
    assert_problem(api.get(path, token=owner.token), 404, "member_not_found")
    assert_problem(api.patch(path, token=owner.token, json={"role": "admin"}), 404, "member_not_found")
    assert_problem(api.delete(path, token=owner.token), 404, "member_not_found")


def test_a_member_of_another_org_under_this_orgs_path_is_404_member_not_found(api: Client) -> None:
    owner = new_user(api, "owner")
    org_id = create_org(api, owner)["id"]
    elsewhere = create_org(api, new_user(api, "owner"))
    path = f"/orgs/{org_id}/members/{elsewhere['created_by']}"
    assert_problem(api.get(path, token=owner.token), 404, "member_not_found")
    assert_problem(api.patch(path, token=owner.token, json={"role": "admin"}), 404, "member_not_found")
    assert_problem(api.delete(path, token=owner.token), 404, "member_not_found")
    assert ok(api.get(f"/orgs/{elsewhere['id']}", token=api.token(sub=elsewhere["created_by"])))["member_count"] == 1


def test_an_owner_changes_a_role_and_it_takes_effect_on_the_next_request(api: Client, org: Org) -> None:
    changed = ok(api.patch(f"/orgs/{org.id}/members/{org.member.sub}", token=org.owner.token,
                           json={"role": "admin"}))
    assert (changed["user_id"], changed["role"], changed["org_id"]) == (org.member.sub, "admin", org.id)
    assert set(changed) == MEMBER_FIELDS
    shown = ok(api.get(f"/orgs/{org.id}/permissions", token=org.member.token))
    assert (shown["role"], set(shown["permissions"])) == ("admin", ROLE_PERMISSIONS["admin"])
    assert role_of(api, org.id, org.owner, org.member.sub) == "admin"


def test_an_admin_grants_admin_but_not_owner(api: Client, org: Org) -> None:
    path = f"/orgs/{org.id}/members/{org.member.sub}"
    assert_problem(api.patch(path, token=org.admin.token, json={"role": "owner"}), 403, "forbidden")
    assert role_of(api, org.id, org.owner, org.member.sub) == "member"
    assert ok(api.patch(path, token=org.admin.token, json={"role": "admin"}))["role"] == "admin"


def test_an_admin_cannot_make_themselves_owner(api: Client, org: Org) -> None:
    assert_problem(api.patch(f"/orgs/{org.id}/members/me", token=org.admin.token, json={"role": "owner"}), 403,
                   "forbidden")
    assert role_of(api, org.id, org.owner, org.admin.sub) == "admin"


def test_an_admin_can_neither_demote_nor_remove_an_owner(api: Client, org: Org) -> None:
    path = f"/orgs/{org.id}/members/{org.owner.sub}"
    assert_problem(api.patch(path, token=org.admin.token, json={"role": "member"}), 403, "forbidden")
    assert_problem(api.delete(path, token=org.admin.token), 403, "forbidden")
    assert role_of(api, org.id, org.owner, org.owner.sub) == "owner"


def test_a_member_can_neither_change_roles_nor_remove_others(api: Client, org: Org) -> None:
    path = f"/orgs/{org.id}/members/{org.admin.sub}"
    assert_problem(api.patch(path, token=org.member.token, json={"role": "member"}), 403, "forbidden")
    assert_problem(api.patch(f"/orgs/{org.id}/members/me", token=org.member.token, json={"role": "admin"}), 403,
                   "forbidden")
    assert_problem(api.delete(path, token=org.member.token), 403, "forbidden")
    assert role_of(api, org.id, org.owner, org.admin.sub) == "admin"
    assert role_of(api, org.id, org.owner, org.member.sub) == "member"


def test_an_unknown_role_is_403_without_member_update_and_400_with_it(api: Client, org: Org) -> None:
    path = f"/orgs/{org.id}/members/{org.admin.sub}"
    assert_problem(api.patch(path, token=org.member.token, json={"role": "no-such-role"}), 403, "forbidden")
    assert_problem(api.patch(path, token=org.owner.token, json={"role": "no-such-role"}), 400, "validation_error")
    assert role_of(api, org.id, org.owner, org.admin.sub) == "admin"


def test_a_role_that_is_not_one_role_name_is_400_and_changes_nothing(api: Client, org: Org) -> None:
    for role in ("admin,owner", "", ["admin"], None, "Admin", {"name": "admin"}):
        assert_problem(api.patch(f"/orgs/{org.id}/members/{org.member.sub}", token=org.owner.token,
                                 json={"role": role}), 400, "validation_error")
    assert_problem(api.patch(f"/orgs/{org.id}/members/{org.member.sub}", token=org.owner.token, json={}), 400,
                   "validation_error")
    assert role_of(api, org.id, org.owner, org.member.sub) == "member"


# ---------------------------------------------------------------- the last owner


def test_the_last_owner_can_neither_leave_nor_be_demoted_nor_be_removed(api: Client, org: Org) -> None:
    mine = f"/orgs/{org.id}/members/me"
    by_id = f"/orgs/{org.id}/members/{org.owner.sub}"
    assert_problem(api.patch(mine, token=org.owner.token, json={"role": "admin"}), 409, "last_owner")
    assert_problem(api.patch(by_id, token=org.owner.token, json={"role": "member"}), 409, "last_owner")
    assert_problem(api.delete(mine, token=org.owner.token), 409, "last_owner")
    assert_problem(api.delete(by_id, token=org.owner.token), 409, "last_owner")
    support = api.token(sub=unique("support"), groups=["support"])  # passes every permission check
    assert_problem(api.delete(by_id, token=support), 409, "last_owner")
    assert_problem(api.patch(by_id, token=support, json={"role": "admin"}), 409, "last_owner")
    assert role_of(api, org.id, org.owner, org.owner.sub) == "owner"
    assert ok(api.get(f"/orgs/{org.id}", token=org.owner.token))["member_count"] == 3


def test_with_a_second_owner_the_first_may_leave_and_the_second_is_then_the_last(api: Client, org: Org) -> None:
    ok(api.patch(f"/orgs/{org.id}/members/{org.admin.sub}", token=org.owner.token, json={"role": "owner"}))
    assert api.delete(f"/orgs/{org.id}/members/me", token=org.owner.token).status == 204
    assert_problem(api.get(f"/orgs/{org.id}", token=org.owner.token), 404, "org_not_found")
    assert_problem(api.delete(f"/orgs/{org.id}/members/me", token=org.admin.token), 409, "last_owner")
    assert_problem(api.patch(f"/orgs/{org.id}/members/me", token=org.admin.token, json={"role": "member"}), 409,
                   "last_owner")


def test_only_an_owner_demotes_another_owner(api: Client, org: Org) -> None:
    ok(api.patch(f"/orgs/{org.id}/members/{org.member.sub}", token=org.owner.token, json={"role": "owner"}))
    assert_problem(api.patch(f"/orgs/{org.id}/members/{org.member.sub}", token=org.admin.token,
                             json={"role": "member"}), 403, "forbidden")
    demoted = ok(api.patch(f"/orgs/{org.id}/members/{org.member.sub}", token=org.owner.token,
                           json={"role": "member"}))
    assert demoted["role"] == "member"


# ---------------------------------------------------------------- leaving and removal


def test_a_member_who_leaves_gets_204_and_then_404(api: Client, org: Org) -> None:
    left = api.delete(f"/orgs/{org.id}/members/me", token=org.member.token)
    assert left.status == 204 and left.json is None, left
    assert_problem(api.get(f"/orgs/{org.id}", token=org.member.token), 404, "org_not_found")
    assert_problem(api.get(f"/orgs/{org.id}/members/me", token=org.member.token), 404, "org_not_found")
    assert org.id not in my_org_ids(api, org.member)
    assert_problem(api.get(f"/orgs/{org.id}/members/{org.member.sub}", token=org.owner.token), 404,
                   "member_not_found")
    assert ok(api.get(f"/orgs/{org.id}", token=org.owner.token))["member_count"] == 2


def test_an_admin_removes_a_member_who_then_gets_404(api: Client, org: Org) -> None:
    assert api.delete(f"/orgs/{org.id}/members/{org.member.sub}", token=org.admin.token).status == 204
    assert_problem(api.get(f"/orgs/{org.id}/members", token=org.member.token), 404, "org_not_found")
    listed = ok(api.get(f"/orgs/{org.id}/members", token=org.owner.token))["data"]
    assert sorted(m["user_id"] for m in listed) == sorted([org.owner.sub, org.admin.sub])


# ---------------------------------------------------------------- isolation


def member_routes(org: Org) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    base = f"/orgs/{org.id}"
    yield "GET", f"{base}/permissions", None
    yield "GET", f"{base}/members", None
    for user_id in (org.member.sub, org.owner.sub, "me"):
        yield "GET", f"{base}/members/{user_id}", None
        yield "PATCH", f"{base}/members/{user_id}", {"role": "admin"}
        yield "DELETE", f"{base}/members/{user_id}", None


def test_every_member_route_is_404_for_a_member_of_another_org_and_for_another_app(api: Client, org: Org) -> None:
    outsider = new_user(api, "outsider")
    create_org(api, outsider)  # a member (the owner, even) of another org of the same app
    strangers = {"member of another org": outsider.token,
                 "owner's sub in app other": api.token(app="other", sub=org.owner.sub),
                 "member's sub in app other": api.token(app="other", sub=org.member.sub)}
    before = sorted((m["user_id"], m["role"])
                    for m in ok(api.get(f"/orgs/{org.id}/members", token=org.owner.token))["data"])
    for label, token in strangers.items():
        for method, path, body in member_routes(org):
            response = api.request(method, path, token=token, json=body)
            problem = assert_problem(response, 404, "org_not_found")
            assert org.owner.sub not in problem["detail"] and org.member.sub not in problem["detail"], (label, problem)
    after = sorted((m["user_id"], m["role"])
                   for m in ok(api.get(f"/orgs/{org.id}/members", token=org.owner.token))["data"])
    assert after == before


# ---------------------------------------------------------------- the org limit


@pytest.fixture
def other_app_org_limit(api: Client) -> Iterator[int]:
    """``max_orgs_per_user = 1`` in app ``other`` for one test, then what it was before.

    App settings are app-wide, but each pytest(-xdist) worker has its own server and runs its tests one
    by one, so no other test sees the limit. Containers cache settings for 30 s of the product clock:
    the clock is moved past that after setting the limit and again after restoring it.
    """
    support = api.token(app="other", sub=unique("support"), groups=["support"])
    previous = ok(api.get("/admin/settings", token=support))["max_orgs_per_user"]
    ok(api.patch("/admin/settings", token=support, json={"max_orgs_per_user": 1}))
    api.advance_clock(SETTINGS_CACHE_SECONDS + 1)
    try:
        yield 1
    finally:
        support = api.token(app="other", sub=unique("support"), groups=["support"])
        ok(api.patch("/admin/settings", token=support, json={"max_orgs_per_user": previous}))
        api.advance_clock(SETTINGS_CACHE_SECONDS + 1)


def test_a_user_at_the_org_limit_gets_409_on_create_and_on_joining(api: Client, other_app_org_limit: int) -> None:
    carol = new_user(api, "carol", app="other")
    create_org(api, carol)
    assert_problem(api.post("/orgs", token=carol.token, json={"name": "Second", "slug": unique("second")}), 409,
                   "org_limit_reached")
    assert len(my_org_ids(api, carol)) == other_app_org_limit

    dave = new_user(api, "dave", app="other")
    dave_org = create_org(api, dave)
    invitation = ok(api.post(f"/orgs/{dave_org['id']}/invitations", token=dave.token,
                             json={"email": f"{carol.sub}@example.com"}), 201)
    assert_problem(api.post(f"/invitations/{invitation['id']}/accept", token=carol.token), 409,
                   "org_limit_reached")
    assert ok(api.get(f"/orgs/{dave_org['id']}", token=dave.token))["member_count"] == 1
    assert len(my_org_ids(api, carol)) == other_app_org_limit
    demo_user = new_user(api, "erin")  # the limit is app `other`'s, not app demo's
    create_org(api, demo_user)
    create_org(api, demo_user)
    assert len(my_org_ids(api, demo_user)) == 2
