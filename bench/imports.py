"""Cold import time of every handler module, as a ratio to ``import boto3`` plus a DynamoDB client.

Each sample is a fresh interpreter (a subprocess) that times, with ``time.perf_counter`` around the
import only (interpreter start-up excluded), the loading of ``functions/<name>/app.py`` as the Lambda
runtime does it: module ``app`` from the function's directory, the layer (``layers/orgplane``) on
``sys.path``, the template's environment. The baseline sample times ``import boto3`` and
``boto3.client("dynamodb")`` the same way. Samples are interleaved (one baseline, then every handler,
per round) so drift on a shared machine hits both alike; the figure is the median of the rounds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
LAYER = ROOT / "layers" / "orgplane"

# What Lambda would set (template.yaml Globals), with local values for the references.
LAMBDA_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_EC2_METADATA_DISABLED": "true",
    "TABLE_NAME": "orgplane",
    "ORGPLANE_SECRET": "bench-secret",
    "AUDIT_RETENTION_DAYS": "365",
    "POWERTOOLS_SERVICE_NAME": "orgplane",
    "POWERTOOLS_METRICS_NAMESPACE": "orgplane",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_LOGGER_LOG_EVENT": "false",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
    "DEFAULT_ACCEPT_URL": "https://example.com/accept?token={token}",
}

# The import lines moved to first use for leanness (docs/performance.md lists them): module ->
# the modules its import lines used to load eagerly. "before" is measured in the same process right
# after the handler's import: for each of these modules the handler loads, import whichever of its
# former imports are still missing. The same modules as the old import lines loaded, so the same work.
MOVED_IMPORTS: dict[str, tuple[str, ...]] = {
    "orgplane.store.records": ("orgplane.models.invitations", "orgplane.models.members",
                               "orgplane.models.orgs", "orgplane.models.teams"),
    "orgplane.services.audit": ("orgplane.models.audit",),
}

_HANDLER_CHILD = """
import json, sys, time
function_dir, layer, moved = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [function_dir, layer]
started, cpu_started = time.perf_counter(), time.process_time()
import importlib.util
spec = importlib.util.spec_from_file_location("app", function_dir + "/app.py")
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
assert callable(getattr(module, "lambda_handler", None)), "no lambda_handler"
missing = sorted({name for owner, names in moved.items() if owner in sys.modules
                  for name in names if name not in sys.modules})
started, cpu_started = time.perf_counter(), time.process_time()
for name in missing:
    importlib.import_module(name)
