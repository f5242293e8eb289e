"""Idempotency-Key on POST: a retry returns the first response and changes nothing (also run on DynamoDB Local)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from devserver import loader, template
from devserver.events import api_event
from orgplane import clock, idempotency, keys
from orgplane.models.orgs import CreateOrg
from orgplane.services import invitation_links, orgs
from orgplane.store import table
from orgplane.store.transaction import STALE, Claim, Claimed, Stale, Transaction, claiming
from tests.support import world

FUNCTIONS = {f.name: f for f in template.functions()}
ALICE = {"app_id": "demo", "sub": "alice", "email": "alice@example.com"}
BOB = {"app_id": "demo", "sub": "bob", "email": "bob@example.com"}
DAY = 24 * 60 * 60


class Answer:
    """One handler response: status, JSON body, headers."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.status: int = response["statusCode"]
        self.body: Any = json.loads(response["body"]) if response.get("body") else None
        self.headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}

    @property
    def replayed(self) -> bool:
        return self.headers.get("idempotent-replayed") == "true"


def send(name: str, method: str, resource: str, path: str, body: Any = None, *, key: str | None = None,
         identity: dict[str, Any] = ALICE, path_params: dict[str, str] | None = None,
         raw_body: str | None = None, handler: Callable[..., Any] | None = None) -> Answer:
    headers = {"Idempotency-Key": key} if key is not None else {}
    event = api_event(method, resource, path, identity=identity, body=body, raw_body=raw_body,
                      headers=headers, path_params=path_params)
    run = handler or loader.load_handler(FUNCTIONS[name])
    return Answer(run(event, loader.LambdaContext(name)))


def post(name: str, resource: str, path: str, body: Any = None, **kwargs: Any) -> Answer:
    return send(name, "POST", resource, path, body, **kwargs)


def create_org(body: Any = None, *, key: str | None = "key-1", identity: dict[str, Any] = ALICE,
               raw_body: str | None = None) -> Answer:
    return post("create_org", "/orgs", "/orgs", body if body is not None or raw_body else {"name": "Acme"},
                key=key, identity=identity, raw_body=raw_body)


def create_team(org_id: str, body: Any, *, key: str | None = "key-1",
                handler: Callable[..., Any] | None = None) -> Answer:
    return post("create_team", "/orgs/{org_id}/teams", f"/orgs/{org_id}/teams", body, key=key,
                path_params={"org_id": org_id}, handler=handler)


def org_count(user_id: str = "alice", app_id: str = "demo") -> int:
    counter = table.get(keys.user(app_id, user_id))
    return int(counter["org_count"]) if counter else 0


def audit_events(org_id: str) -> list[dict[str, Any]]:
    return world.items_of(keys.audit_pk("demo", org_id))


def key_item(key: str, operation: str = "create_org", user_id: str = "alice") -> dict[str, Any] | None:
    return table.get(keys.idempotency("demo", user_id, operation, key))


def stored_body(key: str, operation: str = "create_org", user_id: str = "alice") -> Any:
    """The first response's body as the key item keeps it, opened."""
    item = key_item(key, operation, user_id)
    assert item is not None
    return json.loads(idempotency._opened(keys.idempotency("demo", user_id, operation, key), item["response"]["body"]))


# --- a retry replays ---------------------------------------------------------------------------


def test_a_retry_with_the_same_key_and_body_returns_the_first_response_and_creates_nothing() -> None:
    first = create_org()
    retry = create_org()
    assert first.status == 201 and not first.replayed
    assert retry.status == 201 and retry.replayed
    assert retry.body == first.body
    assert retry.headers["content-type"] == "application/json"
    assert org_count() == 1
    assert len(audit_events(first.body["id"])) == 2  # org.created, member.added


def test_the_same_body_written_differently_is_the_same_request() -> None:
    first = create_org(raw_body='{"name": "Acme", "metadata": {"a": 1, "b": 2}}')
    retry = create_org(raw_body='{"metadata":{"b":2,"a":1},\n "name":"Acme"}')
    assert retry.replayed and retry.body == first.body
    assert org_count() == 1


