"""The ``make load`` block of docs/performance.md (``<!-- load:begin -->`` … ``<!-- load:end -->``, written by
:func:`bench.sections.replace`: nothing else in the file is touched)."""

from __future__ import annotations

import datetime
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bench.load.hot_org import HotOrgResult
from bench.load.outcomes import Recorder, Summary
from bench.stats import percentile

JOIN_ROUTES = ("POST /invitations/{invitation_id}/accept", "PUT /orgs/{org_id}/members/{user_id}")
@dataclass
class Meta:
    command: str
    started: datetime.datetime
    seconds: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class MixedResult:
    users: int
    seconds: float
    requests: int
    recorder: Recorder
    orgs_checked: int
    violations: list[str]


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs{f' ({model})' if model else ''}, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def _table(rows: Iterable[Summary]) -> list[str]:
    lines = ["| route | requests | p50 ms | p95 ms | p99 ms | unexpected | answers |", "|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        answers = ", ".join(f"{label}: {n}" for label, n in sorted(row.statuses.items()))
        name = f"**{row.route}**" if row.route == "all" else f"`{row.route}`"
        lines.append(f"| {name} | {row.count} | {row.p50_ms:.1f} | {row.p95_ms:.1f} | {row.p99_ms:.1f} | "
                     f"{row.unexpected} | {answers} |")
    return lines


def _contention(counters: dict[str, Any]) -> str:
    parts = []
    for title, key in (("commit calls", "commits"), ("TransactWriteItems on the wire", "wire"),
                       ("cancellation reasons (reason@item)", "reasons")):
        values = counters.get(key) or {}
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(values.items(), key=lambda kv: -kv[1])) or "none"
        parts.append(f"{title}: {shown}")
    return "; ".join(parts)


def render(meta: Meta, mixed: MixedResult | None, hot: HotOrgResult | None,
           scanned: Iterable[HotOrgResult] = ()) -> str:
    out = ["## Sustained load (`make load`)", "",
           f"`{meta.command}`, {meta.started:%Y-%m-%d %H:%M} UTC, {meta.seconds / 60:.1f} minutes in all; "
           f"{machine()}; load average {_load(meta.load_before)} before, {_load(meta.load_after)} after "
           "(the machine is shared: other work ran beside it). The local server (`devserver`: the real "
           "authorizer and handlers, one process) on DynamoDB Local, driven by locust from another process "
           "over loopback. Latencies are the client's, end to end."]
    if meta.settings:
        out += ["", "App settings for the run: " + ", ".join(f"`{k}` {v}" for k, v in meta.settings.items()) + "."]
    if mixed is not None:
        total = mixed.recorder.total
        unexpected = mixed.recorder.unexpected
        out += ["", "### Mixed workload", "",
                f"{mixed.users} users for {mixed.seconds:.0f} s: **{total} requests, "
                f"{total / mixed.seconds:.1f} requests/s**, **{unexpected} unexpected answers** "
                f"(error rate {unexpected / total if total else 0:.4%}). Each user owns an org and changes only "
                "it: invitations (create, accept, decline, revoke), role changes, removals, direct adds by a "
                "service, teams and team members, new orgs; with reads beside them. Deliberate conflicts are "
                "expected answers: a second accept (`409 invitation_not_pending`), inviting a member's address "
                "(`409 already_member`), inviting into a full org (`409 member_limit_reached`, when the "
                "driver's own count says it is full).", "",
                *_table(mixed.recorder.summaries()), ""]
        if mixed.recorder.samples:
            out += ["Unexpected answers (the first of each route and status; the server's log has the rest):", "",
                    *[f"- {s}" for s in mixed.recorder.samples], ""]
        out += [f"**Invariants, checked through the API afterwards: {mixed.orgs_checked} orgs, "
                f"{len(mixed.violations)} violations.** Per org: `member_count` equals the members listed, "
                "`pending_invitation_count` the pending invitations listed, `team_count` the teams and each team's "
                "`member_count` its members; at least one owner; members plus pending invitations within the "
                "seat limit; one `member.added` (`via: invitation`) per accepted invitation and none for another; "
                "the org's events (`GET /events?org_id=`) by type equal the driver's successful changes by type, "
                "with sequences 1..n; members, roles, invitations and team members as the driver left them."]
        if mixed.violations:
            out += ["", *[f"- {v}" for v in mixed.violations[:30]]]
    if hot is not None:
        out += ["", *_hot(hot)]
    runs = [*scanned, *([hot] if hot else [])]
    if runs:
        out += ["", *_by_concurrency(runs)]
    return "\n".join(out) + "\n"


def _sequence_moved_per_join(hot: HotOrgResult) -> float:
    commits = hot.contention_join.get("commits") or {}
    return float(commits.get("SequenceMoved", 0)) / hot.joins if hot.joins else 0.0


def _by_concurrency(runs: list[HotOrgResult]) -> list[str]:
    lines = ["#### Joins per second against concurrency", "",
             "The same joins (half accepts, half direct adds) into one fresh org, at each thread count; "
             "`SequenceMoved` counts the commits that lost the org's event counter to another change and ran "
             "read → decide → write again.", "",
             "| members | threads | joins/s | `SequenceMoved` per join | join p50 ms (both routes) | join p99 ms | unexpected | "
             "violations |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        latencies = [x for route in JOIN_ROUTES for x in run.recorder.routes[route].latencies]
        p50, p99 = (percentile(latencies, p) * 1000 if latencies else 0.0 for p in (50, 99))
        rate = run.joins / run.join_seconds if run.join_seconds else 0.0
        lines.append(f"| {run.members} | {run.threads} | {rate:.1f} | {_sequence_moved_per_join(run):.2f} | "
                     f"{p50:.0f} | {p99:.0f} | {run.recorder.unexpected} | {len(run.violations)} |")
    return lines


def _hot(hot: HotOrgResult) -> list[str]:
    joins_per_second = hot.joins / hot.join_seconds if hot.join_seconds else 0.0
    lines = ["### Hot org", "",
             f"{hot.members} members join one org: {hot.invitations} invited with "
             f"`POST /orgs/{{org_id}}/invitations/bulk` ({hot.bulk_threads} at a time) in "
             f"{hot.invite_seconds:.1f} s ({hot.invitations / hot.invite_seconds if hot.invite_seconds else 0:.1f} "
             f"invitations/s), then {hot.joins} joins from {hot.threads} threads (accepts by id and direct adds by a "
             f"service, shuffled) in {hot.join_seconds:.1f} s: **{joins_per_second:.1f} joins/s**. "
             f"The client retried {hot.client_retries} requests (answers `409 conflict` or `503`, and bulk requests "
             "for rows refused, each counted as unexpected below; every bulk row is classified on its own).",
             "", *_table(hot.recorder.summaries()), "",
             f"Inside the server, invitations: {_contention(hot.contention_invite)}.", "",
             f"Inside the server, joins: {_contention(hot.contention_join)}.", "",
             f"**Counters at the end: `member_count` {hot.member_count}, {hot.listed} members listed "
             f"(expected {hot.members + 1} with the owner); one join more answered `{hot.over_limit}`; "
             f"{len(hot.violations)} violations** of the checks above."]
    if hot.violations:
        lines += ["", *[f"- {v}" for v in hot.violations[:30]]]
    return lines
