"""Part 3: flat cost as orgs grow.

Big populations are written straight into the table with ``BatchWriteItem`` (25 items a request,
a few threads), built by the product's own record builders (``orgplane.store.records``) with keys
from ``orgplane.keys`` and serialised by ``orgplane.store.table.serialize``; nothing here spells a
key. Only the items the measured reads touch are seeded: member items (with their GSI1/GSI2 entries)
for the member lists, org + slug + membership items for the user in many orgs, invitation items
(with their GSI1 and sparse GSI3 entries) for the expiry job. Email claims are seeded only for the
invitations the job changes. Seeded invitations carry delivery status ``sent`` so the delivery
consumer does not mail 10,000 addresses. The org counters are brought in line with one
``UpdateItem`` per org.
"""

from __future__ import annotations

import secrets
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Api, BenchError, Call

APP = "demo"
BATCH = 25
SEED_THREADS = 4


@dataclass
class Comparison:
    """One measured request at two sizes."""

    name: str
    small_label: str
    large_label: str
    small: list[Call]
    large: list[Call]


@dataclass
class Walk:
    name: str
    expected: int
    pages: int
    seen: int
    unique: int
    seconds: float
    empty_pages: int
    requests_per_page: dict[str, tuple[int, int]]  # operation -> (min, max) per page
    rcu: float


@dataclass
class JobRun:
    label: str
    pending: int
    due: int
    expired: list[int]
    calls: list[Call]


@dataclass
class ScaleResult:
    scale: float
    seeded_items: int = 0
    seed_seconds: float = 0.0
    comparisons: list[Comparison] = field(default_factory=list)
    walks: list[Walk] = field(default_factory=list)
    jobs: list[JobRun] = field(default_factory=list)


def sizes(scale: float) -> dict[str, int]:
    return {
        "members": max(100, round(10_000 * scale)),
        "orgs": max(20, round(1_000 * scale)),
        "pending": max(100, round(10_000 * scale)),
        "history": max(100, round(1_000 * scale)),
    }


