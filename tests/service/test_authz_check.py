"""POST /authz/check: live, batched permission checks (DESIGN section 10), also on DynamoDB Local."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from orgplane.models.authz import CheckRequest
from orgplane.models.members import UpdateMember
from orgplane.models.orgs import CreateOrg
from orgplane.models.teams import CreateTeam, PutTeamMember
from orgplane.services import authz, members, orgs, team_members, teams
from orgplane.store import table
from tests.service.test_handlers import call
from tests.service.test_provisioning import BACKEND, OTHER_BACKEND, SERVICE
from tests.support import world

alice = world.caller("alice")


def checks(*rows: tuple[Any, ...]) -> CheckRequest:
    return CheckRequest.model_validate({"checks": [
        {"user_id": r[0], "org_id": r[1], "permission": r[2], **({"team_id": r[3]} if len(r) > 3 else {})}
        for r in rows]})


def answers(caller: Any, *rows: tuple[Any, ...]) -> list[tuple[bool, str | None, str | None]]:
    return [(r.allowed, r.role, r.team_role) for r in authz.check(caller, checks(*rows)).results]


@pytest.fixture
def org() -> Iterator[str]:
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org_id, "bob")
    world.add_member(org_id, "carol", role="admin")
    yield org_id


def test_results_come_in_the_order_of_the_checks_with_roles(org: str) -> None:
    assert answers(BACKEND, ("bob", org, "org:read"), ("bob", org, "member:invite"), ("carol", org, "member:invite"),
                   ("alice", org, "org:delete"), ("carol", org, "org:delete")) == [
        (True, "member", None), (False, "member", None), (True, "admin", None), (True, "owner", None),
        (False, "admin", None)]


def test_strangers_unknown_orgs_and_malformed_ids_are_false_never_errors(org: str) -> None:
    other_org = orgs.create(world.caller("olga", app_id="other"), CreateOrg(name="O", slug="o")).id
    assert answers(BACKEND, ("mallory", org, "org:read"), ("bob", "org_01JD0000000000000000000000", "org:read"),
                   ("olga", other_org, "org:read"), ("bob", "not-an-org", "org:read"),
                   ("bob", org, "org:read", "not-a-team")) == [(False, None, None)] * 5
    assert answers(OTHER_BACKEND, ("bob", org, "org:read")) == [(False, None, None)]


def test_a_team_maintainer_may_manage_and_update_that_team_only(org: str) -> None:
    core = teams.create(alice, org, CreateTeam(name="Core")).id
    web = teams.create(alice, org, CreateTeam(name="Web")).id
    team_members.put_member(alice, org, core, "bob", PutTeamMember(role="maintainer"))
    team_members.put_member(alice, org, web, "bob", PutTeamMember(role="member"))
    assert answers(BACKEND, ("bob", org, "team:member:manage", core), ("bob", org, "team:update", core),
                   ("bob", org, "team:delete", core), ("bob", org, "team:member:manage", web),
                   ("bob", org, "team:member:manage")) == [
        (True, "member", "maintainer"), (True, "member", "maintainer"), (False, "member", "maintainer"),
        (False, "member", "member"), (False, "member", None)]
    teams.delete(alice, org, core)
    assert answers(BACKEND, ("bob", org, "team:update", core)) == [(False, "member", None)]


def test_checks_are_live_after_a_role_change_and_a_removal(org: str) -> None:
    assert answers(BACKEND, ("bob", org, "member:invite")) == [(False, "member", None)]
    members.update_member(alice, org, "bob", UpdateMember(role="admin"))
    assert answers(BACKEND, ("bob", org, "member:invite")) == [(True, "admin", None)]
    members.remove_member(alice, org, "bob")
    assert answers(BACKEND, ("bob", org, "member:invite")) == [(False, None, None)]


def test_a_user_checks_only_themselves(org: str) -> None:
    bob = world.caller("bob")
    assert answers(bob, ("me", org, "org:read"), ("bob", org, "org:update")) == [
        (True, "member", None), (False, "member", None)]
    assert world.code_of(lambda: authz.check(bob, checks(("me", org, "org:read"), ("carol", org, "org:read")))) \
        == "forbidden"
    assert answers(world.caller("sam", support=True), ("carol", org, "org:update")) == [(True, "admin", None)]


def test_a_services_me_is_no_user(org: str) -> None:
    assert answers(BACKEND, ("me", org, "org:read")) == [(False, None, None)]


@pytest.mark.parametrize("user_id", ["\u00e9" * 255, "\U0001f600" * 255, "service:backend"])
def test_a_user_id_no_token_can_carry_is_nobody_and_forms_no_key(org: str, user_id: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 255 bytes a membership key can outgrow DynamoDB's 1,024-byte sort key, and DynamoDB would refuse
    the whole read (a 500 for the 99 other checks); ``service:`` names a service. Such an id is nobody."""
    formed: list[dict[str, str]] = []
    read = table.batch_get

    def recording(wanted: list[dict[str, str]], *args: Any, **kwargs: Any) -> list[Any]:
        formed.extend(wanted)
        return read(wanted, *args, **kwargs)

    monkeypatch.setattr(table, "batch_get", recording)
    assert answers(BACKEND, (user_id, org, "org:read"), ("bob", org, "org:read")) == [
        (False, None, None), (True, "member", None)]
    assert all(len(key["SK"].encode("utf-8")) <= 1024 for key in formed)
    assert not any(user_id in key["SK"] for key in formed)