def test_without_a_key_every_post_runs() -> None:
    first, second = create_org(key=None), create_org(key=None)
    assert first.status == second.status == 201
    assert first.body["id"] != second.body["id"] and not second.replayed
    assert org_count() == 2


def test_a_retry_of_a_route_with_path_parameters_returns_the_first_team() -> None:
    org_id = create_org(key=None).body["id"]
    first = create_team(org_id, {"name": "Platform"})
    retry = create_team(org_id, {"name": "Platform"})
    assert first.status == 201 and retry.status == 201 and retry.replayed
    assert retry.body == first.body
    org = table.get(keys.org("demo", org_id))
    assert org is not None and org["team_count"] == 1


def test_a_retried_invitation_and_resend_invite_and_resend_once() -> None:
    org_id = create_org(key=None).body["id"]
    path = f"/orgs/{org_id}/invitations"
    invited = post("create_invitation", "/orgs/{org_id}/invitations", path, {"email": "bob@example.com"},
                   key="invite", path_params={"org_id": org_id})
    again = post("create_invitation", "/orgs/{org_id}/invitations", path, {"email": "bob@example.com"},
                 key="invite", path_params={"org_id": org_id})
    assert invited.status == 201 and again.replayed and again.body == invited.body
    org = table.get(keys.org("demo", org_id))
    assert org is not None and org["pending_invitation_count"] == 1

    invitation_id = invited.body["id"]
    resend = ("resend_invitation", "/orgs/{org_id}/invitations/{invitation_id}/resend",
              f"{path}/{invitation_id}/resend")
    params = {"org_id": org_id, "invitation_id": invitation_id}
    first = post(*resend, key="resend", path_params=params)
    link_after_first = (table.get(keys.invitation("demo", org_id, invitation_id)) or {}).get("nonce")
    retry = post(*resend, key="resend", path_params=params)
    assert first.status == 200 and retry.replayed and retry.body == first.body
    assert (table.get(keys.invitation("demo", org_id, invitation_id)) or {}).get("nonce") == link_after_first


# --- the same key for another request --------------------------------------------------------------


def test_the_same_key_with_a_different_body_is_409_idempotency_key_reused_and_changes_nothing() -> None:
    first = create_org({"name": "Acme"})
    before = table.get(keys.idempotency("demo", "alice", "create_org", "key-1"))
    reused = create_org({"name": "Other"})
    assert reused.status == 409 and reused.body["code"] == "idempotency_key_reused"
    assert reused.headers["content-type"] == "application/problem+json"
    assert org_count() == 1
    assert len(audit_events(first.body["id"])) == 2  # org.created, member.added
    assert table.get(keys.idempotency("demo", "alice", "create_org", "key-1")) == before


def test_the_same_key_on_another_org_path_is_409_idempotency_key_reused() -> None:
    first_org = create_org(key=None).body["id"]
    second_org = create_org({"name": "Beta"}, key=None).body["id"]
    assert create_team(first_org, {"name": "Platform"}).status == 201
    reused = create_team(second_org, {"name": "Platform"})
    assert reused.status == 409 and reused.body["code"] == "idempotency_key_reused"
    org = table.get(keys.org("demo", second_org))
    assert org is not None and org.get("team_count", 0) == 0


# --- scope: app, user, route -------------------------------------------------------------------------


def test_another_users_same_key_executes_independently() -> None:
    alices = create_org()
    bobs = create_org(identity=BOB)
    assert bobs.status == 201 and not bobs.replayed
    assert bobs.body["id"] != alices.body["id"] and bobs.body["created_by"] == "bob"
    assert org_count("alice") == 1 and org_count("bob") == 1


def test_the_same_user_and_key_in_another_app_executes_independently() -> None:
    demo = create_org()
    other = create_org(identity={**ALICE, "app_id": "other"})
    assert other.status == 201 and not other.replayed and other.body["id"] != demo.body["id"]
    assert org_count(app_id="demo") == 1 and org_count(app_id="other") == 1


def test_the_same_key_on_another_route_executes_independently() -> None:
    org = create_org({"name": "Acme"}, key="shared")
    team = create_team(org.body["id"], {"name": "Platform"}, key="shared")
    assert team.status == 201 and not team.replayed and team.body["name"] == "Platform"


