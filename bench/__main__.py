"""``python -m bench`` (``make bench``): measure, then write docs/performance.md.

Environment:

- ``BENCH_SAMPLES`` (default 40): samples per operation and per size.
- ``BENCH_SCALE`` (default 1): population multiplier (10,000 members, 1,000 orgs, 10,000 pending
  invitations, 1,000 answered invitations at 1); ``0.05`` for a quick check.
- ``BENCH_IMPORT_SAMPLES`` (default 5): fresh interpreters per handler for the import times.
- ``BENCH_OUT`` (default ``docs/performance.md``).
- ``DYNAMODB_LOCAL_ENDPOINT``: use an already running DynamoDB Local (see tests/ddblocal_server.py).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

from bench import harness, imports, operations, report, scale, sections

ROOT = Path(__file__).resolve().parent.parent
BREAKDOWN_OF = "create_org"


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"bench: {name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"bench: {name} must be at least {minimum}")
    return value


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"bench: {name} must be a number, not {raw!r}") from None
    if not 0 < value <= 10:
        raise SystemExit(f"bench: {name} must be in (0, 10]")
    return value


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    samples = _int("BENCH_SAMPLES", 40, minimum=2)
    scale_factor = _float("BENCH_SCALE", 1.0)
    import_samples = _int("BENCH_IMPORT_SAMPLES", 5)
    out = Path(os.environ.get("BENCH_OUT") or ROOT / "docs" / "performance.md")
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    load_before = os.getloadavg()

    say(f"bench: {samples} samples, scale {scale_factor:g}, {import_samples} import samples -> {out}")
    say("bench: starting DynamoDB Local and the local server")
    with harness.dynamodb_local() as endpoint, harness.local_server(endpoint, write_units=True) as api:
        say(f"bench: part 1, operations ({api.client.base_url}, table {api.table})")
        run = operations.run(api, samples, say)
        say("bench: part 3, scale")
        scaled = scale.run(api, samples, scale_factor, say)
    say("bench: part 2, cold imports (server stopped)")
    measured = imports.measure(import_samples)
    breakdown = imports.breakdown(BREAKDOWN_OF)
    load_after = os.getloadavg()

    meta = report.Meta(started=started, seconds=time.monotonic() - clock, samples=samples, scale=scale_factor,
                       import_samples=import_samples, load_before=load_before, load_after=load_after)
    text = report.render(meta, run, measured, breakdown, BREAKDOWN_OF, scaled,
                         report.findings(run, measured, scaled))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(sections.keep(out.read_text() if out.exists() else "", text))  # make load's, bench-events'…
    say(f"bench: wrote {out} in {meta.seconds / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
