"""The issue's journey through the local server: a support user registers a webhook at a local
receiver, creates an org, invites, the invitee accepts, a member is removed; the receiver gets the
events signed and in sequence order, through three refusals; ``GET /events`` returns the same events;
the delivery log shows the attempts; ``/_local/events`` shows the bus copies."""

from __future__ import annotations

from urllib.parse import urlencode

import standardwebhooks

from tests.http.client import Client
from tests.http.expect import assert_problem, ok, unique
from tests.support.receiver import Receiver


def test_the_done_when_journey(api: Client, receiver: Receiver) -> None:
    sam = api.token(sub=unique("sam"), groups=["support"])
    hook = ok(api.post("/admin/webhooks", token=sam, json={
        "url": f"http://127.0.0.1:{receiver.port}/hook",
        "types": ["org.created", "invitation.created", "member.added", "member.removed"]}), 201)
    try:
        owner = unique("owner")
        owner_token = api.token(sub=owner)
        org = ok(api.post("/orgs", token=owner_token, json={"name": "Hooked", "slug": unique("hooked")}), 201)
        receiver.fail[org["id"]] = 3  # the receiver answers 500 three times, then 204
        invitee = unique("bob")
        invitation = ok(api.post(f"/orgs/{org['id']}/invitations", token=sam,
                                 json={"email": f"{invitee}@example.com"}), 201)
        ok(api.post(f"/invitations/{invitation['id']}/accept", token=api.token(sub=invitee)))
        assert api.delete(f"/orgs/{org['id']}/members/{invitee}", token=sam).status == 204
        api.drain()
        assert [e for e in receiver.events() if e["org_id"] == org["id"]] == []  # the first is refused: all wait
        for delay in (5, 300, 1800):  # the retry schedule, fast-forwarded
            api.advance_clock(delay)
            api.drain()
        got = [(h, raw) for h, raw in receiver.received if b'"org_id":"' + org["id"].encode() in raw]
        events = [standardwebhooks.Webhook(hook["secret"]).verify(raw, headers) for headers, raw in got]
        assert [(e["type"], e["sequence"]) for e in events] == [
            ("org.created", 1), ("member.added", 2), ("invitation.created", 3), ("member.added", 5),
            ("member.removed", 6)]
        assert [h["webhook-id"] for h, _ in got] == [e["id"] for e in events]
        # GET /events returns the same events (with the one this endpoint does not take)
        api.advance_clock(6)
        listed = ok(api.get("/events?" + urlencode({"org_id": org["id"]}), token=sam))["data"]
        assert [e for e in listed if e["type"] != "invitation.accepted"] == events
        # the delivery log shows the attempts: the first one took four
        log = ok(api.get(f"/admin/webhooks/{hook['id']}/deliveries", token=sam))["data"]
        mine = [d for d in log if d["event_id"] in {e["id"] for e in events}]
        assert sorted(d["attempts"] for d in mine) == [1, 1, 1, 1, 4]
        assert {d["status"] for d in mine} == {"delivered"}
        # and the bus got every event of the org
        copies = [c for c in ok(api.get("/_local/events"))["data"] if c["detail"]["org_id"] == org["id"]]
        assert [c["detail"]["sequence"] for c in copies] == [1, 2, 3, 4, 5, 6]
        assert_problem(api.get(f"/admin/webhooks/{hook['id']}", token=owner_token), 403, "forbidden")
    finally:
        assert api.delete(f"/admin/webhooks/{hook['id']}", token=sam).status == 204
