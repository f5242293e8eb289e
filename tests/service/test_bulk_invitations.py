"""Bulk invitations: each row answered as the single route would, in input order; the seat limit and
the org's mail limit exact across the batch and against concurrent invites; few DynamoDB requests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from orgplane import keys
from orgplane.models.invitations import CreateInvitation
from orgplane.models.onboarding import BulkInvitationResults, BulkInvitations
from orgplane.models.orgs import CreateOrg
from orgplane.services import bulk_invitations, invitations, orgs
from orgplane.store import table
from tests.service.test_handlers import call
from tests.support import world
from tests.support.race import race

alice = world.caller("alice")
BULK = "/orgs/{org_id}/invitations/bulk"


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme")).id


def bulk(org_id: str, rows: list[dict[str, Any]], who: Any = alice) -> BulkInvitationResults:
    return bulk_invitations.create_many(who, org_id, BulkInvitations(invitations=rows))


def codes(results: BulkInvitationResults) -> list[str]:
    return [r.error.code if r.error else str(r.status) for r in results.results]


@contextlib.contextmanager
def dynamodb_requests() -> Iterator[list[str]]:
    """The name of every DynamoDB request sent inside the block."""
    seen: list[str] = []

    def before(model: Any, **_: Any) -> None:
        seen.append(model.name)

    events = table.client().meta.events
    events.register("before-call.dynamodb", before)
    try:
        yield seen
    finally:
        events.unregister("before-call.dynamodb", before)


def test_a_hundred_rows_against_sixty_seats_with_ten_members_create_exactly_fifty(org_id: str) -> None:
    world.put_settings("demo", max_members_per_org=60, invitations_per_org_per_hour=None)
    for i in range(9):
        world.add_member(org_id, f"member{i}")
    rows = [{"email": f"user{i}@example.com"} for i in range(100)]
    with dynamodb_requests() as requests:
        results = bulk(org_id, rows)
    assert codes(results) == ["201"] * 50 + ["member_limit_reached"] * 50
    assert [r.email for r in results.results] == [row["email"] for row in rows]
    assert all(r.status == 409 for r in results.results[50:])
    org = table.get(keys.org("demo", org_id)) or {}
    assert (org["seats_used"], org["pending_invitation_count"]) == (60, 50)
    if bulk_invitations.operations_per_transaction() >= 99:
        assert len(requests) <= 8, requests


def test_a_full_batch_of_a_hundred_costs_seven_dynamodb_requests(org_id: str) -> None:
    if bulk_invitations.operations_per_transaction() < 99:
        pytest.skip("this engine takes fewer than DynamoDB's 100 operations per transaction")
    world.put_settings("demo", invitations_per_org_per_hour=None)
    with dynamodb_requests() as requests:
        results = bulk(org_id, [{"email": f"user{i}@example.com"} for i in range(100)])
    assert codes(results) == ["201"] * 100
    # two reads of the batch, five transactions; the two GetItems are the app's settings and roles, which
    # a Lambda container caches (SETTINGS_CACHE_SECONDS) and the tests read every time
    assert requests.count("BatchGetItem") == 2 and requests.count("TransactWriteItems") == 5
    assert requests.count("GetItem") == 2 and len(requests) == 9
    assert len({r.invitation.id for r in results.results if r.invitation}) == 100


def test_each_row_is_answered_as_the_single_route_would_in_input_order(org_id: str) -> None:
    world.add_member(org_id, "bob")  # bob@example.com is a member
    invitations.create(alice, org_id, CreateInvitation(email="carol@example.com"))
    results = bulk(org_id, [
        {"email": "dave@example.com", "role": "admin"},
        {"email": "not-an-email"},
        {"email": "bob@example.com"},
        {"email": "Carol@Example.com"},
        {"email": "erin@example.com", "team_ids": ["team_01JD0000000000000000000000"]},
        {"email": "erin@example.com", "team_ids": ["not-a-team"]},
        {"email": "frank@example.com", "role": "no-such-role"},
        {"email": "DAVE@example.com"},
        {"email": "gina@example.com", "surprise": 1},
        {"role": "member"},
    ])
    assert codes(results) == ["201", "validation_error", "already_member", "invitation_pending", "team_not_found",
                              "team_not_found", "validation_error", "invitation_pending", "validation_error",
                              "validation_error"]
    first = results.results[0]
    assert first.invitation and first.invitation.role == "admin" and first.invitation.email == "dave@example.com"
    invalid = results.results[1].error
    assert invalid and invalid.errors and [e["field"] for e in invalid.errors] == ["email"]
    assert results.results[9].email is None
    assert [r.status for r in results.results] == [201, 400, 409, 409, 404, 404, 400, 409, 400, 400]


def test_rows_the_caller_may_not_grant_are_403_and_the_others_go(org_id: str) -> None:
    world.add_member(org_id, "adam", role="admin")
    adam = world.caller("adam")
    results = bulk(org_id, [{"email": "x@example.com", "role": "owner"}, {"email": "y@example.com"}], who=adam)
    assert codes(results) == ["forbidden", "201"]


def test_rows_inviting_into_teams_need_team_member_manage(org_id: str) -> None:
    from orgplane.models.teams import CreateTeam
    from orgplane.services import teams

    world.put_settings("demo", roles={"recruiter": {"permissions": [
        "org:read", "member:read", "member:invite", "invitation:read"]}})
    world.add_member(org_id, "rita", role="recruiter")
    team = teams.create(alice, org_id, CreateTeam(name="Core")).id
    results = bulk(org_id, [{"email": "x@example.com", "team_ids": [team]}, {"email": "y@example.com"}],
                   who=world.caller("rita"))
    assert codes(results) == ["forbidden", "201"]


def test_the_whole_request_is_404_for_another_org_and_another_app_and_403_for_a_plain_member(org_id: str) -> None:
    from tests.support.world import code_of

    world.add_member(org_id, "bob")
    rows = [{"email": "x@example.com"}]
    assert code_of(lambda: bulk(org_id, rows, who=world.caller("stranger"))) == "org_not_found"
    assert code_of(lambda: bulk(org_id, rows, who=world.caller("alice", app_id="other"))) == "org_not_found"
    assert code_of(lambda: bulk(org_id, rows, who=world.caller("bob"))) == "forbidden"
    assert (table.get(keys.org("demo", org_id)) or {})["pending_invitation_count"] == 0


def test_the_org_mail_limit_is_exact_across_the_batch(org_id: str) -> None:
    world.put_settings("demo", invitations_per_org_per_hour=5)
    invitations.create(alice, org_id, CreateInvitation(email="first@example.com"))
    results = bulk(org_id, [{"email": f"user{i}@example.com"} for i in range(8)])
    assert codes(results) == ["201"] * 4 + ["rate_limited"] * 4
    assert results.results[-1].status == 429


def test_an_address_over_its_own_limit_is_refused_at_the_write_and_the_rest_go(org_id: str) -> None:
    world.put_settings("demo", invitation_sends_per_address_per_hour=1)
    invitations.revoke(alice, org_id, invitations.create(alice, org_id, CreateInvitation(email="bob@example.com")).id)
    results = bulk(org_id, [{"email": "carol@example.com"}, {"email": "bob@example.com"},
                            {"email": "dave@example.com"}])
    assert codes(results) == ["201", "rate_limited", "201"]
    assert (table.get(keys.org("demo", org_id)) or {})["pending_invitation_count"] == 2


def test_every_created_invitation_has_its_audit_event_and_queued_mail(org_id: str) -> None:
    results = bulk(org_id, [{"email": f"user{i}@example.com"} for i in range(30)] + [{"email": "bad"}])
    created = [r.invitation.id for r in results.results if r.invitation]
    assert len(created) == 30
    items = world.items_of(keys.org_pk("demo", org_id))
    events = world.items_of(keys.audit_pk("demo", org_id))
    audited = [e["target"]["id"] for e in events if e["action"] == "invitation.created"]
    assert sorted(audited) == sorted(created)
    queued = [i["id"] for i in items if i.get("entity") == "INVITE" and i["delivery"]["status"] == "queued"]
    assert sorted(queued) == sorted(created)


def test_a_batch_racing_single_invites_never_passes_the_seat_limit(org_id: str) -> None:
    world.put_settings("demo", max_members_per_org=21, invitations_per_org_per_hour=None)

    def single(i: int) -> Any:
        return lambda: invitations.create(alice, org_id, CreateInvitation(email=f"single{i}@example.com")).id

    answers = race(lambda: bulk(org_id, [{"email": f"row{i}@example.com"} for i in range(30)]),
                   *[single(i) for i in range(8)])
    results: BulkInvitationResults = answers[0]
    made = sum(r.status == 201 for r in results.results) + sum(str(a).startswith("inv_") for a in answers[1:])
    assert made == 20
    assert all(r.error.code == "member_limit_reached" for r in results.results if r.error)
    org = table.get(keys.org("demo", org_id)) or {}
    assert (org["seats_used"], org["pending_invitation_count"]) == (21, 20)


def test_rounds_that_settle_rows_do_not_count_against_the_retry_budget(org_id: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent bulk requests on one org each lose some writes to the other: as long as every round
    settles a row, the batch goes on (it used to answer ``conflict`` for the rows left after 8 rounds)."""
    real = bulk_invitations._write

    def one_row_then_a_lost_race(view: Any, rows: Any, plan: Any) -> bool:
        real(view, rows, plan[:1])
        return False  # as if the next chunk lost a race to another request

    monkeypatch.setattr(bulk_invitations, "_write", one_row_then_a_lost_race)
    results = bulk(org_id, [{"email": f"row{i}@example.com"} for i in range(bulk_invitations.MAX_ROUNDS + 4)])
    assert codes(results) == ["201"] * (bulk_invitations.MAX_ROUNDS + 4)


