"""Provisioning from the app's backend: PUT /orgs/{org_id}/members/{user_id} (direct add or role set)
and GET /users/{user_id}/orgs, with every rule an invitation obeys (also run on DynamoDB Local)."""

from __future__ import annotations

from typing import Any

import pytest

from orgplane import keys
from orgplane.caller import Caller
from orgplane.models.orgs import CreateOrg, ListOrgsQuery
from orgplane.models.provisioning import PutMember
from orgplane.services import orgs, provisioning
from tests.service.test_handlers import ALICE, call
from tests.support import world
from tests.support.race import race

alice = world.caller("alice")
BACKEND = Caller(app_id="demo", user_id="demo-backend", email=None, email_verified=False, support=True,
                 request_id="req-backend", type="service", client_id="demo-backend",
                 scopes=("orgplane/read", "orgplane/write"))
OTHER_BACKEND = Caller(app_id="other", user_id="other-backend", email=None, email_verified=False, support=True,
                       type="service", client_id="other-backend", scopes=("orgplane/read", "orgplane/write"))
SERVICE = {"app_id": "demo", "client_id": "demo-backend", "scopes": ("orgplane/read", "orgplane/write")}


def new_org(slug: str = "acme") -> str:
    return orgs.create(alice, CreateOrg(name="Acme", slug=slug)).id


def put(org_id: str, user_id: str, identity: dict[str, Any] | None = None,
        **body: Any) -> tuple[int, dict[str, Any] | None]:
    status, answer, _ = call("put_member", "PUT", "/orgs/{org_id}/members/{user_id}",
                             f"/orgs/{org_id}/members/{user_id}", identity=identity or SERVICE,
                             path_params={"org_id": org_id, "user_id": user_id}, body=body)
    return status, answer


def org_item(org_id: str) -> dict[str, Any]:
    return next(i for i in world.items_of(keys.org_pk("demo", org_id)) if i["entity"] == "ORG")


def test_a_service_adds_a_user_directly_and_the_audit_names_it() -> None:
    org_id = new_org()
    status, member = put(org_id, "bob", email="bob@example.com")
    assert status == 201 and member
    assert {k: member[k] for k in ("org_id", "user_id", "email", "role")} == \
        {"org_id": org_id, "user_id": "bob", "email": "bob@example.com", "role": "member"}
    assert org_item(org_id)["member_count"] == 2
    events = [i for i in world.items_of(keys.audit_pk("demo", org_id))
              if i["action"] == "member.added" and i["target"]["id"] == "bob"]
    assert len(events) == 1 and events[0]["actor"]["type"] == "service"
    assert events[0]["actor"]["client_id"] == "demo-backend"
    assert events[0]["details"] == {"user_id": "bob", "role": "member", "via": "direct"}


def test_putting_a_member_again_sets_the_role_with_200() -> None:
    org_id = new_org()
    assert put(org_id, "bob")[0] == 201
    status, member = put(org_id, "bob", role="admin")
    assert status == 200 and member and member["role"] == "admin"
    status, member = put(org_id, "bob", role="admin")
    assert status == 200 and member and member["role"] == "admin"
    assert org_item(org_id)["member_count"] == 2


def test_support_staff_add_members_directly() -> None:
    org_id = new_org()
    status, _ = put(org_id, "bob", identity={"app_id": "demo", "sub": "sam", "support": True})
    assert status == 201


def test_org_members_cannot_add_directly_even_owners() -> None:
    org_id = new_org()
    status, body = put(org_id, "bob", identity=ALICE)
    assert status == 403 and body and body["code"] == "forbidden"
    assert org_item(org_id)["member_count"] == 1


def test_another_org_or_app_is_404() -> None:
    org_id = new_org()
    status, body = put(org_id, "bob", identity={"app_id": "demo", "sub": "mallory"})
    assert status == 404 and body and body["code"] == "org_not_found"
    status, body = put(org_id, "bob", identity={**SERVICE, "app_id": "other", "client_id": "other-backend"})
    assert status == 404 and body and body["code"] == "org_not_found"
    assert org_item(org_id)["member_count"] == 1


@pytest.mark.parametrize("body", [{"role": "nope"}, {"role": ["admin"]}, {"role": "admin,owner"},
                                  {"email": "not an email"}, {"email": 5}, {"team_ids": []}])
