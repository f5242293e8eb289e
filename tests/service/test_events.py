"""Events: one per audited change, numbered per org without gaps in the change's own transaction, and
``GET /events``, the app's events oldest first from a cursor."""

from __future__ import annotations

from typing import Any

from orgplane import clock, keys
from orgplane.models.events import EventsQuery
from orgplane.models.invitations import CreateInvitation
from orgplane.models.members import UpdateMember
from orgplane.models.orgs import CreateOrg, UpdateOrg
from orgplane.services import event_log, invitation_links, invitations, members, orgs
from orgplane.store import table
from tests.service.test_operator_handlers import OLGA, call
from tests.support import world
from tests.support.race import race

alice = world.caller("alice")
bob = world.caller("bob")
sam = world.caller("sam", support=True)
olga = world.caller("olga", app_id="other", support=True)


def settle() -> None:
    clock.advance(event_log.SETTLE_SECONDS + 1)


def org_events(org_id: str) -> list[dict[str, Any]]:
    return sorted((i for i in world.items_of(keys.audit_pk("demo", org_id)) if i.get("entity") == "AUDIT"),
                  key=lambda item: item["sequence"])


def all_events(caller: Any = sam, **query: Any) -> list[Any]:
    seen, after = [], None
    for _ in range(50):
        page = event_log.list_events(caller, EventsQuery(after=after, **query))
        seen += page.data
        assert page.next_cursor
        if not page.data and after == page.next_cursor:
            break
        after = page.next_cursor
    return seen


def test_each_change_takes_the_next_number_of_its_org_and_ids_rise_with_it() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    other = orgs.create(bob, CreateOrg(name="Globex")).id
    orgs.update(alice, org_id, UpdateOrg(name="Acme 2"))
    world.add_member(org_id, "carol")
    members.update_member(alice, org_id, "carol", UpdateMember(role="admin"))
    events = org_events(org_id)
    assert [(e["action"], e["sequence"]) for e in events] == [
        ("org.created", 1), ("member.added", 2), ("org.updated", 3), ("member.role_changed", 4)]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert [e["sequence"] for e in org_events(other)] == [1, 2]  # every org counts on its own
    counter = table.get(keys.event_sequence("demo", org_id)) or {}
    assert counter["sequence"] == 4 and counter["last_id"] == events[-1]["id"]


def test_concurrent_changes_of_one_org_get_distinct_numbers_without_gaps() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    users = [f"user{n}" for n in range(8)]
    for user in users:
        world.add_member(org_id, user)
    results = race(*(lambda u=user: members.update_member(alice, org_id, u, UpdateMember(role="admin"))
                     for user in users))
    assert all(not isinstance(r, str) for r in results), results
    numbers = [e["sequence"] for e in org_events(org_id)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 2 + len(users)


def test_a_change_that_fails_announces_nothing_and_takes_no_number() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    assert world.code_of(lambda: members.update_member(alice, org_id, "me", UpdateMember(role="admin"))) == \
        "last_owner"
    assert len(org_events(org_id)) == 2
    assert (table.get(keys.event_sequence("demo", org_id)) or {})["sequence"] == 2


def test_accepting_an_invitation_announces_the_acceptance_and_then_member_added() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    invitation = invitations.create(alice, org_id, CreateInvitation(email="bob@example.com", role="admin"))
    invitations.accept_by_id(bob, invitation.id)
    accepted, added = org_events(org_id)[-2:]
    assert (accepted["action"], accepted["sequence"]) == ("invitation.accepted", 4)
    assert (added["action"], added["sequence"], added["target"]) == (
        "member.added", 5, {"type": "member", "id": "bob"})
    assert added["details"] == {"user_id": "bob", "role": "admin", "via": "invitation",
                                "invitation_id": invitation.id}


def test_the_events_api_lists_the_app_oldest_first_in_the_event_shape() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org_id, "bob")
    members.remove_member(alice, org_id, "bob")
    settle()
    events = all_events()
    assert [(e.type, e.sequence) for e in events] == [("org.created", 1), ("member.added", 2),
                                                       ("member.removed", 3)]
    first = events[0].model_dump()
    assert set(first) == {"id", "type", "app_id", "org_id", "sequence", "occurred_at", "actor", "target", "data"}
    assert first["app_id"] == "demo" and first["org_id"] == org_id and first["data"] == {"name": "Acme",
                                                                                          "slug": "acme"}
    assert first["actor"]["user_id"] == "alice" and first["occurred_at"].endswith("Z")