def test_a_hundred_checks_cost_at_most_one_batch_read_per_hundred_keys(org: str) -> None:
    core = teams.create(alice, org, CreateTeam(name="Core")).id
    rows = [(f"user{n}", org, "org:read", core) for n in range(100)]
    authz.check(BACKEND, checks(("bob", org, "org:read")))  # app settings are loaded (and cached) once
    calls: list[str] = []
    client = table.client()
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    try:
        results = authz.check(BACKEND, checks(*rows)).results
    finally:
        client.meta.events.unregister("before-call.dynamodb.*")
    assert len(results) == 100 and not any(r.allowed for r in results)
    # 102 distinct keys (the org, the team, 100 memberships): two requests; settings may add a GetItem
    assert [c for c in calls if c != "GetItem"] == ["BatchGetItem", "BatchGetItem"], calls
    assert calls.count("GetItem") <= 1


def handler(body: Any, identity: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any] | None]:
    status, answer, _ = call("check_authz", "POST", "/authz/check", "/authz/check", identity=identity or SERVICE,
                             body=body, headers=headers)
    return status, answer


def test_the_handler_answers_results_and_a_read_scope_suffices(org: str) -> None:
    status, body = handler({"checks": [{"user_id": "bob", "org_id": org, "permission": "org:read"}]},
                           identity={**SERVICE, "scopes": ("orgplane/read",)})
    assert status == 200 and body == {"results": [{"allowed": True, "role": "member", "team_role": None}]}


@pytest.mark.parametrize("body", [
    {"checks": []},
    {"checks": [{"user_id": "bob", "org_id": "org_x", "permission": "org:read"}] * 101},
    {"checks": [{"user_id": "bob", "org_id": "org_x", "permission": "org:fly"}]},
    {"checks": [{"user_id": "bob", "org_id": "org_x"}]},
    {"checks": [{"user_id": "bob", "org_id": "org_x", "permission": "org:read", "extra": 1}]},
    {"checks": [{"user_id": "", "org_id": "org_x", "permission": "org:read"}]},
    {"checks": "all"},
    {},
])
def test_hostile_bodies_are_400(body: Any) -> None:
    status, answer = handler(body)
    assert status == 400 and answer and answer["code"] == "validation_error"


def test_an_idempotency_key_is_ignored_the_answer_is_always_live(org: str) -> None:
    body = {"checks": [{"user_id": "bob", "org_id": org, "permission": "org:read"}]}
    assert handler(body, headers={"Idempotency-Key": "k1"})[1] == {
        "results": [{"allowed": True, "role": "member", "team_role": None}]}
    members.remove_member(alice, org, "bob")
    assert handler(body, headers={"Idempotency-Key": "k1"})[1] == {
        "results": [{"allowed": False, "role": None, "team_role": None}]}