# --- the header itself -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "ключ", " leading-space", "tab\tinside", "line\nbreak"],
                         ids=["empty", "too-long", "latin1", "cyrillic", "leading-space", "tab", "newline"])
def test_a_malformed_key_is_400_and_creates_nothing(key: str) -> None:
    answer = create_org(key=key)
    assert answer.status == 400 and answer.body["code"] == "validation_error"
    assert answer.body["errors"][0]["field"] == "Idempotency-Key"
    assert org_count() == 0


def test_a_key_of_255_printable_characters_is_accepted() -> None:
    key = ("Ab0-_.~!#$%&*+/=?^`|{}[]() " * 10)[:254] + "z"
    assert len(key) == 255
    first, retry = create_org(key=key), create_org(key=key)
    assert first.status == 201 and retry.replayed and retry.body == first.body


def test_two_different_key_values_in_one_request_are_400() -> None:
    event = api_event("POST", "/orgs", "/orgs", identity=ALICE, body={"name": "Acme"},
                      multi_headers={"Idempotency-Key": ["a", "b"], "content-type": ["application/json"]})
    answer = Answer(loader.load_handler(FUNCTIONS["create_org"])(event, loader.LambdaContext("create_org")))
    assert answer.status == 400 and answer.body["code"] == "validation_error"
    assert org_count() == 0


def test_an_anonymous_request_learns_nothing_about_its_key() -> None:
    event = api_event("POST", "/orgs", "/orgs", identity=None, body={"name": "Acme"},
                      headers={"Idempotency-Key": "x" * 300})
    answer = Answer(loader.load_handler(FUNCTIONS["create_org"])(event, loader.LambdaContext("create_org")))
    assert answer.status == 401


# --- what is stored, and for how long ------------------------------------------------------------------


def test_the_key_item_holds_the_fingerprint_the_response_and_a_24_hour_ttl() -> None:
    started = int(clock.timestamp())
    first = create_org()
    item = key_item("key-1")
    assert item is not None and item["entity"] == "IDEMPOTENCY"
    assert started + DAY <= item["ttl"] <= int(clock.timestamp()) + DAY
    assert item["response"]["status"] == 201 and item["response"]["body"].startswith("sealed1:")
    assert stored_body("key-1") == first.body


SUPPORT = {"app_id": "demo", "sub": "sam", "email": "sam@example.com", "support": True}