def test_the_events_api_filters_by_type_and_org_and_resumes_from_its_cursor() -> None:
    first = orgs.create(alice, CreateOrg(name="Acme")).id
    second = orgs.create(bob, CreateOrg(name="Globex")).id
    world.add_member(first, "carol")
    members.remove_member(alice, first, "carol")
    settle()
    assert [e.type for e in all_events(types="member.removed,org.created")] == [
        "org.created", "org.created", "member.removed"]
    assert {e.org_id for e in all_events(org_id=second)} == {second}
    page = event_log.list_events(sam, EventsQuery(limit=2))
    rest = event_log.list_events(sam, EventsQuery(after=page.next_cursor, limit=100))
    assert [e.id for e in page.data + rest.data] == [e.id for e in all_events()]
    # nothing new: the cursor is still there to poll with, and a new event arrives after it
    again = event_log.list_events(sam, EventsQuery(after=rest.next_cursor))
    assert again.data == [] and again.next_cursor
    orgs.update(alice, first, UpdateOrg(name="Acme 2"))
    settle()
    later = event_log.list_events(sam, EventsQuery(after=again.next_cursor))
    assert [e.type for e in later.data] == ["org.updated"]


def test_the_newest_events_wait_out_the_settle_time() -> None:
    orgs.create(alice, CreateOrg(name="Acme"))
    page = event_log.list_events(sam, EventsQuery())
    assert page.data == [] and page.next_cursor
    settle()
    assert [e.type for e in event_log.list_events(sam, EventsQuery(after=page.next_cursor)).data] == [
        "org.created", "member.added"]


def test_the_events_api_is_for_support_and_sees_only_its_app() -> None:
    orgs.create(alice, CreateOrg(name="Acme"))
    settle()
    assert world.code_of(lambda: event_log.list_events(alice, EventsQuery())) == "forbidden"
    assert event_log.list_events(olga, EventsQuery()).data == []
    cursor = event_log.list_events(sam, EventsQuery(limit=1)).next_cursor
    assert world.code_of(lambda: event_log.list_events(olga, EventsQuery(after=cursor))) == "validation_error"


def test_list_events_handler_answers_problems_for_hostile_queries() -> None:
    orgs.create(alice, CreateOrg(name="Acme"))
    settle()
    status, body = call("list_events", "GET", "/events", query={"types": "org.created", "limit": "1"})
    assert status == 200 and [e["type"] for e in body["data"]] == ["org.created"] and body["next_cursor"]
    for query in ({"after": "forged.cursor"}, {"types": "ORG;DROP"}, {"limit": "0"}, {"org_id": "org_x"},
                  {"types": ",".join(f"a.t{chr(97 + n)}" for n in range(21))}):
        status, problem = call("list_events", "GET", "/events", query=query)
        assert status == 400 and problem["code"] == "validation_error", query
    status, problem = call("list_events", "GET", "/events", identity={"app_id": "demo", "sub": "alice"})
    assert status == 403 and problem["code"] == "forbidden"
    status, body = call("list_events", "GET", "/events", identity=OLGA)
    assert status == 200 and body["data"] == []


def test_an_invitation_link_token_never_appears_in_an_event() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    invitation = invitations.create(alice, org_id, CreateInvitation(email="bob@example.com"))
    nonce = (table.get(keys.invitation("demo", org_id, invitation.id)) or {})["nonce"]
    token = invitation_links.token("demo", org_id, invitation.id, nonce)
    assert all(token not in str(e) and nonce not in str(e) for e in org_events(org_id))


