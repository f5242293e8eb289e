"""Item 5: ``members`` users join one org as fast as the engine lets them, then its counters are checked.

1. The owner invites half of them with ``POST /orgs/{org_id}/invitations/bulk`` (100 rows a request),
   ``bulk_threads`` requests at a time (an admin's script, not a crowd).
2. ``threads`` workers make the joins, shuffled together: each invitee accepts their invitation
   (``POST /invitations/{invitation_id}/accept``) and the app's backend adds the other half directly
   (``PUT /orgs/{org_id}/members/{user_id}``, service token).
3. The org is read back through the API and checked with :func:`bench.load.invariants.check`
   (``member_count`` equals the members listed, one membership per accepted invitation, one
   ``member.added`` per join, event sequences without gaps), and one more join is refused with
   ``409 member_limit_reached``: the seat limit is set to exactly the members expected.

A join answered ``409 conflict`` (the transaction's retry budget ran out) or ``503`` is counted as an
unexpected answer and tried again by the client, up to :data:`CLIENT_TRIES` times, so the org still
reaches its size; so is a bulk row answered anything but 201 (each row is classified on its own, as
:data:`BULK_ROW`), and such rows are sent again in another bulk request. How the transactions fared inside the server comes from
:mod:`bench.load.contention`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.load import invariants
from bench.load.outcomes import Expect, Recorder, expect
from tests.http.client import Client

CLIENT_TRIES = 5
RETRIED = (409, 503)
BULK_ROW = "POST /orgs/{org_id}/invitations/bulk: one row"


@dataclass
class HotOrgResult:
    members: int
    threads: int
    bulk_threads: int
    invite_seconds: float
    join_seconds: float
    invitations: int
    joins: int
    client_retries: int
    recorder: Recorder
    contention_invite: dict[str, Any]
    contention_join: dict[str, Any]
    member_count: int = 0
    listed: int = 0
    over_limit: str = ""
    violations: list[str] = field(default_factory=list)


def run(client: Client, members: int, threads: int,
        mint: Callable[[str], str], service: str, support: str,
        say: Callable[[str], None], name: str = "hot", bulk_threads: int = 1) -> HotOrgResult:
    """One hot org; ``name`` prefixes its users' ids (several hot orgs run in one load run)."""
    from gevent.pool import Pool

    owner_sub = f"{name}-owner"
    owner = mint(owner_sub)
    recorder = Recorder()
    settings = client.patch("/admin/settings", token=support,
                            json={"max_members_per_org": members + 1, "invitations_per_org_per_hour": members + 100})
    if settings.status != 200:
        raise RuntimeError(f"PATCH /admin/settings: {settings.status} {settings.json}")
    created = client.post("/orgs", token=owner, json={"name": f"Hot org {name}"})
    if created.status != 201:
        raise RuntimeError(f"POST /orgs: {created.status} {created.json}")
    org_id = str(created.json["id"])
    book = invariants.OrgBook(org_id=org_id, owner=owner_sub, members={owner_sub: "owner"})
    book.events.update(["org.created", "member.added"])

    def timed(route: str, allowed: tuple[Expect, ...], send: Callable[[], Any]) -> Any:
        for attempt in range(CLIENT_TRIES):
            started = time.perf_counter()
            response = send()
            ok = recorder.record(route, time.perf_counter() - started, response.status, response.code, allowed,
                                 detail=str(response.json)[:200])
            if ok or response.status not in RETRIED or attempt == CLIENT_TRIES - 1:
                return response
            client_retries[0] += 1
            time.sleep(random.uniform(0.05, 0.2))
        raise AssertionError("unreachable")

    client_retries = [0]
    invitees = [f"{name}-inv-{i}" for i in range(members // 2)]
    direct = [f"{name}-direct-{i}" for i in range(members - len(invitees))]

    # ---------------------------------------------------------------- 1. bulk invitations
    client.get("/_local/load/contention?reset=1")
    invitation_of: dict[str, str] = {}

    def invite(batch: list[str]) -> list[str]:
        """One bulk request; returns the addresses whose rows were refused (to invite again)."""
        started_at = time.perf_counter()
        response = timed("POST /orgs/{org_id}/invitations/bulk", (expect(200),),
                         lambda: client.post(f"/orgs/{org_id}/invitations/bulk", token=owner,
                                             json={"invitations": [{"email": f"{s}@example.com"} for s in batch]}))
        if response.status != 200:
            return batch
        seconds = time.perf_counter() - started_at
        refused = []
        for sub, row in zip(batch, response.json["results"], strict=True):
            code = (row.get("error") or {}).get("code")
            recorder.record(BULK_ROW, seconds, row["status"], code, (expect(201),), detail=str(row.get("error"))[:200])
            if row["status"] == 201:
                invitation_of[sub] = row["invitation"]["id"]
            else:
                refused.append(sub)
        return refused

    left = list(invitees)
    started = time.monotonic()
    for round_ in range(CLIENT_TRIES):
        batches = [left[i:i + 100] for i in range(0, len(left), 100)]
        if not batches:
            break
        say(f"load: hot org {org_id}: {len(left)} bulk invitations in {len(batches)} requests, "
            f"{bulk_threads} at a time{' (again: refused rows)' if round_ else ''}")
        left = [sub for refused in Pool(bulk_threads).imap_unordered(invite, batches) for sub in refused]
        client_retries[0] += len(batches) if round_ else 0
    invite_seconds = time.monotonic() - started
    contention_invite = client.get("/_local/load/contention?reset=1").json
    for sub, invitation in invitation_of.items():
        book.pending[invitation] = sub
    book.events["invitation.created"] += len(invitation_of)

    # ---------------------------------------------------------------- 2. joins from `threads` workers
    jobs: list[tuple[str, str]] = [("accept", s) for s in invitation_of] + [("direct", s) for s in direct]
    random.Random(17).shuffle(jobs)
    tokens = {sub: mint(sub) for sub in invitation_of}
    joined: list[tuple[str, str]] = []

    def join(job: tuple[str, str]) -> None:
        kind, sub = job
        if kind == "accept":
            invitation = invitation_of[sub]
            response = timed("POST /invitations/{invitation_id}/accept", (expect(200),),
                             lambda: client.post(f"/invitations/{invitation}/accept", token=tokens[sub]))
            ok = response.status == 200
        else:
            response = timed("PUT /orgs/{org_id}/members/{user_id}", (expect(201),),
                             lambda: client.put(f"/orgs/{org_id}/members/{sub}", token=service,
                                                json={"role": "member", "email": f"{sub}@example.com"}))
            ok = response.status == 201
        if ok:
            joined.append(job)

    say(f"load: hot org: {len(jobs)} joins ({len(invitation_of)} accepts, {len(direct)} direct adds), "
        f"{threads} at a time")
    started = time.monotonic()
    Pool(threads).map(join, jobs)
    join_seconds = time.monotonic() - started
    contention_join = client.get("/_local/load/contention?reset=1").json
    for kind, sub in joined:
        book.members[sub] = "member"
        book.events["member.added"] += 1
        if kind == "accept":
            invitation = invitation_of[sub]
            del book.pending[invitation]
            book.accepted[invitation] = sub
            book.events["invitation.accepted"] += 1

    # ---------------------------------------------------------------- 3. counters exact
    say("load: hot org: reading it back")
    client.post("/_local/clock", json={"advance_seconds": 10})  # past GET /events' settle horizon
    seen = invariants.observe(client, service, org_id)
    violations = invariants.check(book, seen, members + 1)
    extra = client.put(f"/orgs/{org_id}/members/{name}-one-too-many", token=service,
                       json={"role": "member", "email": f"{name}-one-too-many@example.com"})
    over_limit = f"{extra.status} {extra.code or ''}".strip()
    if len(book.members) == members + 1 and (extra.status, extra.code) != (409, "member_limit_reached"):
        violations.append(f"{org_id}: a join past the seat limit answered {over_limit}")
    return HotOrgResult(members=members, threads=threads, bulk_threads=bulk_threads, invite_seconds=invite_seconds, join_seconds=join_seconds,
                        invitations=len(invitation_of), joins=len(joined), client_retries=client_retries[0],
                        recorder=recorder, contention_invite=contention_invite, contention_join=contention_join,
                        member_count=seen.member_count, listed=len(seen.members),
                        over_limit=over_limit, violations=violations)
