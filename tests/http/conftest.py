"""Black-box HTTP tier: one local server (``python -m devserver serve``) per test session.

The server runs on an embedded moto DynamoDB, or on the endpoint in ``ORGPLANE_TEST_DYNAMODB``
(e.g. DynamoDB Local) with a fresh table. Its stderr is shown if it dies.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.client import Client

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def _server_env() -> dict[str, str]:
    dropped = {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "PORT", "TABLE_NAME"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL") and k not in dropped}
    env["PYTHONPATH"] = os.pathsep.join(["layers/orgplane", "."])
    env["PYTHONUNBUFFERED"] = "1"
    env["TABLE_NAME"] = "orgplane"
    endpoint = os.environ.get("ORGPLANE_TEST_DYNAMODB")
    if endpoint:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
        env["TABLE_NAME"] = f"orgplane-http-{uuid.uuid4().hex[:8]}"
        env.setdefault("AWS_ACCESS_KEY_ID", "testing")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return env


def _tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    logs = tmp_path_factory.mktemp("devserver")
    out_path, err_path = logs / "stdout.log", logs / "stderr.log"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "devserver", "serve", "--port", "0", "--quiet"],
            cwd=ROOT, env=_server_env(), stdout=out, stderr=err,
        )
    try:
        client = _wait_until_up(process, out_path, err_path)
        yield client
    finally:
        died = process.poll() is not None
        if not died:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if died:
            sys.stderr.write(f"\n--- local server died (exit {process.returncode}); its stderr:\n"
                             f"{_tail(err_path)}\n")


def _wait_until_up(process: subprocess.Popen[bytes], out_path: Path, err_path: Path) -> Client:
    deadline = time.monotonic() + START_TIMEOUT
    client: Client | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"local server exited with {process.returncode}:\n{_tail(err_path)}", pytrace=False)
        if client is None:
            found = re.search(r"http://127\.0\.0\.1:\d+", out_path.read_text(errors="replace"))
            if found:
                client = Client(found.group(0))
        if client is not None:
            try:
                if client.get("/_local/health").status == 200:
                    return client
            except OSError:
                pass
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"local server not up within {START_TIMEOUT:.0f} s:\n{_tail(err_path)}", pytrace=False)


@pytest.fixture
def api(server: Client) -> Client:
    return server
