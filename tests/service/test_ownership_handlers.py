"""The HTTP edge of the ownership transfer handlers: statuses, objects, strict bodies and problem codes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.test_handlers import call, create_org
from tests.support import world

BOB = {"app_id": "demo", "sub": "bob", "email": "bob@example.com"}
CAROL = {"app_id": "demo", "sub": "carol", "email": "carol@example.com"}
OTHER_APP_BOB = {"app_id": "other", "sub": "bob", "email": "bob@example.com"}
TRANSFERS = "/orgs/{org_id}/ownership-transfers"
TRANSFER = "/orgs/{org_id}/ownership-transfers/{transfer_id}"
FIELDS = {"id", "org_id", "from_user_id", "to_user_id", "status", "expires_at", "created_at", "updated_at"}


@pytest.fixture
def org_id() -> str:
    org = create_org()
    world.add_member(org, "bob")
    world.add_member(org, "carol", role="admin")
    return org


def request(org_id: str, body: Any = None, identity: dict[str, Any] | None = None,
            raw_body: str | None = None) -> tuple[int, dict[str, Any] | None, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    if raw_body is not None:
        kwargs["raw_body"] = raw_body
    else:
        kwargs["body"] = {"to_user_id": "bob"} if body is None else body
    return call("request_ownership_transfer", "POST", TRANSFERS, f"/orgs/{org_id}/ownership-transfers",
                path_params={"org_id": org_id}, **kwargs)


def listed(org_id: str, identity: dict[str, Any] | None = None,
           query: dict[str, str] | None = None) -> tuple[int, dict[str, Any] | None, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call("list_ownership_transfers", "GET", TRANSFERS, f"/orgs/{org_id}/ownership-transfers",
                path_params={"org_id": org_id}, query=query or {}, **kwargs)


def act(name: str, org_id: str, transfer_id: str, identity: dict[str, Any] | None = None
        ) -> tuple[int, dict[str, Any] | None, str]:
    method, suffix = {"accept_ownership_transfer": ("POST", "/accept"),
                      "decline_ownership_transfer": ("POST", "/decline"),
                      "cancel_ownership_transfer": ("DELETE", "")}[name]
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call(name, method, TRANSFER + suffix, f"/orgs/{org_id}/ownership-transfers/{transfer_id}{suffix}",
                path_params={"org_id": org_id, "transfer_id": transfer_id}, **kwargs)


def test_request_is_201_with_the_transfer_object(org_id: str) -> None:
    status, body, content_type = request(org_id)
    assert status == 201 and content_type == "application/json" and body
    assert set(body) == FIELDS
    assert body["id"].startswith("ot_") and body["status"] == "pending" and body["expires_at"].endswith("Z")
    status, again, _ = request(org_id, {"to_user_id": "carol"})
    assert status == 409 and again and again["code"] == "transfer_pending"


@pytest.mark.parametrize("body", [{}, {"to_user_id": 5}, {"to_user_id": ""}, {"to_user_id": ["bob"]},
                                  {"to_user_id": "bob", "role": "owner"}, {"to_user_id": "b\u202eob"},
                                  {"to_user_id": "x" * 256}, {"to_user_id": "é" * 128}, {"to_user_id": None}])
def test_request_refuses_bad_bodies_with_400_and_changes_nothing(org_id: str, body: dict[str, Any]) -> None:
    status, problem, content_type = request(org_id, body)
    assert status == 400 and content_type == "application/problem+json"
    assert problem and problem["code"] == "validation_error"
    assert listed(org_id)[1] == {"data": [], "next_cursor": None}


@pytest.mark.parametrize("raw", ["not json", "[]", "{" * 3000 + "}" * 3000])
def test_request_refuses_bodies_that_are_not_an_object(org_id: str, raw: str) -> None:
    status, problem, _ = request(org_id, raw_body=raw)
    assert status == 400 and problem and problem["code"] == "validation_error"


def test_a_lower_role_is_403(org_id: str) -> None:
    assert request(org_id, {"to_user_id": "bob"}, identity=CAROL)[1]["code"] == "forbidden"  # type: ignore[index]
    _, created, _ = request(org_id)
    assert created
    for name in ("accept_ownership_transfer", "decline_ownership_transfer"):
        status, problem, _ = act(name, org_id, created["id"], identity=CAROL)
        assert status == 403 and problem and problem["code"] == "forbidden"
    status, problem, _ = act("cancel_ownership_transfer", org_id, created["id"], identity=BOB)
    assert status == 403 and problem and problem["code"] == "forbidden"


def test_accept_returns_the_accepted_transfer_and_list_shows_it(org_id: str) -> None:
    _, created, _ = request(org_id)
    assert created
    status, accepted, _ = act("accept_ownership_transfer", org_id, created["id"], identity=BOB)
    assert status == 200 and accepted and accepted["status"] == "accepted" and set(accepted) == FIELDS
    status, page, _ = listed(org_id, identity=BOB)
    assert status == 200 and page and [t["status"] for t in page["data"]] == ["accepted"]
    status, problem, _ = act("accept_ownership_transfer", org_id, created["id"], identity=BOB)
    assert status == 409 and problem and problem["code"] == "transfer_not_pending"


def test_decline_is_200_and_cancel_is_204(org_id: str) -> None:
    _, first, _ = request(org_id)
    assert first
    status, declined, _ = act("decline_ownership_transfer", org_id, first["id"], identity=BOB)
    assert status == 200 and declined and declined["status"] == "declined"
    _, second, _ = request(org_id)
    assert second
    status, body, _ = act("cancel_ownership_transfer", org_id, second["id"])
    assert status == 204 and body is None
    status, problem, _ = act("accept_ownership_transfer", org_id, second["id"], identity=BOB)
    assert status == 409 and problem and problem["code"] == "transfer_not_pending"


def test_another_org_and_another_app_see_404(org_id: str) -> None:
    _, created, _ = request(org_id)
    assert created
    mallory = {"app_id": "demo", "sub": "mallory", "email": "mallory@example.com"}
    for identity in (mallory, OTHER_APP_BOB):
        assert request(org_id, identity=identity)[0] == 404
        status, problem, _ = listed(org_id, identity=identity)
        assert status == 404 and problem and problem["code"] == "org_not_found"
        for name in ("accept_ownership_transfer", "decline_ownership_transfer", "cancel_ownership_transfer"):
            status, problem, _ = act(name, org_id, created["id"], identity=identity)
            assert status == 404 and problem and problem["code"] == "org_not_found"
    other_org = create_org("other")
    status, problem, _ = act("cancel_ownership_transfer", other_org, created["id"])
    assert status == 404 and problem and problem["code"] == "transfer_not_found"


@pytest.mark.parametrize("transfer_id", ["ot_x", "inv_01JD0000000000000000000000", "..%2F..", "ot_" + "A" * 200])
def test_malformed_transfer_ids_are_404(org_id: str, transfer_id: str) -> None:
    status, problem, _ = act("accept_ownership_transfer", org_id, transfer_id, identity=BOB)
    assert status == 404 and problem and problem["code"] == "transfer_not_found"


def test_a_path_segment_longer_than_any_id_is_400(org_id: str) -> None:
    status, problem, _ = act("accept_ownership_transfer", org_id, "ot_" + "A" * 300, identity=BOB)
    assert status == 400 and problem and problem["code"] == "validation_error"


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"cursor": "forged"}])
def test_the_list_refuses_bad_queries_with_400(org_id: str, query: dict[str, str]) -> None:
    status, problem, _ = listed(org_id, query=query)
    assert status == 400 and problem and problem["code"] == "validation_error"
