"""The HTTP edge of the team handlers: statuses, objects, strict bodies, problem codes, `me`."""

from __future__ import annotations

from typing import Any

import pytest

from orgplane import keys
from orgplane.services import teams
from orgplane.store import table
from tests.service.test_handlers import ALICE, call, create_org
from tests.service.test_org_cleanup_stream import invoke as invoke_cleanup
from tests.service.test_org_cleanup_stream import stream_record
from tests.support import world

BOB = {"app_id": "demo", "sub": "bob", "email": "bob@example.com"}
TEAMS = "/orgs/{org_id}/teams"
TEAM = "/orgs/{org_id}/teams/{team_id}"
TEAM_MEMBERS = "/orgs/{org_id}/teams/{team_id}/members"
TEAM_MEMBER = "/orgs/{org_id}/teams/{team_id}/members/{user_id}"


def at(resource: str, **params: str) -> tuple[str, str, dict[str, str]]:
    path = resource
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    return resource, path, params


def create_team(org_id: str, name: str = "Platform") -> str:
    status, body, _ = call("create_team", "POST", *at(TEAMS, org_id=org_id)[:2], path_params={"org_id": org_id},
                           body={"name": name})
    assert status == 201 and body
    return str(body["id"])


def put_member(org_id: str, team_id: str, user_id: str, body: Any = None,
               identity: dict[str, Any] = ALICE) -> tuple[int, dict[str, Any] | None, str]:
    resource, path, params = at(TEAM_MEMBER, org_id=org_id, team_id=team_id, user_id=user_id)
    return call("put_team_member", "PUT", resource, path, identity=identity, path_params=params,
                body=body if body is not None else {})


@pytest.fixture
def org_id() -> str:
    org = create_org()
    world.add_member(org, "bob")
    return org


def test_create_team_is_201_with_the_team_object(org_id: str) -> None:
    status, body, content_type = call("create_team", "POST", *at(TEAMS, org_id=org_id)[:2],
                                      path_params={"org_id": org_id}, body={"name": "Platform"})
    assert status == 201 and content_type == "application/json" and body
    assert set(body) == {"id", "org_id", "name", "description", "member_count", "created_at", "updated_at"}
    assert body["id"].startswith("team_") and body["member_count"] == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": 5}, "name"), ({"name": "x" * 101}, "name"),
     ({"name": "A", "members": ["bob"]}, "members"), ({"name": "A", "description": "d" * 501}, "description")],
)
def test_invalid_team_bodies_are_400_and_create_nothing(org_id: str, payload: dict[str, Any], field: str) -> None:
    status, body, _ = call("create_team", "POST", *at(TEAMS, org_id=org_id)[:2], path_params={"org_id": org_id},
                           body=payload)
    assert status == 400 and body and body["code"] == "validation_error"
    assert any(e["field"].startswith(field) for e in body["errors"])
    assert [i for i in world.items_of(keys.org_pk("demo", org_id)) if i["entity"] == "TEAM"] == []


def test_a_taken_name_is_409_team_name_taken(org_id: str) -> None:
    create_team(org_id, "Platform")
    status, body, _ = call("create_team", "POST", *at(TEAMS, org_id=org_id)[:2], path_params={"org_id": org_id},
                           body={"name": "PLATFORM"})
    assert status == 409 and body and body["code"] == "team_name_taken"


def test_list_and_get_teams(org_id: str) -> None:
    team_id = create_team(org_id)
    status, body, _ = call("list_teams", "GET", *at(TEAMS, org_id=org_id)[:2], identity=BOB,
                           path_params={"org_id": org_id}, query={"limit": "10", "name": "ignored"})
    assert status == 200 and body and [t["id"] for t in body["data"]] == [team_id] and body["next_cursor"] is None
    resource, path, params = at(TEAM, org_id=org_id, team_id=team_id)
    status, body, _ = call("get_team", "GET", resource, path, identity=BOB, path_params=params)
    assert status == 200 and body and body["name"] == "Platform"


def test_an_unknown_team_is_404_team_not_found(org_id: str) -> None:
    resource, path, params = at(TEAM, org_id=org_id, team_id="team_01JD0000000000000000000000")
    status, body, content_type = call("get_team", "GET", resource, path, path_params=params)
    assert status == 404 and content_type == "application/problem+json" and body
    assert body["code"] == "team_not_found"


def test_update_team_renames_and_an_empty_patch_is_400(org_id: str) -> None:
    team_id = create_team(org_id)
    resource, path, params = at(TEAM, org_id=org_id, team_id=team_id)
    status, body, _ = call("update_team", "PATCH", resource, path, path_params=params, body={"name": "Core"})
    assert status == 200 and body and body["name"] == "Core"
    status, body, _ = call("update_team", "PATCH", resource, path, path_params=params, body={})
    assert status == 400 and body and body["code"] == "validation_error"
    status, body, _ = call("update_team", "PATCH", resource, path, path_params=params, body={"name": None})
    assert status == 400 and body and body["code"] == "validation_error"


