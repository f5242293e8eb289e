"""Joining by a verified email domain: joinable orgs, auto join, join requests (approve with a role,
deny, cancel; one pending per user; approval racing cancellation), the policy's rules, isolation."""

from __future__ import annotations

from typing import Any

import pytest

from orgplane import keys
from orgplane.models.common import ListQuery
from orgplane.models.joining import ApproveJoinRequest, JoinRequest, ListJoinRequestsQuery
from orgplane.models.members import Member
from orgplane.models.orgs import CreateOrg, DomainJoin, UpdateOrg
from orgplane.services import domains, joining, orgs
from orgplane.store import table
from tests.service.test_domains import add_and_publish, resolver  # noqa: F401  (the DNS fixture)
from tests.service.test_handlers import call
from tests.support import reads, world
from tests.support.race import race
from tests.support.world import code_of

alice = world.caller("alice")


def acme_user(sub: str, **fields: Any) -> Any:
    return world.caller(sub, email=f"{sub}@acme.test", **fields)


@pytest.fixture
def org_id() -> str:
    """An org that verified acme.test."""
    org = orgs.create(alice, CreateOrg(name="Acme")).id
    add_and_publish(org, "acme.test")
    domains.verify(alice, org, "acme.test")
    return org


def requested(caller: Any, org_id: str) -> JoinRequest:
    """A join request of ``caller`` (the org's policy is ``request``)."""
    result = joining.join(caller, org_id)
    assert isinstance(result, JoinRequest)
    return result


def policy(org_id: str, mode: str, role: str = "member", who: Any = alice) -> Any:
    return orgs.update(who, org_id, UpdateOrg(domain_join=DomainJoin(mode=mode, role=role)))  # type: ignore[arg-type]


def test_with_auto_a_verified_company_email_sees_the_org_and_joins_at_once(org_id: str) -> None:
    assert policy(org_id, "auto", "admin").domain_join.mode == "auto"
    kim = acme_user("kim")
    listed = joining.joinable(kim).data
    assert [(o.id, o.mode, o.domain, o.name) for o in listed] == [(org_id, "auto", "acme.test", "Acme")]
    member = joining.join(kim, org_id)
    assert isinstance(member, Member) and (member.user_id, member.role, member.email) == ("kim", "admin", "kim@acme.test")
    assert joining.joinable(kim).data == []  # a member now
    assert code_of(lambda: joining.join(kim, org_id)) == "already_member"
    added = [e for e in world.items_of(keys.audit_pk("demo", org_id)) if e["action"] == "member.added"
             and e["details"]["via"] == "domain_join"]
    assert len(added) == 1 and added[0]["target"]["id"] == added[0]["details"]["user_id"]


@pytest.mark.parametrize("caller", [world.caller("eve", email="eve@other.test"),
                                    world.caller("mal", email="mal@acme.test", email_verified=False),
                                    world.caller("nob", email=None)])
def test_anyone_without_a_verified_email_of_the_domain_gets_404(org_id: str, caller: Any) -> None:
    policy(org_id, "auto")
    assert joining.joinable(caller).data == []
    assert code_of(lambda: joining.join(caller, org_id)) == "org_not_found"


def test_policy_off_hides_the_org_and_a_removed_domain_too(org_id: str) -> None:
    kim = acme_user("kim")
    assert joining.joinable(kim).data == [] and code_of(lambda: joining.join(kim, org_id)) == "org_not_found"
    policy(org_id, "auto")
    domains.remove(alice, org_id, "acme.test")
    assert joining.joinable(kim).data == [] and code_of(lambda: joining.join(kim, org_id)) == "org_not_found"


def test_auto_join_respects_the_seat_limit(org_id: str) -> None:
    policy(org_id, "auto")
    world.put_settings("demo", max_members_per_org=1)
    assert code_of(lambda: joining.join(acme_user("kim"), org_id)) == "member_limit_reached"