def test_a_secret_shown_once_is_never_plain_in_the_key_item_and_its_retry_shows_it_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A webhook's signing secret is sealed in its endpoint and an invite link's token kept as a hash: the
    stored first response must not be where either can be read from the table."""
    from orgplane.webhooks import url_guard

    monkeypatch.setattr(url_guard, "RESOLVER", lambda host, port: ["93.184.215.14"])  # a public address
    hook = post("create_webhook", "/admin/webhooks", "/admin/webhooks", {"url": "https://hooks.example.com/in"},
                key="hook-1", identity=SUPPORT)
    org_id = create_org().body["id"]
    link = post("create_invite_link", "/orgs/{org_id}/invite-links", f"/orgs/{org_id}/invite-links", {},
                key="link-1", path_params={"org_id": org_id})
    assert hook.status == 201 and hook.body["secret"].startswith("whsec_")
    assert link.status == 201 and link.body["token"]
    for secret, key in ((hook.body["secret"], keys.idempotency("demo", "sam", "create_webhook", "hook-1")),
                        (link.body["token"], keys.idempotency("demo", "alice", "create_invite_link", "link-1"))):
        stored = world.items_of(key["PK"])
        assert stored and not any(secret in json.dumps(item, default=str) for item in stored)
    again = post("create_webhook", "/admin/webhooks", "/admin/webhooks", {"url": "https://hooks.example.com/in"},
                 key="hook-1", identity=SUPPORT)
    assert again.replayed and again.body["secret"] == hook.body["secret"]


def test_a_sealed_response_opens_only_under_the_key_it_was_stored_for() -> None:
    from cryptography.exceptions import InvalidTag

    create_org()
    body = key_item("key-1")["response"]["body"]  # type: ignore[index]
    with pytest.raises(InvalidTag):
        idempotency._opened(keys.idempotency("demo", "alice", "create_org", "key-2"), body)


def test_a_response_stored_in_plain_text_before_sealing_still_replays() -> None:
    first = create_org()
    item = key_item("key-1")
    assert item is not None
    table.put({**item, "response": {**item["response"], "body": json.dumps(first.body)}})
    retry = create_org()
    assert retry.replayed and retry.body == first.body


def test_within_24_hours_the_retry_is_replayed() -> None:
    first = create_org()
    clock.advance(DAY - 60)
    retry = create_org()
    assert retry.replayed and retry.body == first.body
    assert org_count() == 1


def test_after_24_hours_the_key_is_forgotten_even_before_ttl_deletion() -> None:
    first = create_org()
    clock.advance(DAY + 1)
    # the table still holds the expired item (DynamoDB deletes it only eventually): reads must ignore it
    assert key_item("key-1") is not None
    later = create_org()
    assert later.status == 201 and not later.replayed and later.body["id"] != first.body["id"]
    assert org_count() == 2
    item = key_item("key-1")
    assert item is not None and stored_body("key-1")["id"] == later.body["id"]
    assert item["ttl"] >= int(clock.timestamp()) + DAY - 5


def test_after_24_hours_a_different_body_is_no_longer_a_reuse() -> None:
    create_org({"name": "Acme"})
    clock.advance(DAY + 1)
    answer = create_org({"name": "Other"})
    assert answer.status == 201 and answer.body["name"] == "Other"


# --- errors ------------------------------------------------------------------------------------------


def test_a_refused_request_stores_nothing_and_its_retry_runs_again() -> None:
    bobs = create_org({"name": "Acme", "slug": "acme"}, key=None, identity=BOB)
    refused = create_org({"name": "Acme", "slug": "acme"})
    assert refused.status == 409 and refused.body["code"] == "slug_taken"
    assert key_item("key-1") is None
    deleted = send("delete_org", "DELETE", "/orgs/{org_id}", f"/orgs/{bobs.body['id']}", identity=BOB,
                   path_params={"org_id": bobs.body["id"]})
    assert deleted.status == 204
    retry = create_org({"name": "Acme", "slug": "acme"})
    assert retry.status == 201 and not retry.replayed and retry.body["slug"] == "acme"


def test_a_request_that_wrote_and_then_failed_replays_its_failure_and_never_writes_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = orgs.records.to_org
    failures = iter([RuntimeError("after the commit")])

    def fail_once(item: dict[str, Any]) -> Any:
        error = next(failures, None)
        if error is not None:
            raise error
        return real(item)

    monkeypatch.setattr(orgs.records, "to_org", fail_once)
    first = create_org()
    retry = create_org()
    assert first.status == 500 and first.body["code"] == "internal_error"
    assert retry.status == 500 and retry.replayed and retry.body == first.body
    assert org_count() == 1


def test_a_key_whose_first_request_never_answers_is_409_conflict_after_a_short_wait(
        monkeypatch: pytest.MonkeyPatch) -> None:
    create_org()
    item = key_item("key-1")
    assert item is not None
    del item["response"]  # as if the first request's Lambda died between its commit and its answer
    table.put(item)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    answer = create_org()
    assert answer.status == 409 and answer.body["code"] == "conflict"
    assert create_org({"name": "Other"}).body["code"] == "idempotency_key_reused"
    assert org_count() == 1


# --- concurrency -------------------------------------------------------------------------------------


def _all_past_the_lookup(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Every request finds the key free before any of them runs: the claim alone decides."""
    barrier = threading.Barrier(parties, timeout=30)
    begin = idempotency.begin

    def begin_together(*args: Any) -> Any:
        started = begin(*args)
        barrier.wait()
        return started

    monkeypatch.setattr(idempotency, "begin", begin_together)