def test_a_service_reads_its_apps_events_with_the_read_scope_and_nothing_without_it() -> None:
    from tests.service.test_service_principals import service

    orgs.create(alice, CreateOrg(name="Acme"))
    settle()
    status, body = call("list_events", "GET", "/events", identity=service("orgplane/read"))
    assert status == 200 and [e["type"] for e in body["data"]][:2] == ["org.created", "member.added"]
    status, problem = call("list_events", "GET", "/events", identity=service("other/scope"))
    assert status == 403 and problem["code"] == "insufficient_scope"
    status, body = call("list_events", "GET", "/events", identity=service("orgplane/read", app_id="other"))
    assert status == 200 and body["data"] == []


def _committing_first(change: Any) -> Any:
    """A context in which ``change`` commits right before the next transaction is sent (once): another
    change of the org numbering its events first, between a change's read and its write."""
    from contextlib import contextmanager

    @contextmanager
    def interleaved() -> Any:
        sent: list[str] = []
        done: list[bool] = []

        def before(event_name: str, **_: Any) -> None:
            operation = event_name.rsplit(".", 1)[-1]
            sent.append(operation)
            if operation == "TransactWriteItems" and not done:
                done.append(True)
                change()

        table.client().meta.events.register("before-call.dynamodb", before, unique_id="interleave")
        try:
            yield sent
        finally:
            table.client().meta.events.unregister("before-call.dynamodb", unique_id="interleave")

    return interleaved()


def test_a_change_that_lost_only_the_counter_is_renumbered_and_written_again_without_a_read() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    world.add_member(org_id, "carol")
    with _committing_first(lambda: orgs.update(alice, org_id, UpdateOrg(name="Acme 2"))) as sent:
        members.update_member(alice, org_id, "carol", UpdateMember(role="admin"))
    ours = sent[sent.index("TransactWriteItems", sent.index("TransactWriteItems") + 1):]
    assert "BatchGetItem" not in ours and "GetItem" not in ours  # the counter came back with the cancellation
    events = org_events(org_id)
    assert [(e["action"], e["sequence"]) for e in events][-2:] == [("org.updated", 3), ("member.role_changed", 4)]
    assert [e["sequence"] for e in events] == list(range(1, 5))


def test_a_renumbered_change_commits_an_event_id_of_its_last_attempt_not_of_when_it_was_built() -> None:
    """``GET /events`` lists ids up to a settle window before now: an id minted when the change was built and
    committed after many turns at a busy counter could land behind a cursor already past it."""
    from orgplane import ids
    from orgplane.services import event_log as log

    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    world.add_member(org_id, "carol")

    def an_older_change_commits_then_time_passes() -> None:
        # a change built before ours (its event id older) takes the next number first...
        counter = table.get(keys.event_sequence("demo", org_id)) or {}
        table.put({**counter, "sequence": int(counter["sequence"]) + 1})
        clock.advance(2 * log.SETTLE_SECONDS)  # ...and ours waits its turn that long

    with _committing_first(an_older_change_commits_then_time_passes):
        members.update_member(alice, org_id, "carol", UpdateMember(role="admin"))
    changed = [e for e in org_events(org_id) if e["action"] == "member.role_changed"]
    assert changed and changed[0]["id"] >= ids.time_floor("evt", clock.timestamp() - log.SETTLE_SECONDS)


def test_a_change_whose_own_guard_failed_with_the_counter_reads_and_decides_again() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    world.add_member(org_id, "carol")
    with _committing_first(lambda: members.remove_member(alice, org_id, "carol")):
        assert world.code_of(lambda: members.update_member(alice, org_id, "carol", UpdateMember(role="admin"))) \
            == "member_not_found"
    assert [e["action"] for e in org_events(org_id)][-1] == "member.removed"
    assert [e["sequence"] for e in org_events(org_id)] == [1, 2, 3]  # created, owner added, removed