def test_with_request_a_join_request_is_filed_once_and_an_admin_approves_it_with_a_role(org_id: str) -> None:
    policy(org_id, "request")
    kim = acme_user("kim")
    assert joining.joinable(kim).data[0].mode == "request"
    request = requested(kim, org_id)
    assert isinstance(request, JoinRequest) and request.id.startswith("jr_") and request.status == "pending"
    assert code_of(lambda: joining.join(kim, org_id)) == "join_request_pending"
    pending = joining.list_for_org(alice, org_id, ListJoinRequestsQuery(status="pending")).data
    assert [(r.id, r.email) for r in pending] == [(request.id, "kim@acme.test")]
    member = joining.approve(alice, org_id, request.id, ApproveJoinRequest(role="admin"))
    assert (member.user_id, member.role) == ("kim", "admin")
    mine = joining.list_mine(kim, ListQuery()).data
    assert [(r.status, r.decided_by) for r in mine] == [("approved", "alice")]
    assert code_of(lambda: joining.approve(alice, org_id, request.id, ApproveJoinRequest())) == \
        "join_request_not_pending"


def test_deny_and_cancel_end_a_request_and_free_the_slot(org_id: str) -> None:
    policy(org_id, "request")
    kim = acme_user("kim")
    first = requested(kim, org_id)
    joining.deny(alice, org_id, first.id)
    second = requested(kim, org_id)
    joining.cancel(kim, second.id)
    assert code_of(lambda: joining.cancel(kim, second.id)) == "join_request_not_pending"
    assert [r.status for r in joining.list_mine(kim, ListQuery()).data] == ["denied", "cancelled"]
    assert code_of(lambda: joining.cancel(acme_user("lee"), first.id)) == "join_request_not_found"
    assert table.get(keys.pending_join("demo", org_id, "kim")) is None


def test_approval_racing_cancellation_leaves_one_outcome(org_id: str) -> None:
    policy(org_id, "request")
    kim = acme_user("kim")
    request = requested(kim, org_id)
    approved, cancelled = race(lambda: joining.approve(alice, org_id, request.id, ApproveJoinRequest()).user_id,
                               lambda: joining.cancel(kim, request.id))
    member = table.get(keys.member("demo", org_id, "kim"))
    status = joining.list_mine(kim, ListQuery()).data[0].status
    if approved == "kim":
        assert cancelled == "join_request_not_pending" and member is not None and status == "approved"
    else:
        assert approved == "join_request_not_pending" and cancelled is None and member is None
        assert status == "cancelled"


def test_the_policy_needs_domain_manage_and_never_names_a_role_above_the_callers(org_id: str) -> None:
    world.add_member(org_id, "adam", role="admin")
    world.add_member(org_id, "bob")
    assert code_of(lambda: policy(org_id, "auto", who=world.caller("bob"))) == "forbidden"
    assert code_of(lambda: policy(org_id, "auto", "owner", who=world.caller("adam"))) == "forbidden"
    assert policy(org_id, "request", "admin", who=world.caller("adam")).domain_join.role == "admin"
    assert code_of(lambda: policy(org_id, "auto", "no-such-role")) == "validation_error"


def test_approving_never_grants_more_than_the_approver_holds(org_id: str) -> None:
    policy(org_id, "request")
    world.add_member(org_id, "adam", role="admin")
    world.add_member(org_id, "bob")
    request = requested(acme_user("kim"), org_id)
    adam, bob = world.caller("adam"), world.caller("bob")
    assert code_of(lambda: joining.approve(adam, org_id, request.id, ApproveJoinRequest(role="owner"))) == "forbidden"
    assert code_of(lambda: joining.approve(bob, org_id, request.id, ApproveJoinRequest())) == "forbidden"
    assert code_of(lambda: joining.list_for_org(bob, org_id, ListJoinRequestsQuery())) == "forbidden"
    assert joining.approve(adam, org_id, request.id, ApproveJoinRequest(role="admin")).role == "admin"



