"""``python -m bench.load`` (``make load``): sustained mixed load, the invariants, then the hot org.

Starts DynamoDB Local and the local server (``bench.load.contention``: the devserver with transaction
counters) as ``make bench`` does, on loopback only, and writes its block of docs/performance.md.
Exits 1 when any answer was unexpected or any invariant was violated.

Environment:

- ``LOAD_SECONDS`` (default 300): how long the mixed workload runs;
- ``LOAD_USERS`` (default 8): concurrent load users (each owns an org);
- ``LOAD_MAX_REQUESTS`` (default 200000): the mixed workload also stops after this many requests;
- ``LOAD_SEAT_LIMIT`` (default 12): ``max_members_per_org`` during the mixed workload, so orgs fill up;
- ``HOT_ORG_MEMBERS`` (default 10000; 0 skips the hot org) and ``HOT_ORG_THREADS`` (default 32): the joins;
  ``HOT_ORG_BULK_THREADS`` (default 1): bulk invitation requests at a time before them (at 2, rows of
  one request lose the org to the other and answer `409 conflict`: see the report);
- ``HOT_ORG_SCAN`` (default ``1,4``; empty skips it) and ``HOT_ORG_SCAN_MEMBERS`` (default 300): smaller hot
  orgs first, one per thread count, to show joins per second against concurrency;
- ``LOAD_OUT`` (default docs/performance.md);
- ``DYNAMODB_LOCAL_ENDPOINT``: use an already running DynamoDB Local (see tests/ddblocal_server.py).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

from locust import events as _locust  # noqa: F401  first: locust patches the standard library through gevent

from bench import harness, sections
from bench.__main__ import _int
from bench.load import hot_org, invariants, report, workload
from devserver import tokens

ROOT = Path(__file__).resolve().parents[2]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    seconds = _int("LOAD_SECONDS", 300)
    users = _int("LOAD_USERS", 8)
    max_requests = _int("LOAD_MAX_REQUESTS", 200_000)
    seat_limit = _int("LOAD_SEAT_LIMIT", 12, minimum=3)
    hot_members = _int("HOT_ORG_MEMBERS", 10_000, minimum=0)
    hot_threads = _int("HOT_ORG_THREADS", 32)
    bulk_threads = _int("HOT_ORG_BULK_THREADS", 1)
    scan_members = _int("HOT_ORG_SCAN_MEMBERS", 300)
    scan_raw = os.environ.get("HOT_ORG_SCAN", "1,4")
    try:
        scan = [int(n) for n in scan_raw.split(",") if n.strip()] if hot_members else []
    except ValueError:
        raise SystemExit(f"load: HOT_ORG_SCAN must be thread counts separated by commas, not {scan_raw!r}") from None
    out = Path(os.environ.get("LOAD_OUT") or ROOT / "docs" / "performance.md")
    command = " ".join(f"{k}={os.environ[k]}" for k in ("LOAD_SECONDS", "LOAD_USERS", "LOAD_SEAT_LIMIT",
                                                        "HOT_ORG_MEMBERS", "HOT_ORG_THREADS", "HOT_ORG_BULK_THREADS", "HOT_ORG_SCAN",
                                                        "HOT_ORG_SCAN_MEMBERS") if k in os.environ)
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    load_before = os.getloadavg()
    shared = workload.SHARED
    shared.seat_limit = seat_limit
    settings = {"max_members_per_org": seat_limit, "invitations_per_org_per_hour": 1_000_000}

    say(f"load: {users} users for {seconds} s, then a hot org of {hot_members} -> {out}")
    with harness.dynamodb_local() as endpoint, harness.local_server(endpoint, "bench.load.contention") as api:
        client = api.client
        shared.now = client.now()
        support = tokens.mint("demo", "load-support", email="load-support@example.com", groups=("support",),
                              ttl=4 * 3600, now=shared.now)
        shared.service = tokens.mint_service("demo", ttl=4 * 3600, now=shared.now)
        answer = client.patch("/admin/settings", token=support, json=settings)
        if answer.status != 200:
            raise SystemExit(f"load: PATCH /admin/settings answered {answer.status} {answer.json}")

        say(f"load: mixed workload against {client.base_url}")
        ran, requests = workload.run(client.base_url, users, seconds, max_requests)
        say(f"load: {requests} requests in {ran:.0f} s, {shared.recorder.unexpected} unexpected; checking "
            f"{len(shared.books)} orgs")
        client.advance_clock(10)  # past GET /events' settle horizon: every event is listed
        violations: list[str] = []
        for book in shared.books:
            violations += invariants.check(book, invariants.observe(client, shared.service, book.org_id), seat_limit)
        mixed = report.MixedResult(users=users, seconds=ran, requests=requests, recorder=shared.recorder,
                                   orgs_checked=len(shared.books), violations=violations)
        say(f"load: {len(violations)} invariant violations")

        scanned = []
        for threads in scan:
            say(f"load: scan: a hot org of {scan_members} with {threads} threads")
            scanned.append(hot_org.run(client, scan_members, threads, shared.token, shared.service, support, say,
                                       name=f"scan{threads}", bulk_threads=bulk_threads))
        hot = None
        if hot_members:
            hot = hot_org.run(client, hot_members, hot_threads, shared.token, shared.service, support, say,
                              bulk_threads=bulk_threads)
            settings["hot org: max_members_per_org"] = hot_members + 1
            say(f"load: hot org: {hot.joins} joins in {hot.join_seconds:.1f} s, {hot.recorder.unexpected} "
                f"unexpected, {len(hot.violations)} violations")

    meta = report.Meta(command=f"make load {command}".strip(), started=started, seconds=time.monotonic() - clock,
                       load_before=load_before, load_after=os.getloadavg(), settings=settings)
    block = report.render(meta, mixed, hot, scanned)
    out.parent.mkdir(parents=True, exist_ok=True)
    sections.replace(out, "load", block)
    say(f"load: wrote its block of {out}")
    failed = mixed.recorder.unexpected + len(mixed.violations)
    for each in [*scanned, *([hot] if hot else [])]:
        failed += each.recorder.unexpected + len(each.violations)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
