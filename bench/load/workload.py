"""The mixed workload: locust users, each the owner of one org, making the real routes' calls.

Only a user's own org is changed by that user, so its :class:`~bench.load.invariants.OrgBook` is exact: every
request knows which answers it may get (:mod:`bench.load.outcomes`), and every successful change adds
the events it must announce. Reads of other kinds run beside the changes (the caller's orgs, the app's
event feed by a service). Each task makes one request; a task whose precondition does not hold (no
pending invitation to accept) makes a read instead, so the mix stays busy.

Deliberate conflicts, expected: accepting an invitation already accepted (``409 invitation_not_pending``),
inviting the address of a member (``409 already_member``), inviting into a full org
(``409 member_limit_reached``, when the book says the org has no free seat).

Imported only by ``python -m bench.load`` (locust patches the standard library through gevent on import).
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field
from typing import Any

from locust import FastHttpUser, constant, task
from locust.env import Environment

from bench.load.invariants import OrgBook
from bench.load.outcomes import Expect, Recorder, expect
from devserver import tokens

APP = "demo"
MAX_TEAMS = 4


@dataclass
class Shared:
    """What every load user reads and writes: set by :func:`run` before users start."""

    recorder: Recorder = field(default_factory=Recorder)
    books: list[OrgBook] = field(default_factory=list)
    now: float = 0.0
    seat_limit: int = 12
    service: str = ""
    serial: itertools.count[int] = field(default_factory=itertools.count)
    tokens: dict[str, str] = field(default_factory=dict)
    stopping: bool = False  # set at the deadline: no new request starts, those in flight finish
    in_flight: int = 0

    def token(self, sub: str) -> str:
        found = self.tokens.get(sub)
        if found is None:
            found = self.tokens[sub] = tokens.mint(APP, sub, email=email_of(sub), ttl=4 * 3600, now=self.now)
        return found


def email_of(sub: str) -> str:
    return f"{sub}@example.com"


SHARED = Shared()


class OrgOwner(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.sub = f"ld-owner-{next(SHARED.serial)}"
        self.owner_token = SHARED.token(self.sub)
        self.book: OrgBook | None = None
        self.answered: list[str] = []  # invitation ids this org's invitees accepted
        self._create_org()

    # ---------------------------------------------------------------- plumbing

    def call(self, method: str, path: str, route: str, token: str, *allowed: Expect,
             body: Any = None) -> tuple[int, Any]:
        if SHARED.stopping:  # the book must see the answer of every request sent: none is cut off
            return 0, None
        SHARED.in_flight += 1
        try:
            return self._send(method, path, route, token, allowed, body)
        finally:
            SHARED.in_flight -= 1

    def _send(self, method: str, path: str, route: str, token: str, allowed: tuple[Expect, ...],
              body: Any) -> tuple[int, Any]:
        started = time.perf_counter()
        with self.client.request(method, path, name=route, headers={"Authorization": f"Bearer {token}"},
                                 json=body, catch_response=True) as response:
            seconds = time.perf_counter() - started
            status = int(response.status_code or 0)
            parsed: Any = None
            if response.text and "json" in (response.headers.get("content-type") or ""):
                try:
                    parsed = response.json()
                except ValueError:
                    parsed = None
            code = parsed.get("code") if isinstance(parsed, dict) else None
            if SHARED.recorder.record(route, seconds, status, code, allowed or (expect(200),),
                                      detail=str(parsed)[:200] if parsed else str(getattr(response, "error", "") or "")):
                response.success()
            else:
                response.failure(f"unexpected {status} {code or ''}")
        return status, parsed

    def _create_org(self) -> None:
        status, org = self.call("POST", "/orgs", "POST /orgs", self.owner_token, expect(201),
                                body={"name": f"Load {self.sub} {next(SHARED.serial)}"})
        if status == 201:
            book = OrgBook(org_id=org["id"], owner=self.sub, members={self.sub: "owner"})
            book.events.update(["org.created", "member.added"])
            SHARED.books.append(book)
            if self.book is None:
                self.book = book

    @property
    def org(self) -> str:
        assert self.book is not None
        return f"/orgs/{self.book.org_id}"

    def _others(self) -> list[str]:
        assert self.book is not None
        return [u for u, role in self.book.members.items() if role != "owner"]

    # ---------------------------------------------------------------- reads

    @task(6)
    def get_org(self) -> None:
        if self.book is None:
            self._create_org()
            return
        self.call("GET", self.org, "GET /orgs/{org_id}", self.owner_token)

    @task(5)
    def list_members(self) -> None:
        if self.book is not None:
            self.call("GET", f"{self.org}/members", "GET /orgs/{org_id}/members", self.owner_token)

    @task(4)
    def permissions(self) -> None:
        if self.book is not None:
            self.call("GET", f"{self.org}/permissions", "GET /orgs/{org_id}/permissions", self.owner_token)

    @task(3)
    def list_orgs(self) -> None:
        self.call("GET", "/orgs", "GET /orgs", self.owner_token)

    @task(2)
    def audit(self) -> None:
        if self.book is not None:
            self.call("GET", f"{self.org}/audit", "GET /orgs/{org_id}/audit", self.owner_token)

    @task(2)
    def events(self) -> None:
        self.call("GET", "/events?limit=50", "GET /events", SHARED.service)

    @task(2)
    def list_teams(self) -> None:
        if self.book is not None:
            self.call("GET", f"{self.org}/teams", "GET /orgs/{org_id}/teams", self.owner_token)

    @task(1)
    def list_invitations(self) -> None:
        if self.book is not None:
            self.call("GET", f"{self.org}/invitations?status=pending", "GET /orgs/{org_id}/invitations",
                      self.owner_token)

    # ---------------------------------------------------------------- invitations

    @task(5)
    def invite(self) -> None:
        book = self.book
        if book is None:
            return
        invitee = f"ld-user-{next(SHARED.serial)}"
        full = book.seats_used() >= SHARED.seat_limit
        status, answer = self.call("POST", f"{self.org}/invitations", "POST /orgs/{org_id}/invitations",
                                   self.owner_token, expect(409, "member_limit_reached") if full else expect(201),
                                   body={"email": email_of(invitee)})
        if status == 201:
            book.pending[answer["id"]] = invitee
            book.events["invitation.created"] += 1

    @task(1)
    def invite_a_member(self) -> None:
        """Deliberate conflict: the address of a member (seats free, so the answer is ``already_member``)."""
        book = self.book
        others = self._others() if book is not None else []
        if book is None or not others or book.seats_used() >= SHARED.seat_limit:
            self.list_members()
            return
        self.call("POST", f"{self.org}/invitations", "POST /orgs/{org_id}/invitations (member's address)",
                  self.owner_token, expect(409, "already_member"), body={"email": email_of(random.choice(others))})

    def _pending(self) -> tuple[str, str] | None:
        if self.book is None or not self.book.pending:
            return None
        invitation = random.choice(list(self.book.pending))
        return invitation, self.book.pending[invitation]

    @task(4)
    def accept(self) -> None:
        book, picked = self.book, self._pending()
        if book is None or picked is None:
            self.invite()
            return
        invitation, invitee = picked
        status, _ = self.call("POST", f"/invitations/{invitation}/accept", "POST /invitations/{invitation_id}/accept",
                              SHARED.token(invitee))
        if status == 200:
            del book.pending[invitation]
            book.accepted[invitation] = invitee
            book.members[invitee] = "member"
            book.events.update(["invitation.accepted", "member.added"])
            self.answered.append(invitation)

    @task(1)
    def accept_again(self) -> None:
        """Deliberate conflict: an invitation already accepted, by the one who accepted it."""
        book = self.book
        if book is None or not self.answered:
            self.permissions()
            return
        invitation = random.choice(self.answered)
        self.call("POST", f"/invitations/{invitation}/accept", "POST /invitations/{invitation_id}/accept (again)",
                  SHARED.token(book.accepted[invitation]), expect(409, "invitation_not_pending"))

    @task(1)
    def decline(self) -> None:
        book, picked = self.book, self._pending()
        if book is None or picked is None:
            self.get_org()
            return
        invitation, invitee = picked
        status, _ = self.call("POST", f"/invitations/{invitation}/decline", "POST /invitations/{invitation_id}/decline",
                              SHARED.token(invitee), expect(204))
        if status == 204:
            del book.pending[invitation]
            book.events["invitation.declined"] += 1

    @task(1)
    def revoke(self) -> None:
        book, picked = self.book, self._pending()
        if book is None or picked is None:
            self.get_org()
            return
        invitation, _ = picked
        status, _ = self.call("DELETE", f"{self.org}/invitations/{invitation}",
                              "DELETE /orgs/{org_id}/invitations/{invitation_id}", self.owner_token, expect(204))
        if status == 204:
            del book.pending[invitation]
            book.events["invitation.revoked"] += 1

    # ---------------------------------------------------------------- members

    @task(2)
    def change_role(self) -> None:
        book = self.book
        others = self._others() if book is not None else []
        if book is None or not others:
            self.list_members()
            return
        user = random.choice(others)
        role = "admin" if book.members[user] == "member" else "member"
        status, _ = self.call("PATCH", f"{self.org}/members/{user}", "PATCH /orgs/{org_id}/members/{user_id}",
                              self.owner_token, body={"role": role})
        if status == 200:
            book.members[user] = role
            book.events["member.role_changed"] += 1

    @task(1)
    def remove_member(self) -> None:
        book = self.book
        others = self._others() if book is not None else []
        if book is None or len(others) < 3:
            self.list_members()
            return
        user = random.choice(others)
        status, _ = self.call("DELETE", f"{self.org}/members/{user}", "DELETE /orgs/{org_id}/members/{user_id}",
                              self.owner_token, expect(204))
        if status == 204:
            del book.members[user]
            for members in book.teams.values():
                members.discard(user)
            book.events["member.removed"] += 1

    @task(1)
    def add_directly(self) -> None:
        """A service adds a user without an invitation (``PUT /orgs/{org_id}/members/{user_id}``)."""
        book = self.book
        if book is None:
            return
        user = f"ld-direct-{next(SHARED.serial)}"
        full = book.seats_used() >= SHARED.seat_limit
        status, _ = self.call("PUT", f"{self.org}/members/{user}", "PUT /orgs/{org_id}/members/{user_id}",
                              SHARED.service, expect(409, "member_limit_reached") if full else expect(201),
                              body={"role": "member", "email": email_of(user)})
        if status == 201:
            book.members[user] = "member"
            book.events["member.added"] += 1

    # ---------------------------------------------------------------- teams

    @task(1)
    def create_team(self) -> None:
        book = self.book
        if book is None or len(book.teams) >= MAX_TEAMS:
            self.list_teams()
            return
        status, team = self.call("POST", f"{self.org}/teams", "POST /orgs/{org_id}/teams", self.owner_token,
                                 expect(201), body={"name": f"Team {next(SHARED.serial)}"})
        if status == 201:
            book.teams[team["id"]] = set()
            book.events["team.created"] += 1

    @task(2)
    def add_to_team(self) -> None:
        book = self.book
        if book is None or not book.teams:
            self.create_team()
            return
        team = random.choice(list(book.teams))
        candidates = [u for u in book.members if u not in book.teams[team]]
        if not candidates:
            self.list_teams()
            return
        user = random.choice(candidates)
        status, _ = self.call("PUT", f"{self.org}/teams/{team}/members/{user}",
                              "PUT /orgs/{org_id}/teams/{team_id}/members/{user_id}", self.owner_token, body={})
        if status == 200:
            book.teams[team].add(user)
            book.events["team.member_added"] += 1

    @task(1)
    def remove_from_team(self) -> None:
        book = self.book
        on_teams = [(t, u) for t, members in (book.teams.items() if book else []) for u in members]
        if book is None or not on_teams:
            self.list_teams()
            return
        team, user = random.choice(on_teams)
        status, _ = self.call("DELETE", f"{self.org}/teams/{team}/members/{user}",
                              "DELETE /orgs/{org_id}/teams/{team_id}/members/{user_id}", self.owner_token, expect(204))
        if status == 204:
            book.teams[team].discard(user)
            book.events["team.member_left" if user == book.owner else "team.member_removed"] += 1

    # ---------------------------------------------------------------- more orgs

    @task(1)
    def another_org(self) -> None:
        """Now and then an owner makes one more org (checked afterwards like the others; not changed again)."""
        if random.random() < 0.3:
            self._create_org()
        else:
            self.list_orgs()


def run(host: str, users: int, seconds: float, max_requests: int) -> tuple[float, int]:
    """Run ``users`` load users against ``host`` for ``seconds`` (or until ``max_requests``); returns the
    seconds it ran and the number of requests."""
    import gevent

    OrgOwner.host = host
    environment = Environment(user_classes=[OrgOwner], host=host)
    runner = environment.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=users)
    deadline = started + seconds
    while time.monotonic() < deadline and SHARED.recorder.total < max_requests:
        gevent.sleep(0.2)
    SHARED.stopping = True
    drain_until = time.monotonic() + 120
    while SHARED.in_flight and time.monotonic() < drain_until:
        gevent.sleep(0.05)
    ran = time.monotonic() - started
    runner.quit()
    return ran, SHARED.recorder.total
