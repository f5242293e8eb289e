"""The HTTP edge of every handler: problem+json errors, strict input, nothing changed on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devserver import loader, template
from devserver.events import api_event
from orgplane import keys
from tests.support import world

FUNCTIONS = {f.name: f for f in template.functions()}
ALICE = {"app_id": "demo", "sub": "alice", "email": "alice@example.com"}


def call(name: str, method: str, resource: str, path: str, identity: dict[str, Any] | None = ALICE,
         **kwargs: Any) -> tuple[int, dict[str, Any] | None, str]:
    handler = loader.load_handler(FUNCTIONS[name])
    params = kwargs.pop("path_params", None)
    response = handler(api_event(method, resource, path, identity=identity, path_params=params, **kwargs),
                       loader.LambdaContext(name))
    content_type = (response.get("multiValueHeaders") or {}).get("Content-Type", [""])[0]
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], body, content_type


def create_org(slug: str = "acme") -> str:
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", body={"name": "Acme", "slug": slug})
    assert status == 201 and body
    return str(body["id"])


def org_items(org_id: str) -> list[dict[str, Any]]:
    return world.items_of(keys.org_pk("demo", org_id))


def test_created_org_is_201_with_the_org_object() -> None:
    status, body, content_type = call("create_org", "POST", "/orgs", "/orgs", body={"name": "Acme"})
    assert status == 201 and content_type == "application/json"
    assert body and set(body) == {"id", "name", "slug", "metadata", "member_count", "pending_invitation_count",
                                  "team_count", "domain_join", "created_by", "created_at", "updated_at"}
    assert body["created_at"].endswith("Z")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": 5}, "name"),
        ({"name": ["Acme"]}, "name"),
        ({"name": "Acme", "owner": "mallory"}, "owner"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Acme", "slug": "Not A Slug"}, "slug"),
        ({"name": "Acme", "slug": "-acme"}, "slug"),
        ({"name": "Acme", "metadata": "nope"}, "metadata"),
        ({"name": "Acme", "metadata": {"k": "v" * 5000}}, "metadata"),
        ({"name": "Acme\u0000"}, "name"),
        ({}, "name"),
    ],
)
def test_invalid_create_bodies_are_400_and_create_nothing(payload: dict[str, Any], field: str) -> None:
    status, body, content_type = call("create_org", "POST", "/orgs", "/orgs", body=payload)
    assert status == 400 and content_type == "application/problem+json"
    assert body and body["code"] == "validation_error"
    assert any(e["field"].startswith(field) for e in body["errors"])
    assert world.items_of(keys.user_pk("demo", "alice")) == []


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "\"text\"", "{" * 5000 + "}" * 5000])
def test_bodies_that_are_not_a_json_object_are_400(raw: str) -> None:
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", raw_body=raw)
    assert status in (400, 413) and body and body["code"] in ("validation_error", "payload_too_large")


def test_a_huge_body_is_refused_before_parsing() -> None:
    status, body, _ = call("create_org", "POST", "/orgs", "/orgs", raw_body=json.dumps({"name": "x" * 100_000}))
    assert status == 413 and body and body["code"] == "payload_too_large"


def test_a_request_without_authorizer_identity_is_401() -> None:
    status, body, _ = call("get_org", "GET", "/orgs/{org_id}", "/orgs/org_x", identity=None,
                           path_params={"org_id": "org_x"})
    assert status == 401 and body and body["code"] == "unauthorized"


def test_identity_comes_only_from_the_authorizer_not_headers_or_body() -> None:
    org_id = create_org()
    status, body, _ = call("get_org", "GET", "/orgs/{org_id}", f"/orgs/{org_id}",
                           identity={"app_id": "demo", "sub": "mallory", "email": "m@example.com"},
                           path_params={"org_id": org_id}, headers={"x-user-id": "alice", "x-app-id": "demo"})
    assert status == 404 and body and body["code"] == "org_not_found"


@pytest.mark.parametrize("role", ["admin,owner", "", "OWNER", "owner "])
def test_a_role_must_be_one_role_name(role: str) -> None:
    org_id = create_org()
    status, body, _ = call("update_member", "PATCH", "/orgs/{org_id}/members/{user_id}",
                           f"/orgs/{org_id}/members/alice", path_params={"org_id": org_id, "user_id": "alice"},
                           body={"role": role})
    assert status == 400 and body and body["code"] == "validation_error"
    assert [i["role"] for i in org_items(org_id) if i["entity"] == "MEMBER"] == ["owner"]


def test_a_list_of_roles_is_400() -> None:
    org_id = create_org()
    status, body, _ = call("update_member", "PATCH", "/orgs/{org_id}/members/{user_id}",
                           f"/orgs/{org_id}/members/me", path_params={"org_id": org_id, "user_id": "me"},
                           body={"role": ["admin"]})
    assert status == 400 and body and body["code"] == "validation_error"


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_limits_outside_1_to_100_are_400(limit: str) -> None:
    status, body, _ = call("list_orgs", "GET", "/orgs", "/orgs", query={"limit": limit})
    assert status == 400 and body and body["errors"][0]["field"] == "limit"


def test_undefined_query_parameters_are_ignored() -> None:
    create_org()
    status, body, _ = call("list_orgs", "GET", "/orgs", "/orgs", query={"user": "bob", "app_id": "other"})
    assert status == 200 and body and [o["created_by"] for o in body["data"]] == ["alice"]


def test_a_forged_cursor_is_400() -> None:
    status, body, _ = call("list_orgs", "GET", "/orgs", "/orgs", query={"cursor": "eyJQSyI6MX0.AAAA"})
    assert status == 400 and body and body["errors"][0]["field"] == "cursor"


def test_a_malformed_org_id_is_404_like_any_unknown_org() -> None:
    status, body, _ = call("get_org", "GET", "/orgs/{org_id}", "/orgs/../../APP", path_params={"org_id": "x"})
    assert status == 404 and body and body["code"] in ("org_not_found", "not_found")


def test_unexpected_failures_are_500_problems_without_internals(monkeypatch: pytest.MonkeyPatch) -> None:
    from orgplane.services import orgs

    def explode(*_: Any) -> None:
        raise RuntimeError("secret internals: table orgplane-test")

    monkeypatch.setattr(orgs, "list_for_caller", explode)
    status, body, _ = call("list_orgs", "GET", "/orgs", "/orgs")
    assert status == 500 and body and body["code"] == "internal_error"
    assert "secret" not in json.dumps(body) and "Traceback" not in json.dumps(body)


def test_delete_is_204_without_a_body() -> None:
    org_id = create_org()
    status, body, _ = call("delete_org", "DELETE", "/orgs/{org_id}", f"/orgs/{org_id}",
                           path_params={"org_id": org_id})
    assert status == 204 and body is None


def test_me_describes_the_caller() -> None:
    status, body, _ = call("me", "GET", "/me", "/me")
    assert status == 200 and body == {"user_id": "alice", "email": "alice@example.com", "app_id": "demo",
                                      "support": False, "type": "user"}


def test_update_org_with_an_empty_body_is_400() -> None:
    org_id = create_org()
    status, body, _ = call("update_org", "PATCH", "/orgs/{org_id}", f"/orgs/{org_id}",
                           path_params={"org_id": org_id}, body={})
    assert status == 400 and body and body["code"] == "validation_error"


def test_update_org_with_null_name_is_400() -> None:
    org_id = create_org()
    status, body, _ = call("update_org", "PATCH", "/orgs/{org_id}", f"/orgs/{org_id}",
                           path_params={"org_id": org_id}, body={"name": None})
    assert status == 400 and body and body["code"] == "validation_error"


def test_get_permissions_lists_the_callers_role_and_permissions() -> None:
    org_id = create_org()
    status, body, _ = call("get_permissions", "GET", "/orgs/{org_id}/permissions", f"/orgs/{org_id}/permissions",
                           path_params={"org_id": org_id})
    assert status == 200 and body and body["role"] == "owner" and "org:delete" in body["permissions"]
    assert body["teams"] == []
