"""Issue 12's journey through the local server: a backend provisions an org and a member, checks
permissions live in one batch, a member's org token verifies against /.well-known/jwks.json exactly as a
customer's backend would (pyjwt's PyJWKClient), a removal shows in the next check, another app's backend
sees none of it, and the audit log names the service."""

from __future__ import annotations

import jwt

from orgplane.access import BUILTIN_ROLES
from tests.http.client import Client
from tests.http.expect import assert_problem, ok, unique


def test_a_backend_provisions_checks_and_members_verify_org_tokens_locally(api: Client) -> None:
    backend = api.service_token(app="demo")
    alice, bob = unique("alice"), unique("bob")
    org = ok(api.post("/orgs", token=backend, json={"name": "Acme", "slug": unique("acme"),
                                                    "owner": {"user_id": alice, "email": f"{alice}@example.com"}}), 201)
    assert org["created_by"] == alice and org["member_count"] == 1
    member = ok(api.put(f"/orgs/{org['id']}/members/{bob}", token=backend,
                        json={"role": "member", "email": f"{bob}@example.com"}), 201)
    assert (member["user_id"], member["role"], member["email"]) == (bob, "member", f"{bob}@example.com")
    assert ok(api.put(f"/orgs/{org['id']}/members/{bob}", token=backend, json={"role": "member"}))["role"] == "member"

    def check() -> list[dict[str, object]]:
        rows = [{"user_id": bob, "org_id": org["id"], "permission": p}
                for p in ("org:read", "member:read", "member:invite", "org:delete")]
        rows.append({"user_id": alice, "org_id": org["id"], "permission": "org:delete"})
        return list(ok(api.post("/authz/check", token=backend, json={"checks": rows}))["results"])

    assert check() == [{"allowed": True, "role": "member", "team_role": None}] * 2 + [
        {"allowed": False, "role": "member", "team_role": None}] * 2 + [
        {"allowed": True, "role": "owner", "team_role": None}]

    bob_token = api.token(sub=bob)
    issued = ok(api.post(f"/orgs/{org['id']}/token", token=bob_token))
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 300
    keys = api.get("/.well-known/jwks.json")  # no token needed
    assert keys.status == 200 and "max-age" in keys.headers["cache-control"] and keys.json["keys"]
    signing_key = jwt.PyJWKClient(f"{api.base_url}/.well-known/jwks.json").get_signing_key_from_jwt(
        issued["access_token"])
    claims = jwt.decode(issued["access_token"], signing_key.key, algorithms=["RS256"], audience="demo",
                        issuer=api.base_url, options={"verify_iat": False})
    assert claims["sub"] == bob and claims["app_id"] == "demo" and claims["org_id"] == org["id"]
    assert claims["org_role"] == "member" and claims["team_ids"] == []
    assert claims["org_permissions"] == sorted(BUILTIN_ROLES["member"])
    assert claims["exp"] - claims["iat"] == 300 and abs(claims["iat"] - api.now()) < 30 and claims["jti"]
    assert set(claims) == {"iss", "aud", "sub", "app_id", "org_id", "org_role", "org_permissions", "team_ids",
                           "iat", "exp", "jti"}
    # an org token speaks to the customer's backend, never to this API: its issuer is no identity provider
    assert_problem(api.get("/me", token=issued["access_token"]), 401, "unauthorized")
    assert_problem(api.post(f"/orgs/{org['id']}/token", token=issued["access_token"]), 401, "unauthorized")
    assert_problem(api.post(f"/orgs/{org['id']}/token", token=backend), 403, "forbidden")
    assert_problem(api.post(f"/orgs/{org['id']}/token", token=api.token(sub=unique("sam"), groups=["support"])),
                   403, "forbidden")

    assert ok(api.delete(f"/orgs/{org['id']}/members/{bob}", token=backend), 204) is None
    assert [r["allowed"] for r in check()] == [False, False, False, False, True]

    stranger = api.service_token(app="other")
    assert_problem(api.get(f"/orgs/{org['id']}", token=stranger), 404, "org_not_found")
    assert org["id"] not in repr(ok(api.get("/admin/orgs?limit=100", token=stranger)))
    stranger_rows = [{"user_id": alice, "org_id": org["id"], "permission": "org:read"}]
    assert ok(api.post("/authz/check", token=stranger, json={"checks": stranger_rows}))["results"] == [
        {"allowed": False, "role": None, "team_role": None}]
    assert ok(api.get(f"/users/{alice}/orgs", token=stranger)) == {"data": [], "next_cursor": None}
    assert [o["id"] for o in ok(api.get(f"/users/{alice}/orgs", token=backend))["data"]] == [org["id"]]

    events = ok(api.get(f"/orgs/{org['id']}/audit", token=backend))["data"]
    assert [e["action"] for e in events] == ["member.removed", "member.added", "member.added", "org.created"]  # the same-role
    # PUT changed nothing, so it wrote nothing
    assert all(e["actor"]["type"] == "service" and e["actor"]["client_id"] == "demo-backend" for e in events)