def _race(requests: list[Callable[..., Answer]]) -> list[Answer]:
    answers: list[Answer | None] = [None] * len(requests)

    def run(index: int) -> None:
        answers[index] = requests[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def _instances(name: str, count: int) -> list[Callable[..., Any]]:
    """One handler per thread, as separate Lambda containers would have."""
    function = FUNCTIONS[name]
    return [getattr(loader.load_instance(function, 900 + n), function.handler_attribute) for n in range(count)]


def test_concurrent_retries_of_one_create_make_one_org_and_answer_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    handlers = _instances("create_org", 4)
    _all_past_the_lookup(monkeypatch, len(handlers))
    answers = _race([lambda h=h: post("create_org", "/orgs", "/orgs", {"name": "Acme"}, key="k", handler=h)
                     for h in handlers])
    assert [a.status for a in answers] == [201] * 4
    assert all(a.body == answers[0].body for a in answers)
    assert sum(not a.replayed for a in answers) == 1
    assert org_count() == 1
    assert len(audit_events(answers[0].body["id"])) == 2  # org.created, member.added


def test_concurrent_retries_of_one_team_create_make_one_team(monkeypatch: pytest.MonkeyPatch) -> None:
    org_id = create_org(key=None).body["id"]
    handlers = _instances("create_team", 3)
    _all_past_the_lookup(monkeypatch, len(handlers))
    answers = _race([lambda h=h: create_team(org_id, {"name": "Platform"}, handler=h) for h in handlers])
    assert [a.status for a in answers] == [201] * 3
    assert all(a.body == answers[0].body for a in answers)
    org = table.get(keys.org("demo", org_id))
    assert org is not None and org["team_count"] == 1


def test_concurrent_uses_of_one_key_for_different_bodies_write_once(monkeypatch: pytest.MonkeyPatch) -> None:
    handlers = _instances("create_org", 2)
    _all_past_the_lookup(monkeypatch, len(handlers))
    answers = _race([lambda h=h, n=n: post("create_org", "/orgs", "/orgs", {"name": f"Org {n}"}, key="k",
                                           handler=h) for n, h in enumerate(handlers)])
    assert sorted(a.status for a in answers) == [201, 409]
    assert [a.body["code"] for a in answers if a.status == 409] == ["idempotency_key_reused"]
    assert org_count() == 1


def test_a_retry_refused_because_its_twin_just_wrote_replays_the_twins_response(
        monkeypatch: pytest.MonkeyPatch) -> None:
    org_id = create_org(key=None).body["id"]
    twin_handler = _instances("create_team", 1)[0]
    twin: list[Answer] = []
    begin = idempotency.begin
    calls = 0

    def twin_runs_in_between(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        started = begin(*args)  # the key is free...
        if calls == 1:  # ...then the twin runs to completion before this request reads the org
            twin.append(create_team(org_id, {"name": "Platform"}, handler=twin_handler))
        return started

    monkeypatch.setattr(idempotency, "begin", twin_runs_in_between)
    answer = create_team(org_id, {"name": "Platform"})  # would be 409 team_name_taken on its own
    assert twin[0].status == 201 and not twin[0].replayed
    assert answer.status == 201 and answer.replayed and answer.body == twin[0].body
    org = table.get(keys.org("demo", org_id))
    assert org is not None and org["team_count"] == 1


# --- the invitation routes: invite, resend, accept and decline -----------------------------------------

INVITATIONS = "/orgs/{org_id}/invitations"
RESEND = "/orgs/{org_id}/invitations/{invitation_id}/resend"
ANSWER_ROUTES = ["accept_invitation", "accept_invitation_by_id", "decline_invitation", "decline_invitation_by_id"]


def invite(org_id: str, email: str = "bob@example.com", *, key: str | None = None,
           handler: Callable[..., Any] | None = None) -> Answer:
    return post("create_invitation", INVITATIONS, f"/orgs/{org_id}/invitations", {"email": email}, key=key,
                path_params={"org_id": org_id}, handler=handler)


def resend(org_id: str, invitation_id: str, *, key: str | None = "key-1",
           handler: Callable[..., Any] | None = None) -> Answer:
    return post("resend_invitation", RESEND, f"/orgs/{org_id}/invitations/{invitation_id}/resend", key=key,
                path_params={"org_id": org_id, "invitation_id": invitation_id}, handler=handler)


def link_token(org_id: str, invitation_id: str) -> str:
    item = table.get(keys.invitation("demo", org_id, invitation_id)) or {}
    return invitation_links.token("demo", org_id, invitation_id, item["nonce"])


def answer(name: str, invitation_id: str, token: str, *, key: str | None = "key-1",
           handler: Callable[..., Any] | None = None) -> Answer:
    """Bob accepts or declines: by the link's token (``accept_invitation``, ``decline_invitation``) or
    by the invitation's id from his own list (``..._by_id``)."""
    verb = "accept" if name.startswith("accept") else "decline"
    if name.endswith("_by_id"):
        return post(name, f"/invitations/{{invitation_id}}/{verb}", f"/invitations/{invitation_id}/{verb}",
                    key=key, identity=BOB, path_params={"invitation_id": invitation_id}, handler=handler)
    return post(name, f"/invitations/{verb}", f"/invitations/{verb}", {"token": token}, key=key, identity=BOB,
                handler=handler)


def invited_org() -> tuple[str, str, str]:
    """Alice's org with one pending invitation for bob: (org_id, invitation_id, the link's token)."""
    org_id = create_org(key=None).body["id"]
    invitation_id = invite(org_id).body["id"]
    return org_id, invitation_id, link_token(org_id, invitation_id)


def actions(org_id: str, action: str) -> int:
    return sum(event["action"] == action for event in audit_events(org_id))


def org_counters(org_id: str) -> tuple[int, int, int]:
    """(member_count, pending_invitation_count, seats_used) of the org."""
    org = table.get(keys.org("demo", org_id)) or {}
    return int(org["member_count"]), int(org.get("pending_invitation_count", 0)), int(org.get("seats_used", 0))


def test_concurrent_retries_of_one_invite_make_one_invitation(monkeypatch: pytest.MonkeyPatch) -> None:
    org_id = create_org(key=None).body["id"]
    handlers = _instances("create_invitation", 3)
    _all_past_the_lookup(monkeypatch, len(handlers))
    answers = _race([lambda h=h: invite(org_id, key="k", handler=h) for h in handlers])
    assert [a.status for a in answers] == [201] * 3
    assert all(a.body == answers[0].body for a in answers)
    assert sum(not a.replayed for a in answers) == 1
    assert org_counters(org_id) == (1, 1, 2)
    assert actions(org_id, "invitation.created") == 1


def test_concurrent_retries_of_one_resend_send_one_new_link(monkeypatch: pytest.MonkeyPatch) -> None:
    org_id, invitation_id, old_token = invited_org()
    handlers = _instances("resend_invitation", 3)
    _all_past_the_lookup(monkeypatch, len(handlers))
    answers = _race([lambda h=h: resend(org_id, invitation_id, handler=h) for h in handlers])
    assert [a.status for a in answers] == [200] * 3
    assert all(a.body == answers[0].body for a in answers)
    assert sum(not a.replayed for a in answers) == 1
    assert actions(org_id, "invitation.resent") == 1
    # the one new link is the one the (single) new delivery carries: bob accepts with it, not the old one
    new_token = link_token(org_id, invitation_id)
    assert new_token != old_token
    assert answer("accept_invitation", invitation_id, old_token, key=None).status == 404
    assert answer("accept_invitation", invitation_id, new_token, key=None).status == 200


@pytest.mark.parametrize("name", ANSWER_ROUTES)
def test_concurrent_retries_of_one_answer_answer_once_and_alike(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    org_id, invitation_id, token = invited_org()
    handlers = _instances(name, 4)
    _all_past_the_lookup(monkeypatch, len(handlers))
    answers = _race([lambda h=h: answer(name, invitation_id, token, handler=h) for h in handlers])
    accepting = name.startswith("accept")
    assert [a.status for a in answers] == [200 if accepting else 204] * 4
    assert all(a.body == answers[0].body for a in answers)
    assert sum(not a.replayed for a in answers) == 1
    invitation = table.get(keys.invitation("demo", org_id, invitation_id)) or {}
    if accepting:
        assert answers[0].body["user_id"] == "bob" and answers[0].body["org_id"] == org_id
        assert invitation["status"] == "accepted"
        assert table.get(keys.member("demo", org_id, "bob")) is not None
        assert org_counters(org_id) == (2, 0, 2) and org_count("bob") == 1
        assert actions(org_id, "invitation.accepted") == 1
    else:
        assert answers[0].body is None
        assert invitation["status"] == "declined"
        assert table.get(keys.member("demo", org_id, "bob")) is None
        assert org_counters(org_id) == (1, 0, 1) and org_count("bob") == 0
        assert actions(org_id, "invitation.declined") == 1
    monkeypatch.undo()  # the requests below go one at a time
    # a later retry with the key replays the same answer; without it, the request meets the new state
    later = answer(name, invitation_id, token)
    assert later.replayed and later.status == answers[0].status and later.body == answers[0].body
    fresh = answer(name, invitation_id, token, key=None)
    assert fresh.status == 409 and fresh.body["code"] == "invitation_not_pending"


@pytest.mark.parametrize("name", ANSWER_ROUTES)
def test_a_retried_answer_replays_the_first_response_and_changes_nothing(name: str) -> None:
    org_id, invitation_id, token = invited_org()
    first = answer(name, invitation_id, token)
    assert first.status in {200, 204} and not first.replayed
    counters, events = org_counters(org_id), audit_events(org_id)
    invitation = table.get(keys.invitation("demo", org_id, invitation_id))
    retry = answer(name, invitation_id, token)
    assert retry.status == first.status and retry.replayed and retry.body == first.body
    assert org_counters(org_id) == counters and audit_events(org_id) == events
    assert table.get(keys.invitation("demo", org_id, invitation_id)) == invitation
    item = key_item("key-1", name, "bob")
    assert item is not None and item["response"]["status"] == first.status


@pytest.mark.parametrize("name", ANSWER_ROUTES)
def test_the_same_answer_key_for_another_invitation_is_409_idempotency_key_reused(name: str) -> None:
    _, first_id, first_token = invited_org()
    second_org = create_org({"name": "Beta"}, key=None).body["id"]
    second_id = invite(second_org).body["id"]
    assert answer(name, first_id, first_token).status in {200, 204}
    reused = answer(name, second_id, link_token(second_org, second_id))
    assert reused.status == 409 and reused.body["code"] == "idempotency_key_reused"
    assert (table.get(keys.invitation("demo", second_org, second_id)) or {})["status"] == "pending"
    assert org_counters(second_org) == (1, 1, 2)


# --- the claim inside transactions ---------------------------------------------------------------------


def _claim(name: str) -> Claim:
    return Claim({**keys.idempotency("demo", "alice", "test", name), "entity": "IDEMPOTENCY",
                  "ttl": int(clock.timestamp()) + DAY}, condition="attribute_not_exists(PK)")


def _marker_key(name: str) -> dict[str, str]:
    return keys.idempotency("demo", "alice", "marker", name)


def _marker(name: str) -> dict[str, Any]:
    return {**_marker_key(name), "entity": "TEST"}


def _committed(claim: Any) -> bool:
    """Read afresh (a type checker would keep the value an earlier assert narrowed)."""
    return bool(claim.committed)


def test_the_claim_rides_on_the_first_transaction_that_commits_and_only_on_it() -> None:
    claim = _claim("c1")
    with claiming(claim):
        stale = Transaction().put(_marker("never"), condition="attribute_exists(PK)", on_fail=STALE)
        with pytest.raises(Stale):
            stale.commit()
        assert not claim.committed and table.get(keys.idempotency("demo", "alice", "test", "c1")) is None
        Transaction().put(_marker("first")).commit()
        assert _committed(claim) and table.get(keys.idempotency("demo", "alice", "test", "c1")) is not None
        Transaction().put(_marker("second")).commit()  # would be Claimed if it carried the claim again
    assert table.get(_marker_key("second")) is not None


def test_a_claimed_item_cancels_the_whole_transaction() -> None:
    with claiming(_claim("c2")):
        Transaction().put(_marker("winner")).commit()
    with claiming(_claim("c2")), pytest.raises(Claimed):
        Transaction().put(_marker("loser")).commit()
    assert table.get(_marker_key("loser")) is None


def test_the_claim_ends_with_its_request() -> None:
    create_org({"name": "Acme", "slug": "acme"}, key=None, identity=BOB)
    refused = create_org({"name": "Acme", "slug": "acme"})  # claims, then fails without committing
    assert refused.status == 409
    orgs.create(world.caller("alice"), CreateOrg(name="Later"))  # outside any request: claims nothing
    assert key_item("key-1") is None