def test_hostile_bodies_are_400_and_change_nothing(body: dict[str, Any]) -> None:
    org_id = new_org()
    status, answer = put(org_id, "bob", **body)
    assert status == 400 and answer and answer["code"] == "validation_error"
    assert org_item(org_id)["member_count"] == 1


def test_the_seat_limit_holds() -> None:
    world.put_settings("demo", max_members_per_org=2)
    org_id = new_org()
    assert put(org_id, "bob")[0] == 201
    status, body = put(org_id, "carol")
    assert status == 409 and body and body["code"] == "member_limit_reached"


def test_the_users_org_limit_holds() -> None:
    world.put_settings("demo", max_orgs_per_user=1)
    first, second = new_org("first"), orgs.create(world.caller("dave"), CreateOrg(name="B", slug="b")).id
    assert put(first, "bob")[0] == 201
    status, body = put(second, "bob")
    assert status == 409 and body and body["code"] == "org_limit_reached"


def test_the_last_owner_cannot_be_demoted() -> None:
    org_id = new_org()
    status, body = put(org_id, "alice", role="member")
    assert status == 409 and body and body["code"] == "last_owner"


def test_an_email_a_pending_invitation_holds_is_refused() -> None:
    from orgplane.models.invitations import CreateInvitation
    from orgplane.services import invitations

    org_id = new_org()
    invitations.create(alice, org_id, CreateInvitation(email="bob@example.com"))
    status, body = put(org_id, "bob", email="BOB@example.com")
    assert status == 409 and body and body["code"] == "already_member"


def test_racing_adds_never_exceed_the_seat_limit() -> None:
    world.put_settings("demo", max_members_per_org=3)
    org_id = new_org()
    results = race(*[lambda n=n: provisioning.put_member(BACKEND, org_id, f"user{n}", PutMember())
                     for n in range(6)])
    assert sum(1 for r in results if not isinstance(r, str)) == 2
    assert sorted(r for r in results if isinstance(r, str)) == ["member_limit_reached"] * 4
    assert org_item(org_id)["member_count"] == 3


def test_racing_adds_of_one_user_give_one_membership() -> None:
    org_id = new_org()
    results = race(*[lambda: provisioning.put_member(BACKEND, org_id, "bob", PutMember()) for _ in range(4)])
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert org_item(org_id)["member_count"] == 2


def test_a_users_orgs_for_the_backend_support_and_the_user() -> None:
    org_id = new_org()
    provisioning.put_member(BACKEND, org_id, "bob", PutMember(role="admin"))
    query = ListOrgsQuery()
    assert [(o.id, o.role) for o in provisioning.list_user_orgs(BACKEND, "bob", query).data] == [(org_id, "admin")]
    bob = world.caller("bob")
    assert [o.id for o in provisioning.list_user_orgs(bob, "me", query).data] == [org_id]
    assert [o.id for o in provisioning.list_user_orgs(bob, "bob", query).data] == [org_id]
    assert [o.id for o in provisioning.list_user_orgs(world.caller("sam", support=True), "bob", query).data] == \
        [org_id]
    assert provisioning.list_user_orgs(OTHER_BACKEND, "bob", query).data == []


def test_a_user_cannot_list_another_users_orgs() -> None:
    new_org()
    assert world.code_of(lambda: provisioning.list_user_orgs(world.caller("bob"), "alice", ListOrgsQuery())) == \
        "forbidden"


def test_list_user_orgs_handler_pages_and_refuses_a_forged_cursor() -> None:
    for n in range(3):
        new_org(f"org-{n}")
    status, body, _ = call("list_user_orgs", "GET", "/users/{user_id}/orgs", "/users/alice/orgs", identity=SERVICE,
                           path_params={"user_id": "alice"}, query={"limit": "2"})
    assert status == 200 and body and len(body["data"]) == 2 and body["next_cursor"]
    status, body, _ = call("list_user_orgs", "GET", "/users/{user_id}/orgs", "/users/alice/orgs", identity=SERVICE,
                           path_params={"user_id": "alice"}, query={"cursor": body["next_cursor"]})
    assert status == 200 and body and len(body["data"]) == 1 and body["next_cursor"] is None
    status, body, _ = call("list_user_orgs", "GET", "/users/{user_id}/orgs", "/users/bob/orgs", identity=SERVICE,
                           path_params={"user_id": "bob"}, query={"cursor": "eyJQSyI6MX0.AAAA"})
    assert status == 400 and body and body["code"] == "validation_error"
