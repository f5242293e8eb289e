"""Onboarding at company scale through the local server: bulk invitations against the seat limit, one
mail per created invitation, isolation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.http.client import Client
from tests.http.expect import assert_problem, ok, unique

SETTINGS_CACHE_SECONDS = 30  # services/settings.py caches app settings per container on the product clock
APP = "other"  # app-wide limits are set on this app for one test at a time (each worker has its own server)


@pytest.fixture
def sixty_seats(api: Client) -> Iterator[int]:
    """``max_members_per_org = 60`` in app ``other`` for one test, then what it was before."""
    support = api.token(app=APP, sub=unique("support"), groups=["support"])
    previous = ok(api.get("/admin/settings", token=support))["max_members_per_org"]
    ok(api.patch("/admin/settings", token=support, json={"max_members_per_org": 60}))
    api.advance_clock(SETTINGS_CACHE_SECONDS + 1)
    try:
        yield 60
    finally:
        support = api.token(app=APP, sub=unique("support"), groups=["support"])
        ok(api.patch("/admin/settings", token=support, json={"max_members_per_org": previous}))
        api.advance_clock(SETTINGS_CACHE_SECONDS + 1)


def bulk(api: Client, org_id: str, token: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(ok(api.post(f"/orgs/{org_id}/invitations/bulk", token=token, json={"invitations": rows}))["results"])


def test_a_hundred_bulk_invitations_against_sixty_seats_with_ten_members_create_fifty(api: Client,
                                                                                    sixty_seats: int) -> None:
    owner = api.token(app=APP, sub=unique("owner"))
    org = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    joiners = [unique("joiner") for _ in range(9)]
    for result in bulk(api, org["id"], owner, [{"email": f"{sub}@example.com"} for sub in joiners]):
        assert result["status"] == 201
    pending = ok(api.get(f"/orgs/{org['id']}/invitations?status=pending&limit=100", token=owner))["data"]
    by_email = {i["email"]: i["id"] for i in pending}
    for sub in joiners:
        ok(api.post(f"/invitations/{by_email[f'{sub}@example.com']}/accept", token=api.token(app=APP, sub=sub)))
    assert ok(api.get(f"/orgs/{org['id']}", token=owner))["member_count"] == 10
    tag = unique("bulk")
    emails = [f"{tag}-{i}@example.com" for i in range(100)]
    results = bulk(api, org["id"], owner, [{"email": e} for e in emails])
    assert [r["email"] for r in results] == emails
    assert [r["status"] for r in results] == [201] * 50 + [409] * 50
    assert {r["error"]["code"] for r in results[50:]} == {"member_limit_reached"}
    shown = ok(api.get(f"/orgs/{org['id']}", token=owner))
    assert (shown["member_count"], shown["pending_invitation_count"]) == (10, 50)
    api.drain()
    mailed = [to for m in ok(api.get("/_local/outbox"))["data"] for to in m["to"] if to.startswith(tag)]
    assert sorted(mailed) == sorted(emails[:50])  # one mail per created invitation, none for the others


def test_bulk_invitations_are_404_for_another_org_and_app_403_for_a_member_and_400_for_hostile_bodies(
        api: Client) -> None:
    owner_sub = unique("owner")
    owner = api.token(sub=owner_sub)
    org = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    path = f"/orgs/{org['id']}/invitations/bulk"
    body = {"invitations": [{"email": f"{unique('x')}@example.com"}]}
    for token in (api.token(sub=unique("outsider")), api.token(app="other", sub=owner_sub)):
        assert_problem(api.post(path, token=token, json=body), 404, "org_not_found")
    member_sub = unique("member")
    invitation = bulk(api, org["id"], owner, [{"email": f"{member_sub}@example.com"}])[0]["invitation"]
    member = api.token(sub=member_sub)
    ok(api.post(f"/invitations/{invitation['id']}/accept", token=member))
    assert_problem(api.post(path, token=member, json=body), 403, "forbidden")
    hostiles: list[dict[str, Any]] = [{"invitations": []}, {"invitations": [body["invitations"][0]] * 101},
                                      {"invitations": [["a@example.com"]]}, {"invitations": body["invitations"], "x": 1}]
    for hostile in hostiles:
        assert_problem(api.post(path, token=owner, json=hostile), 400, "validation_error")
    assert ok(api.get(f"/orgs/{org['id']}", token=owner))["pending_invitation_count"] == 0


def test_twenty_racing_accepts_of_a_five_use_invite_link_give_five_members(api: Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    owner = api.token(sub=unique("owner"))
    org = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    link = ok(api.post(f"/orgs/{org['id']}/invite-links", token=owner, json={"max_uses": 5}), 201)
    assert link["url"].endswith(link["token"].replace(".", "."))
    joiners = [api.token(sub=unique("joiner")) for _ in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda t: api.post("/invite-links/accept", token=t, json={"token": link["token"]}).status,
                                 joiners))
    assert sorted(statuses) == [200] * 5 + [404] * 15
    assert ok(api.get(f"/orgs/{org['id']}", token=owner))["member_count"] == 6
    listed = ok(api.get(f"/orgs/{org['id']}/invite-links", token=owner))["data"]
    assert [(item["uses"], item["status"]) for item in listed] == [(5, "used_up")]
    assert "token" not in listed[0]


def test_invite_link_routes_are_404_for_another_org_and_app_and_403_for_a_member(api: Client) -> None:
    owner_sub = unique("owner")
    owner = api.token(sub=owner_sub)
    org = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    links = f"/orgs/{org['id']}/invite-links"
    link = ok(api.post(links, token=owner, json={"allowed_domains": ["example.com"]}), 201)
    for token in (api.token(sub=unique("outsider")), api.token(app="other", sub=owner_sub)):
        assert_problem(api.post(links, token=token, json={}), 404, "org_not_found")
        assert_problem(api.get(links, token=token), 404, "org_not_found")
        assert_problem(api.delete(f"{links}/{link['id']}", token=token), 404, "org_not_found")
    assert_problem(api.post("/invite-links/accept", token=api.token(app="other", sub=unique("x")),
                            json={"token": link["token"]}), 404, "invite_link_not_found")
    assert_problem(api.post("/invite-links/accept", token=api.token(sub=unique("x"), email="x@other.test"),
                            json={"token": link["token"]}), 403, "forbidden")
    member = api.token(sub=unique("member"))
    ok(api.post("/invite-links/accept", token=member, json={"token": link["token"]}))
    assert_problem(api.post(links, token=member, json={}), 403, "forbidden")
    assert_problem(api.delete(f"{links}/{link['id']}", token=member), 403, "forbidden")
    assert_problem(api.post(links, token=owner, json={"max_uses": -1}), 400, "validation_error")
    assert_problem(api.post("/invite-links/accept", token=member, json={"token": ["x"]}), 400, "validation_error")
    assert api.delete(f"{links}/{link['id']}", token=owner).status == 204
    assert_problem(api.post("/invite-links/accept", token=api.token(sub=unique("late")), json={"token": link["token"]}),
                   404, "invite_link_not_found")


def test_a_domain_is_verified_through_the_local_dns_and_only_one_org_may_hold_it(api: Client) -> None:
    owner = api.token(sub=unique("owner"))
    org = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    rival = ok(api.post("/orgs", token=owner, json={"name": "Rival", "slug": unique("rival")}), 201)
    domain = f"{unique('acme')}.test"
    added = ok(api.post(f"/orgs/{org['id']}/domains", token=owner, json={"domain": domain.upper()}), 201)
    assert (added["domain"], added["status"]) == (domain, "pending")
    assert_problem(api.post(f"/orgs/{org['id']}/domains/{domain}/verify", token=owner), 409, "domain_not_verified")
    record = {"name": added["verification"]["name"], "type": "TXT", "value": added["verification"]["value"]}
    assert ok(api.post("/_local/dns", json=record), 201)["name"] == record["name"]
    assert record in ok(api.get("/_local/dns"))["data"]
    verified = ok(api.post(f"/orgs/{org['id']}/domains/{domain}/verify", token=owner))
    assert verified["status"] == "verified" and verified["verified_at"]
    assert_problem(api.post(f"/orgs/{rival['id']}/domains", token=owner, json={"domain": domain}), 409, "domain_taken")
    assert_problem(api.post(f"/orgs/{rival['id']}/domains", token=owner, json={"domain": "gmail.com"}), 400,
                   "domain_not_allowed")
    assert api.delete(f"/_local/dns?name={record['name']}").status == 204
    assert record not in ok(api.get("/_local/dns"))["data"]
    assert_problem(api.post("/_local/dns", json={"name": 5, "value": "x"}), 400, "validation_error")


def test_domain_routes_are_404_for_another_org_and_app_and_403_for_a_member(api: Client) -> None:
    owner_sub = unique("owner")
    owner = api.token(sub=owner_sub)
    org = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    domain = ok(api.post(f"/orgs/{org['id']}/domains", token=owner, json={"domain": f"{unique('d')}.test"}),
                201)["domain"]
    base = f"/orgs/{org['id']}/domains"
    member_sub = unique("member")
    link = ok(api.post(f"/orgs/{org['id']}/invite-links", token=owner, json={}), 201)
    member = api.token(sub=member_sub)
    ok(api.post("/invite-links/accept", token=member, json={"token": link["token"]}))
    for token, status, code in ((api.token(sub=unique("outsider")), 404, "org_not_found"),
                                (api.token(app="other", sub=owner_sub), 404, "org_not_found"),
                                (member, 403, "forbidden")):
        assert_problem(api.post(base, token=token, json={"domain": "x.test"}), status, code)
        assert_problem(api.get(base, token=token), status, code)
        assert_problem(api.get(f"{base}/{domain}", token=token), status, code)
        assert_problem(api.post(f"{base}/{domain}/verify", token=token), status, code)
        assert_problem(api.delete(f"{base}/{domain}", token=token), status, code)
    assert_problem(api.post(base, token=owner, json={"domain": "x y.test"}), 400, "validation_error")
    assert [d["domain"] for d in ok(api.get(base, token=owner))["data"]] == [domain]


def test_the_onboarding_journey_of_issue_14(api: Client) -> None:
    """An owner verifies a company domain through the local DNS; company people join (auto) or are
    approved (request); an outsider gets 404; a second org cannot verify the domain; gmail.com is refused."""
    owner = api.token(sub=unique("owner"))
    org = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    domain = f"{unique('acme')}.test"  # acme.test, unique per run: the server is shared between tests
    added = ok(api.post(f"/orgs/{org['id']}/domains", token=owner, json={"domain": domain}), 201)
    ok(api.post("/_local/dns", json={"name": added["verification"]["name"], "type": "TXT",
                                     "value": added["verification"]["value"]}), 201)
    assert ok(api.post(f"/orgs/{org['id']}/domains/{domain}/verify", token=owner))["status"] == "verified"
    shown = ok(api.patch(f"/orgs/{org['id']}", token=owner, json={"domain_join": {"mode": "auto", "role": "member"}}))
    assert shown["domain_join"] == {"mode": "auto", "role": "member"}

    kim_sub = unique("kim")
    kim = api.token(sub=kim_sub, email=f"{kim_sub}@{domain}")
    assert [(o["id"], o["mode"]) for o in ok(api.get("/me/joinable-orgs", token=kim))["data"]] == [(org["id"], "auto")]
    assert ok(api.post(f"/orgs/{org['id']}/join", token=kim), 201)["user_id"] == kim_sub

    ok(api.patch(f"/orgs/{org['id']}", token=owner, json={"domain_join": {"mode": "request"}}))
    lee_sub = unique("lee")
    lee = api.token(sub=lee_sub, email=f"{lee_sub}@{domain}")
    request = ok(api.post(f"/orgs/{org['id']}/join", token=lee), 202)
    assert request["status"] == "pending"
    listed = ok(api.get(f"/orgs/{org['id']}/join-requests?status=pending", token=owner))["data"]
    assert [r["id"] for r in listed] == [request["id"]]
    member = ok(api.post(f"/orgs/{org['id']}/join-requests/{request['id']}/approve", token=owner, json={"role": "admin"}))
    assert (member["user_id"], member["role"]) == (lee_sub, "admin")
    assert ok(api.get("/me/join-requests", token=lee))["data"][0]["status"] == "approved"

    outsider_sub = unique("eve")
    outsider = api.token(sub=outsider_sub, email=f"{outsider_sub}@other.test")
    assert ok(api.get("/me/joinable-orgs", token=outsider))["data"] == []
    assert_problem(api.post(f"/orgs/{org['id']}/join", token=outsider), 404, "org_not_found")

    rival = ok(api.post("/orgs", token=owner, json={"name": "Rival", "slug": unique("rival")}), 201)
    assert_problem(api.post(f"/orgs/{rival['id']}/domains", token=owner, json={"domain": domain}), 409, "domain_taken")
    assert_problem(api.post(f"/orgs/{rival['id']}/domains", token=owner, json={"domain": "gmail.com"}), 400,
                   "domain_not_allowed")
    assert ok(api.get(f"/orgs/{org['id']}", token=owner))["member_count"] == 3