class Seeder:
    def __init__(self, endpoint: str, table: str) -> None:
        import boto3
        from botocore.config import Config

        self.table = table
        self.client: Any = boto3.client(
            "dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(max_pool_connections=SEED_THREADS * 2, retries={"mode": "standard", "max_attempts": 10}))
        self.items = 0
        self.seconds = 0.0

    def put_all(self, items: Iterable[dict[str, Any]]) -> None:
        from orgplane.store.table import serialize

        started = time.perf_counter()
        requests = [{"PutRequest": {"Item": serialize(item)}} for item in items]
        chunks = [requests[i:i + BATCH] for i in range(0, len(requests), BATCH)]
        with ThreadPoolExecutor(SEED_THREADS) as pool:
            list(pool.map(self._write, chunks))
        self.items += len(requests)
        self.seconds += time.perf_counter() - started

    def _write(self, chunk: list[dict[str, Any]]) -> None:
        pending = chunk
        for attempt in range(10):
            response = self.client.batch_write_item(RequestItems={self.table: pending})
            pending = response.get("UnprocessedItems", {}).get(self.table, [])
            if not pending:
                return
            time.sleep(0.05 * 2 ** attempt)
        raise BenchError("BatchWriteItem kept returning unprocessed items")

    def add_counters(self, org_id: str, **deltas: int) -> None:
        from orgplane import keys
        from orgplane.store.table import serialize, serialize_value

        names = {f"#c{i}": name for i, name in enumerate(deltas)}
        values = {f":c{i}": serialize_value(delta) for i, delta in enumerate(deltas.values())}
        self.client.update_item(TableName=self.table, Key=serialize(keys.org(APP, org_id)),
                                UpdateExpression="ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(deltas))),
                                ExpressionAttributeNames=names, ExpressionAttributeValues=values)


def _members(org_id: str, count: int, prefix: str, now: str) -> list[dict[str, Any]]:
    from orgplane.store import records

    return [records.member_item(APP, org_id, f"{prefix}-{i:06d}", f"{prefix}-{i:06d}@example.com", "member", now)
            for i in range(count)]


def _orgs_of(user_id: str, count: int, tag: str, now: str) -> list[dict[str, Any]]:
    from orgplane import ids
    from orgplane.store import records

    items = []
    for i in range(count):
        org_id = ids.new("org")
        slug = f"scale-{tag}-{i:05d}"
        items += [records.org_item(APP, org_id, f"Scale {tag} {i:05d}", slug, {}, user_id, now),
                  records.slug_item(APP, slug, org_id),
                  records.member_item(APP, org_id, user_id, f"{user_id}@example.com", "owner", now)]
    return items


def _invitations(org_id: str, org_name: str, inviter: str, count: int, prefix: str, server_now: float,
                 expires_in: int, with_claims: bool, same_email: bool = False) -> list[dict[str, Any]]:
    from orgplane import clock, ids
    from orgplane.services import invitation_links
    from orgplane.store import records

    now = clock.iso_at(server_now)
    epoch = int(server_now) + expires_in
    items = []
    for i in range(count):
        invitation_id = ids.new("inv")
        email = f"{prefix}@example.com" if same_email else f"{prefix}-{i:06d}@example.com"
        item = records.invitation_item(
            APP, org_id, invitation_id, email=email, role="member", team_ids=[], invited_by=inviter,
            inviter_email=None, org_name=org_name, ttl_seconds=expires_in, expires_epoch=epoch,
            expires_at=clock.iso_at(epoch), nonce=invitation_links.new_nonce(), send_id=secrets.token_hex(8),
            now=now)
        item["delivery"] = {"status": "sent", "attempts": 1, "last_attempt_at": now}
        items.append(item)
        if with_claims:
            items.append(records.email_claim_item(APP, org_id, email, invitation_id=invitation_id))
    return items


def _answered(org_id: str, org_name: str, inviter: str, count: int, user: str, server_now: float
              ) -> list[dict[str, Any]]:
    """Invitations of one email that were answered (declined) long ago: off the org's pending list and
    the expiry index, and moved aside on the email's GSI1 view, as ``services.invitations.release``
    leaves them."""
    from orgplane import keys

    items = _invitations(org_id, org_name, inviter, count, user, server_now, 7 * 86400, with_claims=False,
                         same_email=True)
    for item in items:
        item["status"] = "declined"
        item["GSI1SK"] = keys.answered_invitation_email_sk(item["id"])
        for name in keys.PENDING_INVITATION_INDEXES:
            item.pop(name, None)
    return items


def _repeat(count: int, call: Callable[[], Call]) -> list[Call]:
    call()  # warm-up, not counted
    return [call() for _ in range(count)]


def _walk(api: Api, path: str, token: str, key: str, expected: int, name: str) -> Walk:
    seen: list[str] = []
    per_op: dict[str, list[int]] = {}
    rcu = 0.0
    pages = empty = 0
    cursor: str | None = None
    started = time.perf_counter()
    while True:
        query = "limit=100" + (f"&cursor={cursor}" if cursor else "")
        call = api.call("GET", f"{path}?{query}", token=token)
        pages += 1
        seen += [str(item[key]) for item in call.response.json["data"]]
        empty += not call.response.json["data"]
        for op in set(per_op) | set(call.ddb["requests"]):
            per_op.setdefault(op, [0] * (pages - 1)).append(call.ddb["requests"].get(op, 0))
        rcu += call.ddb["rcu"]
        cursor = call.response.json["next_cursor"]
        if not cursor:
            break
        if pages > expected + 100:  # a cursor that never ends
            raise BenchError(f"{name}: more pages than items")
    seconds = time.perf_counter() - started
    return Walk(name=name, expected=expected, pages=pages, seen=len(seen), unique=len(set(seen)), seconds=seconds,
                empty_pages=empty, requests_per_page={op: (min(v), max(v)) for op, v in sorted(per_op.items())}, rcu=rcu)


def run(api: Api, samples: int, scale: float, log: Callable[[str], None] | None = None) -> ScaleResult:
    from orgplane import clock

    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    size = sizes(scale)
    tag = uuid.uuid4().hex[:6]
    result = ScaleResult(scale=scale)
    seeder = Seeder(api.endpoint, api.table)
    owner_sub = f"scale-owner-{tag}"
    owner = api.token(owner_sub)

    def new_org(name: str, token: str = owner) -> str:
        return str(api.call("POST", "/orgs", token=token, json_body={"name": name}, expect=201).response.json["id"])

    # ---------------------------------------------------------------- members: 10 vs 10,000
    small, big = new_org(f"Scale small {tag}"), new_org(f"Scale big {tag}")
    now = clock.iso_at(api.now())
    say(f"  seeding 9 + {size['members'] - 1} members")
    seeder.put_all(_members(small, 9, f"small-{tag}", now))
    seeder.put_all(_members(big, size["members"] - 1, f"big-{tag}", now))
    seeder.add_counters(small, member_count=9, seats_used=9)
    seeder.add_counters(big, member_count=size["members"] - 1, seats_used=size["members"] - 1)

    # ---------------------------------------------------------------- a user in 1 org vs in 1,000 orgs
    many_sub, one_sub = f"scale-many-{tag}", f"scale-one-{tag}"
    say(f"  seeding {size['orgs']} orgs of one user")
    seeder.put_all(_orgs_of(many_sub, size["orgs"], tag, now))
    one = api.token(one_sub)
    new_org(f"Scale single {tag}", one)
    many = api.token(many_sub)
    api.drain()  # the stream reader has seen the seeded items: the server is idle again
    say(f"  seeded {seeder.items} items in {seeder.seconds:.1f} s")

    result.comparisons.append(Comparison(
        "list members, first page (50)", "10 members", f"{size['members']:,} members",
        _repeat(samples, lambda: api.call("GET", f"/orgs/{small}/members", token=owner)),
        _repeat(samples, lambda: api.call("GET", f"/orgs/{big}/members", token=owner))))
    result.comparisons.append(Comparison(
        "list members ?role=owner, first page (50)", "10 members", f"{size['members']:,} members",
        _repeat(samples, lambda: api.call("GET", f"/orgs/{small}/members?role=owner", token=owner)),
        _repeat(samples, lambda: api.call("GET", f"/orgs/{big}/members?role=owner", token=owner))))
    say("  list members compared")
    result.walks.append(_walk(api, f"/orgs/{big}/members", owner, "user_id", size["members"],
                              f"every member of the {size['members']:,}-member org, 100 a page"))
    say("  member pages walked")
    result.comparisons.append(Comparison(
        "list my orgs (GET /orgs), first page (50)", "user in 1 org", f"user in {size['orgs']:,} orgs",
        _repeat(samples, lambda: api.call("GET", "/orgs", token=one)),
        _repeat(samples, lambda: api.call("GET", "/orgs", token=many))))
    result.walks.append(_walk(api, "/orgs", many, "id", size["orgs"],
                              f"every org of the user in {size['orgs']:,} orgs, 100 a page"))
    say("  orgs compared and walked")

    # ---------------------------------------------------------------- GET /invitations: history in the email view
    hist_org_name = f"Scale history {tag}"
    hist_org = new_org(hist_org_name)
    fresh_sub, hist_sub = f"scale-fresh-{tag}", f"scale-hist-{tag}"
    say(f"  seeding {size['history']} answered invitations of one email")
    seeder.put_all(_answered(hist_org, hist_org_name, owner_sub, size["history"], hist_sub, api.now()))
    for sub in (fresh_sub, hist_sub):  # the pending one is the newest, as when a new invitation arrives
        api.call("POST", f"/orgs/{hist_org}/invitations", token=owner, json_body={"email": f"{sub}@example.com"},
                 expect=201)
    api.drain()
    fresh, hist = api.token(fresh_sub), api.token(hist_sub)
    result.comparisons.append(Comparison(
        "list my invitations (GET /invitations), first page (50)", "1 pending, no history",
        f"1 pending + {size['history']:,} answered",
        _repeat(samples, lambda: api.call("GET", "/invitations", token=fresh)),
        _repeat(samples, lambda: api.call("GET", "/invitations", token=hist))))
    result.walks.append(_walk(api, "/invitations", hist, "id", 1,
                              f"the 1 pending invitation among {size['history']:,} answered ones, 100 a page"))
    say("  invitation history compared")
    quiet_org = new_org(f"Scale no history {tag}")
    for sub in (fresh_sub, hist_sub):
        api.call("POST", f"/orgs/{quiet_org}/invitations", token=owner, json_body={"email": f"{sub}@example.com"},
                 expect=201)
    api.drain()
    result.comparisons.append(Comparison(
        "list an org's pending invitations (?status=pending), first page (50)", "2 pending, no history",
        f"2 pending + {size['history']:,} answered",
        _repeat(samples, lambda: api.call("GET", f"/orgs/{quiet_org}/invitations?status=pending", token=owner)),
        _repeat(samples, lambda: api.call("GET", f"/orgs/{hist_org}/invitations?status=pending", token=owner))))
    say("  org pending invitations compared")

    # ---------------------------------------------------------------- expiry: 10 due of 10 vs of 10,000
    job_org_name = f"Scale expiry {tag}"
    job_org = new_org(job_org_name)
    api.call("POST", "/_local/jobs/expire-invitations")  # whatever was due before is gone
    rounds = max(3, min(samples, 5))

    def job_round() -> tuple[int, Call]:
        server_now = api.now()
        items = _invitations(job_org, job_org_name, owner_sub, 10, f"due-{uuid.uuid4().hex[:6]}", server_now, 60,
                             with_claims=True)
        seeder.put_all(items)
        seeder.add_counters(job_org, pending_invitation_count=10, seats_used=10)
        api.drain()
        api.advance_clock(120)
        call = api.call("POST", "/_local/jobs/expire-invitations")
        return int(call.response.json["expired"]), call

    for label, others in (("10 due among 10 pending", 0),
                          (f"10 due among {size['pending']:,} pending", size["pending"] - 10)):
        if others:
            say(f"  seeding {others} pending invitations that are not due")
            server_now = api.now()
            seeder.put_all(_invitations(job_org, job_org_name, owner_sub, others, f"later-{tag}", server_now,
                                        30 * 86400, with_claims=False))
            seeder.add_counters(job_org, pending_invitation_count=others, seats_used=others)
        runs = [job_round() for _ in range(rounds)]
        result.jobs.append(JobRun(label=label, pending=10 + others, due=10, expired=[n for n, _ in runs],
                                  calls=[c for _, c in runs]))
        say(f"  expiry job: {label}")
    result.seeded_items = seeder.items
    result.seed_seconds = seeder.seconds
    return result
