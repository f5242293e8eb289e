"""Soft delete and restore through the local server (DESIGN section 13), the issue's journey: an org with 30
members, 3 teams and 5 pending invitations is deleted, is 404 for everyone, is listed under
``deleted=true``, and is restored by support with every member, team and invitation back and exact counts;
with ``org_restore_days: 0`` deletion purges as before."""

from __future__ import annotations

from typing import Any

from tests.http.client import Client
from tests.http.expect import assert_problem, ok, unique
from tests.http.test_orgs_members_http import (
    SETTINGS_CACHE_SECONDS,
    User,
    create_org,
    join,
    my_org_ids,
    new_user,
)


def everything(api: Client, org_id: str, viewer: User) -> dict[str, Any]:
    org = ok(api.get(f"/orgs/{org_id}", token=viewer.token))
    return {
        "counts": (org["member_count"], org["team_count"], org["pending_invitation_count"], org["slug"]),
        "members": sorted((m["user_id"], m["role"]) for m in
                          ok(api.get(f"/orgs/{org_id}/members?limit=100", token=viewer.token))["data"]),
        "teams": sorted((t["id"], t["name"], t["member_count"]) for t in
                        ok(api.get(f"/orgs/{org_id}/teams", token=viewer.token))["data"]),
        "invitations": sorted((i["id"], i["email"], i["status"]) for i in
                              ok(api.get(f"/orgs/{org_id}/invitations?status=pending", token=viewer.token))["data"]),
    }


def deleted_listing(api: Client, support: str, slug: str) -> list[dict[str, Any]]:
    return list(ok(api.get(f"/admin/orgs?deleted=true&q={slug}", token=support))["data"])


def test_an_org_deleted_by_mistake_comes_back_whole(api: Client) -> None:
    alice = new_user(api, "alice")
    org = create_org(api, alice)
    org_id, slug = str(org["id"]), str(org["slug"])
    people = [join(api, org_id, alice, role="admin" if n == 0 else "member") for n in range(29)]
    team_ids = [ok(api.post(f"/orgs/{org_id}/teams", token=alice.token, json={"name": f"Team {n}"}), 201)["id"]
                for n in range(3)]
    for n, team_id in enumerate(team_ids):
        for person in people[n * 3:(n + 1) * 3]:
            ok(api.put(f"/orgs/{org_id}/teams/{team_id}/members/{person.sub}", token=alice.token, json={}))
    invitees = [new_user(api, "guest") for _ in range(5)]
    invitation_ids = [ok(api.post(f"/orgs/{org_id}/invitations", token=alice.token,
                                  json={"email": f"{guest.sub}@example.com"}), 201)["id"] for guest in invitees]
    before = everything(api, org_id, alice)
    assert before["counts"] == (30, 3, 5, slug)
    support = api.token(sub=unique("support"), groups=["support"])

    assert api.delete(f"/orgs/{org_id}", token=alice.token).status == 204
    api.drain()
    # gone for everyone at once: owner, admin, member, support; the invitations' links and lists too
    for token in (alice.token, people[0].token, people[5].token, support):
        assert_problem(api.get(f"/orgs/{org_id}", token=token), 404, "org_not_found")
    assert org_id not in my_org_ids(api, people[5])
    assert ok(api.get("/invitations", token=invitees[0].token))["data"] == []
    assert_problem(api.post(f"/invitations/{invitation_ids[0]}/accept", token=invitees[0].token), 404,
                   "invitation_not_found")
    # the slug is free at once
    squatter = create_org(api, new_user(api, "squatter"), slug=slug)
    listed = deleted_listing(api, support, slug)
    assert [(o["id"], o["member_count"], o["team_count"], o["pending_invitation_count"]) for o in listed] == [
        (org_id, 30, 3, 5)]
    assert listed[0]["deleted_at"] < listed[0]["purge_at"]
    assert_problem(api.get("/admin/orgs?deleted=true", token=alice.token), 403, "forbidden")
    assert_problem(api.post(f"/admin/orgs/{org_id}/restore", token=alice.token, json={}), 403, "forbidden")

    # the slug was taken meanwhile: 409, unless support gives a new one
    assert_problem(api.post(f"/admin/orgs/{org_id}/restore", token=support, json={}), 409, "slug_taken")
    assert squatter["slug"] == slug
    restored = ok(api.post(f"/admin/orgs/{org_id}/restore", token=support, json={"slug": f"{slug}-back"}))
    assert (restored["id"], restored["slug"], restored["member_count"]) == (org_id, f"{slug}-back", 30)
    api.drain()
    after = everything(api, org_id, alice)
    assert after == {**before, "counts": (30, 3, 5, f"{slug}-back")}
    assert org_id in my_org_ids(api, people[5])
    assert [i["org_id"] for i in ok(api.get("/invitations", token=invitees[0].token))["data"]] == [org_id]
    assert ok(api.post(f"/invitations/{invitation_ids[0]}/accept", token=invitees[0].token))["org_id"] == org_id
    assert deleted_listing(api, support, slug) == []
    actions = [e["action"] for e in ok(api.get(f"/orgs/{org_id}/audit?action=org.*", token=alice.token))["data"]]
    assert actions[:2] == ["org.restored", "org.deleted"]


def test_with_org_restore_days_zero_deletion_purges_as_before(api: Client) -> None:
    support = api.token(app="other", sub=unique("support"), groups=["support"])
    previous = ok(api.get("/admin/settings", token=support))["org_restore_days"]
    ok(api.patch("/admin/settings", token=support, json={"org_restore_days": 0}))
    api.advance_clock(SETTINGS_CACHE_SECONDS + 1)
    try:
        owner = new_user(api, "owner", app="other")
        org = create_org(api, owner)
        assert api.delete(f"/orgs/{org['id']}", token=owner.token).status == 204
        api.drain()
        support = api.token(app="other", sub=unique("support"), groups=["support"])
        assert deleted_listing(api, support, str(org["slug"])) == []
        assert_problem(api.post(f"/admin/orgs/{org['id']}/restore", token=support, json={}), 404, "org_not_found")
        assert_problem(api.get(f"/orgs/{org['id']}", token=owner.token), 404, "org_not_found")
    finally:
        support = api.token(app="other", sub=unique("support"), groups=["support"])
        ok(api.patch("/admin/settings", token=support, json={"org_restore_days": previous}))
        api.advance_clock(SETTINGS_CACHE_SECONDS + 1)


def test_bad_restore_requests(api: Client) -> None:
    support = api.token(sub=unique("support"), groups=["support"])
    other_support = api.token(app="other", sub=unique("support"), groups=["support"])
    owner = new_user(api, "owner")
    org = create_org(api, owner)
    assert api.delete(f"/orgs/{org['id']}", token=owner.token).status == 204
    assert_problem(api.post(f"/admin/orgs/{org['id']}/restore", token=other_support, json={}), 404, "org_not_found")
    assert_problem(api.post(f"/admin/orgs/{org['id']}/restore", token=support, json={"slug": "NO SLUG"}), 400,
                   "validation_error", "slug")
    assert_problem(api.post(f"/admin/orgs/{org['id']}/restore", token=support, json={"extra": 1}), 400,
                   "validation_error")
    assert_problem(api.get("/admin/orgs?deleted=perhaps", token=support), 400, "validation_error")
    assert ok(api.post(f"/admin/orgs/{org['id']}/restore", token=support))["id"] == org["id"]  # no body at all
