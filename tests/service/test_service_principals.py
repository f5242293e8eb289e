"""Service principals through the handlers: scopes on every route, support powers within their app,
the audit actor ``{type: service, client_id}``, ``GET /me`` and ``POST /orgs`` with an ``owner``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from devserver import template
from orgplane import keys
from orgplane.identity import scopes
from tests.service.test_handlers import ALICE, call, create_org
from tests.support import world

ROUTES = [(f.name, r.method, r.path) for f in template.functions() for r in f.routes if not r.public]
READ_ONLY = {("POST", path) for path in scopes.READ_ONLY_POSTS}


def service(*scopes: str, app_id: str = "demo") -> dict[str, Any]:
    return {"app_id": app_id, "client_id": f"{app_id}-backend", "scopes": scopes}


def route_call(name: str, method: str, path: str, identity: dict[str, Any],
               body: Any = None) -> tuple[int, dict[str, Any] | None, str]:
    params = {p: "x" for p in re.findall(r"\{([a-z_]+)\}", path)}
    concrete = re.sub(r"\{[a-z_]+\}", "x", path)
    return call(name, method, path, concrete, identity=identity, path_params=params or None, body=body)


@pytest.mark.parametrize(("name", "method", "path"), ROUTES, ids=[f"{m} {p}" for _, m, p in ROUTES])
def test_a_service_without_an_orgplane_scope_gets_nothing_on_any_route(name: str, method: str, path: str) -> None:
    status, body, content_type = route_call(name, method, path, service("aws.cognito.signin.user.admin"),
                                            body={"name": "x"})
    assert status == 403 and content_type == "application/problem+json"
    assert body and body["code"] == "insufficient_scope"


WRITES = [r for r in ROUTES if r[1] != "GET" and (r[1], r[2]) not in READ_ONLY]


@pytest.mark.parametrize(("name", "method", "path"), WRITES, ids=[f"{m} {p}" for _, m, p in WRITES])
def test_the_read_scope_is_refused_on_every_write_before_anything_else(name: str, method: str, path: str) -> None:
    org_id = create_org()
    before = world.items_of(keys.org_pk("demo", org_id))
    status, body, _ = route_call(name, method, path, service("orgplane/read"), body={"not": "valid"})
    assert status == 403 and body and body["code"] == "insufficient_scope"
    assert world.items_of(keys.org_pk("demo", org_id)) == before


def test_only_the_key_set_is_public() -> None:
    public = [(r.method, r.path) for f in template.functions() for r in f.routes if r.public]
    assert public == [("GET", "/.well-known/jwks.json")]


def test_the_read_scope_reads_any_org_of_its_app_and_the_admin_routes() -> None:
    org_id = create_org()
    status, body, _ = call("get_org", "GET", "/orgs/{org_id}", f"/orgs/{org_id}", identity=service("orgplane/read"),
                           path_params={"org_id": org_id})
    assert status == 200 and body and body["id"] == org_id
    status, body, _ = call("admin_list_orgs", "GET", "/admin/orgs", "/admin/orgs", identity=service("orgplane/read"))
    assert status == 200 and body and [o["id"] for o in body["data"]] == [org_id]


def test_a_service_of_another_app_sees_no_org_of_this_one() -> None:
    org_id = create_org()
    other = service("orgplane/read", "orgplane/write", app_id="other")
    status, body, _ = call("get_org", "GET", "/orgs/{org_id}", f"/orgs/{org_id}", identity=other,
                           path_params={"org_id": org_id})
    assert status == 404 and body and body["code"] == "org_not_found"
    status, body, _ = call("admin_list_orgs", "GET", "/admin/orgs", "/admin/orgs", identity=other)
    assert status == 200 and body == {"data": [], "next_cursor": None}


def test_get_me_of_a_service_names_its_client_and_scopes() -> None:
    status, body, _ = call("me", "GET", "/me", "/me", identity=service("orgplane/read"))
    assert status == 200 and body == {"type": "service", "client_id": "demo-backend", "app_id": "demo",
                                      "scopes": ["orgplane/read"]}


def test_a_service_belongs_to_no_org() -> None:
    create_org()
    status, body, _ = call("list_orgs", "GET", "/orgs", "/orgs", identity=service("orgplane/read"))
    assert status == 200 and body == {"data": [], "next_cursor": None}


def test_a_service_creates_an_org_for_its_owner_and_is_audited_as_the_actor() -> None:
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", identity=service("orgplane/write"),
                           body={"name": "Acme", "owner": {"user_id": "alice", "email": "alice@example.com"}})
    assert status == 201 and body and body["created_by"] == "alice"
    status, members, _ = call("list_members", "GET", "/orgs/{org_id}/members", f"/orgs/{body['id']}/members",
                              path_params={"org_id": body["id"]})
    assert status == 200 and members
    assert [(m["user_id"], m["role"], m["email"]) for m in members["data"]] == [("alice", "owner", "alice@example.com")]
    status, events, _ = call("list_org_audit", "GET", "/orgs/{org_id}/audit", f"/orgs/{body['id']}/audit",
                             path_params={"org_id": body["id"]})
    assert status == 200 and events
    created = next(e for e in events["data"] if e["action"] == "org.created")
    assert created["actor"] == {"type": "service", "client_id": "demo-backend", "user_id": None,
                                "email": None, "support": False}
    assert created["details"]["owner"] == "alice"


def test_a_service_must_name_the_owner_of_an_org_it_creates() -> None:
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", identity=service("orgplane/write"),
                           body={"name": "Acme"})
    assert status == 400 and body and body["errors"][0]["field"] == "owner"


@pytest.mark.parametrize("owner", [{"user_id": "me"}, {"user_id": ""}, {"user_id": " bob"}, {"user_id": 5},
                                   {"user_id": "bob", "email": "not-an-email"}, {"user_id": "bob", "role": "x"},
                                   {"email": "bob@example.com"}])
def test_a_malformed_owner_is_400_and_creates_nothing(owner: Any) -> None:
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", identity=service("orgplane/write"),
                           body={"name": "Acme", "owner": owner})
    assert status == 400 and body and body["code"] == "validation_error"
    assert world.items_of(keys.user_pk("demo", "bob")) == []


def test_a_user_may_not_name_another_owner() -> None:
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", identity=ALICE,
                           body={"name": "Acme", "owner": {"user_id": "bob"}})
    assert status == 400 and body and body["errors"][0]["field"] == "owner"
    assert world.items_of(keys.user_pk("demo", "bob")) == []


def test_the_owners_org_limit_applies_to_an_org_a_service_creates() -> None:
    world.put_settings("demo", max_orgs_per_user=1)
    create_org()  # alice owns one
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", identity=service("orgplane/write"),
                           body={"name": "Second", "owner": {"user_id": "alice"}})
    assert status == 409 and body and body["code"] == "org_limit_reached"


def test_a_service_leaving_me_is_not_a_member_leaving() -> None:
    org_id = create_org()
    status, body, _ = call("remove_member", "DELETE", "/orgs/{org_id}/members/{user_id}",
                           f"/orgs/{org_id}/members/me", identity=service("orgplane/write"),
                           path_params={"org_id": org_id, "user_id": "me"})
    assert status == 404 and body and body["code"] == "member_not_found"


def test_a_service_invites_with_write_and_its_retries_replay_by_idempotency_key() -> None:
    org_id = create_org()
    headers = {"Idempotency-Key": "provision-1"}
    answers = [call("create_invitation", "POST", "/orgs/{org_id}/invitations", f"/orgs/{org_id}/invitations",
                    identity=service("orgplane/write"), path_params={"org_id": org_id}, headers=headers,
                    body={"email": "dana@example.com", "role": "admin"}) for _ in range(2)]
    assert [a[0] for a in answers] == [201, 201] and answers[0][1] == answers[1][1]
    invitation = answers[0][1]
    assert invitation and invitation["invited_by"] == "demo-backend" and invitation["role"] == "admin"
    invites = [i for i in world.items_of(keys.org_pk("demo", org_id)) if i["entity"] == "INVITE"]
    assert len(invites) == 1
    # the same key from a user is another request: keys are kept per principal
    status, _, _ = call("create_invitation", "POST", "/orgs/{org_id}/invitations", f"/orgs/{org_id}/invitations",
                        identity=ALICE, path_params={"org_id": org_id}, headers=headers,
                        body={"email": "erin@example.com"})
    assert status == 201


def test_the_app_audit_finds_a_services_actions_with_or_without_an_org() -> None:
    status, org, _ = call("create_org", "POST", "/orgs", "/orgs", identity=service("orgplane/write"),
                          body={"name": "Acme", "owner": {"user_id": "alice"}})
    assert status == 201 and org
    create_org("other-org")  # alice's own, not the service's
    for query in ({"actor": "service:demo-backend"}, {"actor": "service:demo-backend", "org_id": org["id"]}):
        status, body, _ = call("admin_list_audit", "GET", "/admin/audit", "/admin/audit",
                               identity=service("orgplane/read"), query=query)
        assert status == 200 and body
        assert [(e["action"], e["org_id"], e["actor"]["client_id"]) for e in body["data"]] == [
            ("member.added", org["id"], "demo-backend"), ("org.created", org["id"], "demo-backend")], query
