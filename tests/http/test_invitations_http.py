"""Invitations through the local server: mail in the outbox within seconds, accept by link, mismatch,
resend, revoke, expiry with the clock and the job, teams, isolation."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote

import pytest

from tests.http.client import Client
from tests.http.expect import assert_problem, ok, unique

MAIL_WAIT_SECONDS = 10.0


class World:
    """An owner with an org, and a fresh invitee address, per test (the server is shared)."""

    def __init__(self, api: Client) -> None:
        self.api = api
        self.owner = api.token(sub=unique("owner"))
        self.invitee_sub = unique("invitee")
        self.email = f"{self.invitee_sub}@example.com"
        self.invitee = api.token(sub=self.invitee_sub, email=self.email)
        self.org = ok(api.post("/orgs", token=self.owner, json={"name": "Acme", "slug": unique("acme")}), 201)

    def invite(self, **fields: Any) -> dict[str, Any]:
        return dict(ok(self.api.post(f"/orgs/{self.org['id']}/invitations", token=self.owner,
                                     json={"email": self.email, **fields}), 201))

    def mails(self) -> list[dict[str, Any]]:
        return [m for m in ok(self.api.get("/_local/outbox"))["data"] if self.email in m["to"]]

    def wait_for_mail(self, count: int = 1) -> dict[str, Any]:
        """The ``count``-th mail to the invitee, as soon as the stream consumer has sent it."""
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while time.monotonic() < deadline:
            found = self.mails()
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.1)
        raise AssertionError(f"no mail #{count} to {self.email} within {MAIL_WAIT_SECONDS} s")


def link_token(mail: dict[str, Any]) -> str:
    found = re.search(r"token=([^\s\"&<]+)", mail["text"])
    assert found, mail["text"]
    return unquote(found.group(1))


@pytest.fixture
def world(api: Client) -> World:
    return World(api)


def test_the_invitee_gets_the_mail_within_seconds_and_joins_with_its_link(api: Client, world: World) -> None:
    invitation = world.invite()
    assert invitation["status"] == "pending" and invitation["delivery"]["status"] == "queued"
    started = time.monotonic()
    mail = world.wait_for_mail()
    assert time.monotonic() - started < 5
    assert "Acme" in mail["subject"] and mail["html"] and mail["sent_at"]
    member = ok(api.post("/invitations/accept", token=world.invitee, json={"token": link_token(mail)}))
    assert (member["user_id"], member["role"], member["org_id"]) == (world.invitee_sub, "member", world.org["id"])
    listed = ok(api.get(f"/orgs/{world.org['id']}/members", token=world.owner))["data"]
    assert world.invitee_sub in [m["user_id"] for m in listed]
    shown = ok(api.get(f"/orgs/{world.org['id']}/invitations/{invitation['id']}", token=world.owner))
    assert shown["status"] == "accepted" and shown["delivery"]["status"] == "sent"
    assert ok(api.get(f"/orgs/{world.org['id']}", token=world.owner))["pending_invitation_count"] == 0


def test_the_outbox_empties_on_delete_and_keeps_collecting_afterwards(api: Client, world: World) -> None:
    invitation = world.invite()
    world.wait_for_mail()
    response = api.delete("/_local/outbox")
    assert response.status == 204 and response.json is None
    assert ok(api.get("/_local/outbox"))["data"] == []
    ok(api.post(f"/orgs/{world.org['id']}/invitations/{invitation['id']}/resend", token=world.owner))
    resent = world.wait_for_mail()
    assert world.mails() == [resent]  # only the mail sent after the outbox was emptied


def test_another_user_with_the_link_gets_403_email_mismatch(api: Client, world: World) -> None:
    world.invite()
    token = link_token(world.wait_for_mail())
    stranger = api.token(sub=unique("stranger"))
    assert_problem(api.post("/invitations/accept", token=stranger, json={"token": token}), 403,
            "invitation_email_mismatch")
    assert ok(api.post("/invitations/accept", token=world.invitee, json={"token": token}))["user_id"]


def test_a_resent_invitations_old_link_fails_and_the_new_one_works(api: Client, world: World) -> None:
    invitation = world.invite()
    old = link_token(world.wait_for_mail())
    ok(api.post(f"/orgs/{world.org['id']}/invitations/{invitation['id']}/resend", token=world.owner))
    new = link_token(world.wait_for_mail(2))
    assert new != old
    assert_problem(api.post("/invitations/accept", token=world.invitee, json={"token": old}), 404, "invitation_not_found")
    ok(api.post("/invitations/accept", token=world.invitee, json={"token": new}))


def test_a_revoked_invitation_gives_409(api: Client, world: World) -> None:
    invitation = world.invite()
    token = link_token(world.wait_for_mail())
    assert api.delete(f"/orgs/{world.org['id']}/invitations/{invitation['id']}", token=world.owner).status == 204
    assert_problem(api.post("/invitations/accept", token=world.invitee, json={"token": token}), 409,
            "invitation_not_pending")


def test_past_expiry_accept_is_410_and_the_job_marks_it_expired(api: Client, world: World) -> None:
    invitation = world.invite(expires_in_seconds=300)
    token = link_token(world.wait_for_mail())
    api.advance_clock(301)
    invitee = api.token(sub=world.invitee_sub, email=world.email)  # minted on the moved clock
    assert_problem(api.post("/invitations/accept", token=invitee, json={"token": token}), 410, "invitation_expired")
    assert ok(api.post("/_local/jobs/expire-invitations"))["expired"] >= 1
    owner = api.token(sub=world.org["created_by"])
    shown = ok(api.get(f"/orgs/{world.org['id']}/invitations/{invitation['id']}", token=owner))
    assert shown["status"] == "expired"
    assert_problem(api.post("/invitations/accept", token=invitee, json={"token": token}), 410, "invitation_expired")


def test_the_invitee_lists_and_accepts_in_app(api: Client, world: World) -> None:
    invitation = world.invite()
    mine = ok(api.get("/invitations?email=someone-else@example.com", token=world.invitee))["data"]
    assert [(i["id"], i["org_name"]) for i in mine] == [(invitation["id"], "Acme")]
    ok(api.post(f"/invitations/{invitation['id']}/accept", token=world.invitee))
    assert ok(api.get("/invitations", token=world.invitee))["data"] == []


def test_declining_by_link_is_204_and_frees_the_email(api: Client, world: World) -> None:
    world.invite()
    token = link_token(world.wait_for_mail())
    assert api.post("/invitations/decline", token=world.invitee, json={"token": token}).status == 204
    assert world.invite()["status"] == "pending"


def test_inviting_a_member_is_409_already_member_and_sends_nothing(api: Client, world: World) -> None:
    owner_email = f"{world.org['created_by']}@example.com"
    assert_problem(api.post(f"/orgs/{world.org['id']}/invitations", token=world.owner,
                     json={"email": owner_email.upper()}), 409, "already_member")
    api.drain()
    assert [m for m in ok(api.get("/_local/outbox"))["data"] if owner_email in m["to"]] == []


def test_an_invitation_into_a_team_joins_the_team_on_accept(api: Client, world: World) -> None:
    team = ok(api.post(f"/orgs/{world.org['id']}/teams", token=world.owner, json={"name": "Core"}), 201)
    world.invite(team_ids=[team["id"]])
    ok(api.post("/invitations/accept", token=world.invitee, json={"token": link_token(world.wait_for_mail())}))
    members = ok(api.get(f"/orgs/{world.org['id']}/teams/{team['id']}/members", token=world.owner))["data"]
    assert [m["user_id"] for m in members] == [world.invitee_sub]


@pytest.mark.parametrize("body", [{"email": "not-an-email"}, {"email": "a@example.com", "role": ["admin"]},
                                  {"email": "a@example.com", "expires_in_seconds": "soon"},
                                  {"email": "a@example.com", "surprise": True}])
def test_bad_invitation_bodies_are_400_and_change_nothing(api: Client, world: World, body: dict[str, Any]) -> None:
    assert_problem(api.post(f"/orgs/{world.org['id']}/invitations", token=world.owner, json=body), 400, "validation_error")
    assert ok(api.get(f"/orgs/{world.org['id']}", token=world.owner))["pending_invitation_count"] == 0


def test_invitation_routes_are_404_for_another_org_and_another_app(api: Client, world: World) -> None:
    invitation = world.invite()
    base = f"/orgs/{world.org['id']}/invitations"
    for token in (api.token(sub=unique("outsider")), api.token(app="other", sub=world.org["created_by"])):
        assert_problem(api.get(base, token=token), 404, "org_not_found")
        assert_problem(api.get(f"{base}/{invitation['id']}", token=token), 404, "org_not_found")
        assert_problem(api.delete(f"{base}/{invitation['id']}", token=token), 404, "org_not_found")
        assert_problem(api.post(f"{base}/{invitation['id']}/resend", token=token), 404, "org_not_found")
        assert_problem(api.post(base, token=token, json={"email": "x@example.com"}), 404, "org_not_found")
    other_app_invitee = api.token(app="other", sub=world.invitee_sub, email=world.email)
    assert ok(api.get("/invitations", token=other_app_invitee))["data"] == []
    assert_problem(api.post(f"/invitations/{invitation['id']}/accept", token=other_app_invitee), 404,
            "invitation_not_found")