def test_put_team_member_returns_the_team_member_object(org_id: str) -> None:
    team_id = create_team(org_id)
    status, body, _ = put_member(org_id, team_id, "bob")
    assert status == 200 and body and set(body) == {"team_id", "user_id", "role", "added_at"}
    assert body["role"] == "member" and body["user_id"] == "bob"
    status, body, _ = put_member(org_id, team_id, "bob", {"role": "maintainer"})
    assert status == 200 and body and body["role"] == "maintainer"


@pytest.mark.parametrize("role", ["owner", "admin", "MEMBER", "", ["member"], "maintainer,member"])
def test_a_team_role_is_maintainer_or_member(org_id: str, role: Any) -> None:
    team_id = create_team(org_id)
    status, body, _ = put_member(org_id, team_id, "bob", {"role": role})
    assert status == 400 and body and body["code"] == "validation_error"
    assert [i for i in world.items_of(keys.org_pk("demo", org_id)) if i["entity"] == "TEAM_MEMBER"] == []


def test_putting_a_non_member_is_409_not_org_member(org_id: str) -> None:
    team_id = create_team(org_id)
    status, body, _ = put_member(org_id, team_id, "mallory")
    assert status == 409 and body and body["code"] == "not_org_member"


def test_me_stands_for_the_caller_in_team_member_routes(org_id: str) -> None:
    team_id = create_team(org_id)
    put_member(org_id, team_id, "bob")
    resource, path, params = at(TEAM_MEMBERS, org_id=org_id, team_id=team_id)
    status, body, _ = call("list_team_members", "GET", resource, path, identity=BOB, path_params=params)
    assert status == 200 and body and [m["user_id"] for m in body["data"]] == ["bob"]
    resource, path, params = at(TEAM_MEMBER, org_id=org_id, team_id=team_id, user_id="me")
    status, body, _ = call("remove_team_member", "DELETE", resource, path, identity=BOB, path_params=params)
    assert status == 204 and body is None
    status, body, _ = call("remove_team_member", "DELETE", resource, path, identity=BOB, path_params=params)
    assert status == 404 and body and body["code"] == "member_not_found"


def test_a_plain_member_gets_403_managing_a_team(org_id: str) -> None:
    team_id = create_team(org_id)
    status, body, _ = put_member(org_id, team_id, "bob", identity=BOB)
    assert status == 403 and body and body["code"] == "forbidden"


def test_delete_team_is_204_and_the_team_is_gone(org_id: str) -> None:
    team_id = create_team(org_id)
    resource, path, params = at(TEAM, org_id=org_id, team_id=team_id)
    status, body, _ = call("delete_team", "DELETE", resource, path, path_params=params)
    assert status == 204 and body is None
    status, body, _ = call("get_team", "GET", resource, path, path_params=params)
    assert status == 404 and body and body["code"] == "team_not_found"


def test_the_team_limit_is_409_team_limit_reached(org_id: str) -> None:
    world.put_settings("demo", max_teams_per_org=1)
    create_team(org_id, "One")
    status, body, _ = call("create_team", "POST", *at(TEAMS, org_id=org_id)[:2], path_params={"org_id": org_id},
                           body={"name": "Two"})
    assert status == 409 and body and body["code"] == "team_limit_reached"


def test_get_permissions_lists_the_callers_teams(org_id: str) -> None:
    team_id = create_team(org_id)
    put_member(org_id, team_id, "bob", {"role": "maintainer"})
    status, body, _ = call("get_permissions", "GET", "/orgs/{org_id}/permissions", f"/orgs/{org_id}/permissions",
                           identity=BOB, path_params={"org_id": org_id})
    assert status == 200 and body and body["teams"] == [{"team_id": team_id, "role": "maintainer"}]


def test_the_org_cleanup_stream_consumer_runs_a_team_job(org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(teams, "IN_TRANSACTION_LIMIT", 0)
    team_id = create_team(org_id)
    put_member(org_id, team_id, "bob")
    resource, path, params = at(TEAM, org_id=org_id, team_id=team_id)
    assert call("delete_team", "DELETE", resource, path, path_params=params)[0] == 204
    for sequence in range(1, 10):
        job = table.get(keys.team_cleanup("demo", org_id, team_id))
        if job is None:
            break
        assert invoke_cleanup(stream_record(job, sequence)) == {"batchItemFailures": []}
    assert table.get(keys.team_cleanup("demo", org_id, team_id)) is None
    assert [i for i in world.items_of(keys.org_pk("demo", org_id)) if i["entity"] == "TEAM_MEMBER"] == []
    assert table.get(keys.member("demo", org_id, "bob"))["teams"] == {}  # type: ignore[index]