def test_a_row_another_request_invites_meanwhile_is_answered_invitation_pending(org_id: str,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = bulk_invitations._plan
    done: list[bool] = []

    def plan_then_race(view: Any, rows: Any) -> Any:
        planned = real(view, rows)
        if not done:
            done.append(True)
            invitations.create(alice, org_id, CreateInvitation(email="bob@example.com"))
        return planned

    monkeypatch.setattr(bulk_invitations, "_plan", plan_then_race)
    results = bulk(org_id, [{"email": "carol@example.com"}, {"email": "bob@example.com"}])
    assert codes(results) == ["201", "invitation_pending"]


# --- the HTTP edge -----------------------------------------------------------------------------


def post_bulk(org_id: str, body: Any, identity: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any] | None, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call("create_invitations_bulk", "POST", BULK, f"/orgs/{org_id}/invitations/bulk",
                path_params={"org_id": org_id}, body=body, headers=headers, **kwargs)


def test_create_invitations_bulk_answers_200_with_results(org_id: str) -> None:
    status, body, _ = post_bulk(org_id, {"invitations": [{"email": "bob@example.com"}, {"email": "x"}]})
    assert status == 200 and body
    first, second = body["results"]
    assert first["status"] == 201 and first["email"] == "bob@example.com" and first["invitation"]["id"].startswith("inv_")
    assert second["status"] == 400 and second["error"]["code"] == "validation_error"
    assert second["error"]["type"] == "about:blank" and second["error"]["request_id"]


@pytest.mark.parametrize("body", [{}, {"invitations": []}, {"invitations": [{"email": "a@example.com"}] * 101},
                                  {"invitations": "a@example.com"}, {"invitations": ["a@example.com"]},
                                  {"invitations": [{"email": "a@example.com"}], "notify": False}])
def test_create_invitations_bulk_refuses_bad_bodies_with_400(org_id: str, body: Any) -> None:
    status, problem, content_type = post_bulk(org_id, body)
    assert status == 400 and problem and problem["code"] == "validation_error"
    assert content_type == "application/problem+json"
    assert (table.get(keys.org("demo", org_id)) or {})["pending_invitation_count"] == 0


def test_create_invitations_bulk_is_404_for_another_org_and_app_and_403_for_a_member(org_id: str) -> None:
    world.add_member(org_id, "bob")
    body = {"invitations": [{"email": "x@example.com"}]}
    for identity in ({"app_id": "demo", "sub": "stranger"}, {"app_id": "other", "sub": "alice"}):
        status, problem, _ = post_bulk(org_id, body, identity)
        assert status == 404 and problem and problem["code"] == "org_not_found"
    status, problem, _ = post_bulk(org_id, body, {"app_id": "demo", "sub": "bob", "email": "bob@example.com"})
    assert status == 403 and problem and problem["code"] == "forbidden"


def test_one_idempotency_key_covers_the_whole_batch(org_id: str) -> None:
    body = {"invitations": [{"email": f"user{i}@example.com"} for i in range(40)]}
    headers = {"Idempotency-Key": "batch-1"}
    first = post_bulk(org_id, body, headers=headers)
    again = post_bulk(org_id, body, headers=headers)
    assert first[0] == again[0] == 200 and first[1] == again[1]
    assert (table.get(keys.org("demo", org_id)) or {})["pending_invitation_count"] == 40
