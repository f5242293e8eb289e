"""The HTTP edge of the invitation handlers: statuses, objects, strict bodies and problem codes."""

from __future__ import annotations

from typing import Any

import pytest

from orgplane import keys
from orgplane.services import invitation_links
from orgplane.store import table
from tests.service.test_handlers import call, create_org

BOB = {"app_id": "demo", "sub": "bob", "email": "bob@example.com"}
INVITATIONS = "/orgs/{org_id}/invitations"
INVITATION = "/orgs/{org_id}/invitations/{invitation_id}"
INVITATION_FIELDS = {"id", "org_id", "email", "role", "team_ids", "status", "expires_at", "invited_by", "created_at",
                     "updated_at", "delivery"}


@pytest.fixture
def org_id() -> str:
    return create_org()


def invite(org_id: str, body: Any = None) -> tuple[int, dict[str, Any] | None, str]:
    return call("create_invitation", "POST", INVITATIONS, f"/orgs/{org_id}/invitations",
                path_params={"org_id": org_id}, body={"email": "bob@example.com"} if body is None else body)


def one(name: str, method: str, org_id: str, invitation_id: str, suffix: str = "",
        identity: dict[str, Any] | None = None) -> tuple[int, dict[str, Any] | None, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call(name, method, INVITATION + suffix, f"/orgs/{org_id}/invitations/{invitation_id}{suffix}",
                path_params={"org_id": org_id, "invitation_id": invitation_id}, **kwargs)


def token_of(org_id: str, invitation_id: str) -> str:
    item = table.get(keys.invitation("demo", org_id, invitation_id)) or {}
    return invitation_links.token("demo", org_id, invitation_id, item["nonce"])


def test_create_invitation_is_201_with_the_invitation_object(org_id: str) -> None:
    status, body, content_type = invite(org_id)
    assert status == 201 and content_type == "application/json" and body
    assert set(body) == INVITATION_FIELDS
    assert body["id"].startswith("inv_") and body["role"] == "member" and body["team_ids"] == []
    assert body["delivery"] == {"status": "queued", "attempts": 0, "last_attempt_at": None}


@pytest.mark.parametrize("body", [{}, {"email": 5}, {"email": "bob@example.com", "role": "owner,admin"},
                                  {"email": "bob@example.com", "team_ids": "team_x"},
                                  {"email": "bob@example.com", "expires_in_seconds": 1.5},
                                  {"email": "bob@example.com", "extra": 1}, {"email": "x" * 300 + "@example.com"}])
def test_create_invitation_refuses_bad_bodies_with_400(org_id: str, body: dict[str, Any]) -> None:
    status, problem, _ = invite(org_id, body)
    assert status == 400 and problem and problem["code"] == "validation_error"


def test_list_get_resend_and_revoke_invitation(org_id: str) -> None:
    _, created, _ = invite(org_id)
    assert created
    status, page, _ = call("list_invitations", "GET", INVITATIONS, f"/orgs/{org_id}/invitations",
                           path_params={"org_id": org_id}, query={"status": "pending"})
    assert status == 200 and page and [i["id"] for i in page["data"]] == [created["id"]]
    assert one("get_invitation", "GET", org_id, created["id"])[1] == created
    status, resent, _ = one("resend_invitation", "POST", org_id, created["id"], "/resend")
    assert status == 200 and resent and resent["id"] == created["id"]
    assert one("revoke_invitation", "DELETE", org_id, created["id"])[0] == 204
    status, problem, _ = one("revoke_invitation", "DELETE", org_id, created["id"])
    assert status == 409 and problem and problem["code"] == "invitation_not_pending"


def test_an_unknown_status_filter_is_400(org_id: str) -> None:
    status, problem, _ = call("list_invitations", "GET", INVITATIONS, f"/orgs/{org_id}/invitations",
                              path_params={"org_id": org_id}, query={"status": "lost"})
    assert status == 400 and problem and problem["code"] == "validation_error"


def test_accept_invitation_by_token_returns_the_member(org_id: str) -> None:
    _, created, _ = invite(org_id)
    assert created
    status, member, _ = call("accept_invitation", "POST", "/invitations/accept", "/invitations/accept",
                             identity=BOB, body={"token": token_of(org_id, created["id"])})
    assert status == 200 and member and (member["user_id"], member["org_id"]) == ("bob", org_id)


def test_decline_invitation_by_token_is_204(org_id: str) -> None:
    _, created, _ = invite(org_id)
    assert created
    status, body, _ = call("decline_invitation", "POST", "/invitations/decline", "/invitations/decline",
                           identity=BOB, body={"token": token_of(org_id, created["id"])})
    assert (status, body) == (204, None)


def test_list_my_invitations_then_accept_and_decline_by_id(org_id: str) -> None:
    _, first, _ = invite(org_id)
    other = create_org("beta")
    _, second, _ = invite(other)
    assert first and second
    status, page, _ = call("list_my_invitations", "GET", "/invitations", "/invitations", identity=BOB,
                           query={"email": "alice@example.com"})
    assert status == 200 and page and sorted(i["id"] for i in page["data"]) == sorted([first["id"], second["id"]])
    assert all(i["org_name"] == "Acme" for i in page["data"])
    status, member, _ = call("accept_invitation_by_id", "POST", "/invitations/{invitation_id}/accept",
                             f"/invitations/{first['id']}/accept", identity=BOB,
                             path_params={"invitation_id": first["id"]})
    assert status == 200 and member and member["org_id"] == org_id
    status, _, _ = call("decline_invitation_by_id", "POST", "/invitations/{invitation_id}/decline",
                        f"/invitations/{second['id']}/decline", identity=BOB,
                        path_params={"invitation_id": second["id"]})
    assert status == 204


def test_accept_without_a_token_field_is_400() -> None:
    status, problem, _ = call("accept_invitation", "POST", "/invitations/accept", "/invitations/accept",
                              identity=BOB, body={"token": 12})
    assert status == 400 and problem and problem["code"] == "validation_error"