extra, cpu_extra = time.perf_counter() - started, time.process_time() - cpu_started
print(repr(elapsed), repr(cpu), repr(extra), repr(cpu_extra), len(missing))
"""

_BASELINE_CHILD = """
import time
started, cpu_started = time.perf_counter(), time.process_time()
import boto3
imported = time.perf_counter()
boto3.client("dynamodb")
done, cpu_done = time.perf_counter(), time.process_time()
print(repr(imported - started), repr(done - started), repr(cpu_done - cpu_started))
"""


@dataclass
class Sample:
    wall: float  # seconds, handler import (as the code is now)
    cpu: float
    extra_wall: float  # the moved imports this handler no longer loads at import time
    extra_cpu: float
    avoided: int  # how many modules of MOVED_IMPORTS it no longer loads at import time


@dataclass
class ImportResult:
    samples: int
    baseline: list[float] = field(default_factory=list)  # import boto3 + DynamoDB client, seconds (wall)
    baseline_cpu: list[float] = field(default_factory=list)
    boto3_only: list[float] = field(default_factory=list)
    handlers: dict[str, list[Sample]] = field(default_factory=lambda: defaultdict(list))

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def baseline_cpu_median(self) -> float:
        return statistics.median(self.baseline_cpu)

    def median(self, name: str, before: bool = False, cpu: bool = False) -> float:
        def value(s: Sample) -> float:
            if cpu:
                return s.cpu + (s.extra_cpu if before else 0.0)
            return s.wall + (s.extra_wall if before else 0.0)

        return statistics.median(value(s) for s in self.handlers[name])

    def ratio(self, name: str, before: bool = False, cpu: bool = False) -> float:
        base = self.baseline_cpu_median if cpu else self.baseline_median
        return self.median(name, before, cpu) / base

    def avoided(self, name: str) -> int:
        return max(s.avoided for s in self.handlers[name])

    def to_json(self) -> dict[str, object]:
        return {
            "samples": self.samples,
            "baseline_ms": round(self.baseline_median * 1000, 1),
            "baseline_cpu_ms": round(self.baseline_cpu_median * 1000, 1),
            "boto3_import_ms": round(statistics.median(self.boto3_only) * 1000, 1),
            "handlers": {name: {"median_ms": round(self.median(name) * 1000, 1),
                                "ratio": round(self.ratio(name), 2),
                                "ratio_before": round(self.ratio(name, before=True), 2),
                                "cpu_ratio": round(self.ratio(name, cpu=True), 2),
                                "cpu_ratio_before": round(self.ratio(name, before=True, cpu=True), 2),
                                "avoided": self.avoided(name)}
                         for name in sorted(self.handlers)},
        }


def handler_names() -> list[str]:
    return sorted(p.parent.name for p in FUNCTIONS.glob("*/app.py"))


def _env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "POWERTOOLS_", "PYTHON")) and k not in LAMBDA_ENV}
    return {**keep, **LAMBDA_ENV}


def _run(code: str, *args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", code, *args]
    result = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args) or 'baseline'} failed to import:\n{result.stderr[-2000:]}")
    return result


def _handler(name: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    return _run(_HANDLER_CHILD, str(FUNCTIONS / name), str(LAYER), json.dumps(MOVED_IMPORTS),
                importtime=importtime)


#: The start of a child script that imports ``functions/<name>/app.py`` as module ``app`` the way Lambda does
#: (argv: the function's folder, the layer); what follows it reports on that import.
IMPORT_AS_LAMBDA = """
import importlib.util, json, sys
function_dir, layer = sys.argv[1], sys.argv[2]
sys.path[:0] = [function_dir, layer]
spec = importlib.util.spec_from_file_location("app", function_dir + "/app.py")
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
"""


def report_after_import(name: str, report: str) -> str:
    """Import handler ``name`` in a fresh interpreter as Lambda does, then run ``report``: its output."""
    return _run(IMPORT_AS_LAMBDA + report, str(FUNCTIONS / name), str(LAYER)).stdout


def _baseline(result: ImportResult) -> None:
    boto3_only, total, cpu = (float(v) for v in _run(_BASELINE_CHILD).stdout.split())
    result.boto3_only.append(boto3_only)
    result.baseline.append(total)
    result.baseline_cpu.append(cpu)


BASELINE_EVERY = 8  # a baseline sample between every 8 handler samples


def measure(samples: int, names: list[str] | None = None, progress: bool = True) -> ImportResult:
    names = names or handler_names()
    result = ImportResult(samples=samples)
    _run(_BASELINE_CHILD)  # unmeasured: warm the file cache
    for name in names:
        _handler(name)
    for round_number in range(samples):
        for index, name in enumerate(names):
            if index % BASELINE_EVERY == 0:
                _baseline(result)
            wall, cpu, extra_wall, extra_cpu, avoided = _handler(name).stdout.split()
            result.handlers[name].append(Sample(float(wall), float(cpu), float(extra_wall), float(extra_cpu),
                                                int(avoided)))
        if progress:
            print(f"  imports: round {round_number + 1}/{samples} done", file=sys.stderr, flush=True)
    return result


def breakdown(name: str) -> dict[str, float]:
    """``-X importtime`` of one handler: self time (ms) summed per top-level package, largest first."""
    stderr = _handler(name, importtime=True).stderr
    totals: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        try:
            self_us, _, module = (part.strip() for part in line[len("import time:"):].split("|"))
            top = module.split(".")[0]
            if module.startswith("orgplane."):
                top = ".".join(module.split(".")[:2])
            totals[top] += int(self_us) / 1000
        except ValueError:
            continue
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def modules_imported(name: str) -> set[str]:
    """Every module a handler's import loads (names from ``-X importtime``)."""
    stderr = _handler(name, importtime=True).stderr
    found = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            found.add(line.rsplit("|", 1)[-1].strip())
    return found


if __name__ == "__main__":  # python -m bench.imports [SAMPLES]: the import table alone, as JSON
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(json.dumps(measure(count).to_json(), indent=2))
