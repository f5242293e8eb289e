"""``GET /events`` through the local server: an org's changes come back oldest first with their
sequence, after the settle time; support only; other apps see nothing of them."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.http.client import Client
from tests.http.expect import assert_problem, ok, unique


def events_path(**query: str) -> str:
    return "/events?" + urlencode(query)


SETTLE = 6  # orgplane.services.event_log.SETTLE_SECONDS, plus a second


def test_an_orgs_changes_come_back_as_events_in_sequence(api: Client) -> None:
    owner = unique("owner")
    token = api.token(sub=owner)
    support = api.token(sub=unique("sam"), groups=["support"])
    org = ok(api.post("/orgs", token=token, json={"name": "Acme", "slug": unique("acme")}), 201)
    invitee = unique("bob")
    invitation = ok(api.post(f"/orgs/{org['id']}/invitations", token=token,
                             json={"email": f"{invitee}@example.com"}), 201)
    ok(api.post(f"/invitations/{invitation['id']}/accept", token=api.token(sub=invitee)))
    assert api.delete(f"/orgs/{org['id']}/members/{invitee}", token=token).status == 204
    api.advance_clock(SETTLE)
    events, cursor = [], None
    while True:
        page = ok(api.get(events_path(org_id=org["id"], **({"after": cursor} if cursor else {})), token=support))
        assert page["next_cursor"]
        if not page["data"]:
            break
        events += page["data"]
        cursor = page["next_cursor"]
    assert [(e["type"], e["sequence"]) for e in events] == [
        ("org.created", 1), ("member.added", 2), ("invitation.created", 3), ("invitation.accepted", 4),
        ("member.added", 5), ("member.removed", 6)]
    assert events[4]["data"]["via"] == "invitation" and events[5]["target"] == {"type": "member", "id": invitee}
    assert {e["org_id"] for e in events} == {org["id"]} and {e["app_id"] for e in events} == {"demo"}
    members_only = ok(api.get(events_path(org_id=org["id"], types="member.added"), token=support))
    assert [e["sequence"] for e in members_only["data"]] == [2, 5]
    # another app's support staff sees none of it, and a member is not support
    other = api.token(app="other", sub=unique("olga"), groups=["support"])
    assert ok(api.get(events_path(org_id=org["id"]), token=other))["data"] == []
    assert_problem(api.get("/events", token=token), 403, "forbidden")
    assert_problem(api.get(events_path(after="not-a-cursor"), token=support), 400, "validation_error")


def test_every_event_reaches_the_bus_as_source_orgplane_with_its_type(api: Client) -> None:
    token = api.token(sub=unique("owner"))
    org = ok(api.post("/orgs", token=token, json={"name": "Bus", "slug": unique("bus")}), 201)
    ok(api.patch(f"/orgs/{org['id']}", token=token, json={"name": "Bus 2"}))
    api.drain()
    copies = [c for c in ok(api.get("/_local/events"))["data"] if c["detail"]["org_id"] == org["id"]]
    assert [(c["source"], c["detail_type"], c["detail"]["sequence"]) for c in copies] == [
        ("orgplane", "org.created", 1), ("orgplane", "member.added", 2), ("orgplane", "org.updated", 3)]
    assert set(copies[0]["detail"]) == {"id", "type", "app_id", "org_id", "sequence", "occurred_at", "actor",
                                        "target", "data"}
