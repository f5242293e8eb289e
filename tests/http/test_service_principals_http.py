"""Service principals through the local server: the token command, and a service of another app as a
stranger on every route of template.yaml (404 or nothing of this app, never data, nothing changed)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

from devserver import template
from tests.http.client import Client
from tests.http.conftest import ROOT, server_env
from tests.http.expect import assert_problem, ok, unique

ROUTES = sorted({(r.method, r.path) for f in template.functions() for r in f.routes})
#: a valid body per route, so that what answers is the isolation, not the validation
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/orgs"): {"name": "Probe", "owner": {"user_id": "probe"}},
    ("PATCH", "/orgs/{org_id}"): {"name": "Hijacked"},
    ("PATCH", "/orgs/{org_id}/members/{user_id}"): {"role": "member"},
    ("PUT", "/orgs/{org_id}/members/{user_id}"): {"role": "member"},
    ("POST", "/orgs/{org_id}/invitations"): {"email": "probe@example.com"},
    ("POST", "/orgs/{org_id}/invitations/bulk"): {"invitations": [{"email": "probe@example.com"}]},
    ("POST", "/orgs/{org_id}/domains"): {"domain": "probe.test"},
    ("POST", "/orgs/{org_id}/teams"): {"name": "Probe"},
    ("PATCH", "/orgs/{org_id}/teams/{team_id}"): {"name": "Probe"},
    ("PUT", "/orgs/{org_id}/teams/{team_id}/members/{user_id}"): {"role": "member"},
    ("POST", "/orgs/{org_id}/ownership-transfers"): {"to_user_id": "probe"},
    ("POST", "/invitations/accept"): {"token": "x" * 40},
    ("POST", "/invitations/decline"): {"token": "x" * 40},
}


def test_the_token_command_prints_a_service_token_the_server_accepts(api: Client) -> None:
    env = server_env()
    printed = subprocess.run([sys.executable, "-m", "devserver", "token", "--app", "demo", "--client", "backend",
                              "--scope", "orgplane/read orgplane/write", "--server", api.base_url], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    me = ok(api.get("/me", token=printed))
    assert me == {"type": "service", "client_id": "demo-backend", "app_id": "demo",
                  "scopes": ["orgplane/read", "orgplane/write"]}
    refused = subprocess.run([sys.executable, "-m", "devserver", "token", "--app", "demo"], cwd=ROOT,
                             env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--client" in refused.stderr


def test_a_read_only_service_is_refused_a_write_with_insufficient_scope(api: Client) -> None:
    token = api.service_token(scope="orgplane/read")
    assert_problem(api.post("/orgs", token=token, json={"name": "X", "owner": {"user_id": "x"}}), 403,
                   "insufficient_scope")
    assert ok(api.get("/orgs", token=token)) == {"data": [], "next_cursor": None}


def test_a_service_without_a_scope_gets_nothing(api: Client) -> None:
    token = api.service_token(scope="")
    assert_problem(api.get("/me", token=token), 403, "insufficient_scope")
    assert_problem(api.get("/admin/orgs", token=token), 403, "insufficient_scope")


def test_a_service_of_another_app_is_a_stranger_on_every_route(api: Client) -> None:
    alice = unique("alice")
    owner = api.token(sub=alice)
    org = ok(api.post("/orgs", token=owner, json={"name": "Demo Co", "slug": unique("demo-co")}), 201)
    team = ok(api.post(f"/orgs/{org['id']}/teams", token=owner, json={"name": "Core"}), 201)
    invitation = ok(api.post(f"/orgs/{org['id']}/invitations", token=owner,
                             json={"email": f"{unique('bob')}@example.com"}), 201)
    bob = unique("bob")
    ok(api.put(f"/orgs/{org['id']}/members/{bob}", token=api.service_token(app="demo"), json={"role": "member"}), 201)
    transfer = ok(api.post(f"/orgs/{org['id']}/ownership-transfers", token=owner, json={"to_user_id": bob}), 201)
    demo_ids = {org["id"], team["id"], invitation["id"], org["slug"], transfer["id"]}
    values = {"org_id": org["id"], "team_id": team["id"], "invitation_id": invitation["id"], "user_id": alice,
              "transfer_id": transfer["id"], "webhook_id": "wh_00000000000000000000000000",
              "delivery_id": "dlv_00000000000000000000000000", "link_id": "il_00000000000000000000000000",
              "domain": "probe.test", "request_id": "jr_00000000000000000000000000"}
    stranger = api.service_token(app="other")
    before = ok(api.get(f"/orgs/{org['id']}", token=owner))
    audit_before = ok(api.get(f"/orgs/{org['id']}/audit", token=owner))["data"]

    assert ROUTES, "template.yaml has routes"
    for method, path in ROUTES:
        concrete = re.sub(r"\{([a-z_]+)\}", lambda m: values[m.group(1)], path)
        body = BODIES.get((method, path))
        if path == "/authz/check":
            body = {"checks": [{"user_id": alice, "org_id": org["id"], "permission": "org:read"},
                               {"user_id": alice, "org_id": org["id"], "permission": "team:update",
                                "team_id": team["id"]}]}
        response = api.request(method, concrete, token=stranger, json=body)
        if path == "/authz/check":
            assert ok(response) == {"results": [{"allowed": False, "role": None, "team_role": None}] * 2}
        where = f"{method} {path}: {response}"
        text = repr(response.json)
        assert not any(demo_id in text for demo_id in demo_ids), where
        if "{org_id}" in path or "{invitation_id}" in path:
            assert response.status == 404, where
        else:
            assert response.status in (200, 201, 204, 400, 404, 409), where

    assert ok(api.get(f"/orgs/{org['id']}", token=owner)) == before
    assert ok(api.get(f"/orgs/{org['id']}/audit", token=owner))["data"] == audit_before
    assert ok(api.get(f"/orgs/{org['id']}/teams/{team['id']}", token=owner))["name"] == "Core"
    assert ok(api.get(f"/orgs/{org['id']}/invitations/{invitation['id']}", token=owner))["status"] == "pending"
    assert [t["status"] for t in ok(api.get(f"/orgs/{org['id']}/ownership-transfers", token=owner))["data"]] == [
        "pending"]