def test_a_deleted_orgs_join_requests_leave_the_requesters_list_and_cannot_be_cancelled(org_id: str) -> None:
    from orgplane.models.orgs import RestoreOrg
    from orgplane.services import lifecycle

    policy(org_id, "request")
    kim = acme_user("kim")
    request = requested(kim, org_id)
    orgs.delete(alice, org_id)
    assert joining.list_mine(kim, ListQuery()).data == []  # as its invitations leave GET /invitations
    assert code_of(lambda: joining.cancel(kim, request.id)) == "join_request_not_found"
    lifecycle.restore(world.caller("sam", support=True), org_id, RestoreOrg())
    assert [(r.id, r.status) for r in joining.list_mine(kim, ListQuery()).data] == [(request.id, "pending")]
    joining.cancel(kim, request.id)  # back with the org, untouched
    assert joining.list_mine(kim, ListQuery()).data[0].status == "cancelled"


def test_a_join_never_commits_on_a_policy_lowered_since_it_was_read(org_id: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """One BatchGetItem is no snapshot: the org (its policy) may be read before a change whose event counter
    is read after it; the join's write holds only while the policy is the one read."""
    policy(org_id, "auto", "admin")
    real = table.batch_get

    def torn(wanted: Any, *args: Any, **kwargs: Any) -> Any:
        found = real(wanted, *args, **kwargs)
        if wanted and wanted[0] == keys.org("demo", org_id) and len(wanted) == 6:  # the join's one read
            monkeypatch.setattr(table, "batch_get", real)
            policy(org_id, "auto", "member")  # lowered between the read of the org and of its event counter
            found = [*found[:-1], real([wanted[-1]])[0]]
        return found

    monkeypatch.setattr(table, "batch_get", torn)
    member = joining.join(acme_user("kim"), org_id)
    assert isinstance(member, Member) and member.role == "member"

# --- the HTTP edge -----------------------------------------------------------------------------

KIM = {"app_id": "demo", "sub": "kim", "email": "kim@acme.test"}


def org_call(name: str, method: str, org_id: str, suffix: str, resource: str, identity: dict[str, Any] | None = None,
             body: Any = None, request_id: str | None = None, **kwargs: Any) -> tuple[int, Any, str]:
    params = {"org_id": org_id, **({"request_id": request_id} if request_id else {})}
    path = f"/orgs/{org_id}{suffix}".replace("{request_id}", request_id or "")
    if identity:
        kwargs["identity"] = identity
    if body is not None:
        kwargs["body"] = body
    return call(name, method, resource, path, path_params=params, **kwargs)


def join_http(org_id: str, identity: dict[str, Any] = KIM) -> tuple[int, Any, str]:
    return org_call("join_org", "POST", org_id, "/join", "/orgs/{org_id}/join", identity)


def org_routes(org_id: str, request_id: str, identity: dict[str, Any] | None = None) -> list[tuple[int, Any, str]]:
    base = "/orgs/{org_id}/join-requests"
    return [org_call("list_join_requests", "GET", org_id, "/join-requests", base, identity),
            org_call("approve_join_request", "POST", org_id, "/join-requests/{request_id}/approve",
                     base + "/{request_id}/approve", identity, body={}, request_id=request_id),
            org_call("deny_join_request", "POST", org_id, "/join-requests/{request_id}/deny",
                     base + "/{request_id}/deny", identity, request_id=request_id)]


def test_join_routes_answer_201_or_202_and_the_request_routes_200_and_204(org_id: str) -> None:
    policy(org_id, "request")
    status, request, _ = join_http(org_id)
    assert status == 202 and request["status"] == "pending"
    status, mine, _ = call("list_my_join_requests", "GET", "/me/join-requests", "/me/join-requests", identity=KIM)
    assert status == 200 and mine and [r["id"] for r in mine["data"]] == [request["id"]]
    status, member, _ = org_routes(org_id, request["id"])[1]
    assert status == 200 and member["user_id"] == "kim"
    policy(org_id, "auto")
    status, member, _ = join_http(org_id, {"app_id": "demo", "sub": "lee", "email": "lee@acme.test"})
    assert status == 201 and member["user_id"] == "lee"
    status, joinable, _ = call("list_joinable_orgs", "GET", "/me/joinable-orgs", "/me/joinable-orgs",
                               identity={"app_id": "demo", "sub": "max", "email": "max@acme.test"})
    assert status == 200 and joinable and [o["id"] for o in joinable["data"]] == [org_id]


def test_join_routes_are_404_for_another_org_and_another_app(org_id: str) -> None:
    policy(org_id, "request")
    request = requested(acme_user("kim"), org_id)
    other_app = {"app_id": "other", "sub": "alice", "email": "alice@acme.test"}
    for identity in ({"app_id": "demo", "sub": "stranger"}, other_app):
        for status, problem, _ in org_routes(org_id, request.id, identity):
            assert status == 404 and problem["code"] == "org_not_found"
    assert join_http(org_id, {"app_id": "other", "sub": "kim2", "email": "kim2@acme.test"})[1]["code"] == "org_not_found"
    status, problem, _ = call("cancel_join_request", "DELETE", "/me/join-requests/{request_id}",
                              f"/me/join-requests/{request.id}", path_params={"request_id": request.id},
                              identity={"app_id": "other", "sub": "kim", "email": "kim@acme.test"})
    assert status == 404 and problem and problem["code"] == "join_request_not_found"
    status, listed, _ = call("list_joinable_orgs", "GET", "/me/joinable-orgs", "/me/joinable-orgs",
                             identity={"app_id": "other", "sub": "max", "email": "max@acme.test"})
    assert status == 200 and listed and listed["data"] == []
    assert joining.list_mine(acme_user("kim"), ListQuery()).data[0].status == "pending"


def test_join_request_routes_are_403_for_a_plain_member(org_id: str) -> None:
    policy(org_id, "request")
    world.add_member(org_id, "bob")
    request = requested(acme_user("kim"), org_id)
    for status, problem, _ in org_routes(org_id, request.id, {"app_id": "demo", "sub": "bob"}):
        assert status == 403 and problem["code"] == "forbidden"
    status, problem, _ = org_call("update_org", "PATCH", org_id, "", "/orgs/{org_id}", {"app_id": "demo", "sub": "bob"},
                                  body={"domain_join": {"mode": "auto"}})
    assert status == 403 and problem["code"] == "forbidden"


@pytest.mark.parametrize("body", [{"role": "Owner!"}, {"role": 5}, {"role": "member", "x": 1}])
def test_approve_refuses_bad_bodies_with_400(org_id: str, body: Any) -> None:
    policy(org_id, "request")
    request = requested(acme_user("kim"), org_id)
    status, problem, _ = org_call("approve_join_request", "POST", org_id, "/join-requests/{request_id}/approve",
                                  "/orgs/{org_id}/join-requests/{request_id}/approve", body=body, request_id=request.id)
    assert status == 400 and problem["code"] == "validation_error"
    assert joining.list_mine(acme_user("kim"), ListQuery()).data[0].status == "pending"


@pytest.mark.parametrize("domain_join", [{"mode": "always"}, {"mode": "auto", "role": "Owner!"}, "auto",
                                         {"mode": "auto", "extra": 1}, None])
def test_a_bad_domain_join_policy_is_400(org_id: str, domain_join: Any) -> None:
    status, problem, _ = org_call("update_org", "PATCH", org_id, "", "/orgs/{org_id}", body={"domain_join": domain_join})
    assert status == 400 and problem["code"] == "validation_error"
    assert (table.get(keys.org("demo", org_id)) or {}).get("domain_join") is None


def test_malformed_request_ids_are_404(org_id: str) -> None:
    status, problem, _ = call("cancel_join_request", "DELETE", "/me/join-requests/{request_id}",
                              "/me/join-requests/jr_nope", path_params={"request_id": "jr_nope"}, identity=KIM)
    assert status == 404 and problem and problem["code"] == "join_request_not_found"
    assert org_routes(org_id, "jr_nope")[2][1]["code"] == "join_request_not_found"


def test_asking_to_join_is_one_read_and_one_write(org_id: str) -> None:
    """The org's event counter comes with the org, so the request's event is numbered without a read."""
    policy(org_id, "request")
    with reads.requests_sent() as sent:
        requested(acme_user("kim"), org_id)
    assert sent == ["BatchGetItem", "TransactWriteItems"]
