"""Start a local server as a subprocess, wait until it answers, stop it: shared by the HTTP tier and
``make bench`` (which starts its instrumented variant)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.http.client import Client
from tests.support.processes import stop

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


class ServerFailed(RuntimeError):
    """The server exited or did not come up; the message carries the tail of its stderr."""


def tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def local_server(command: list[str], env: dict[str, str], logs: Path, client_timeout: float = 30.0,
                 label: str = "local server") -> Iterator[tuple[Client, Path]]:
    """``python -m <command…> --port 0 --quiet`` from the repository root; yields its client and stderr log.
    If it died while in use, its stderr is written to ours when it is stopped."""
    out_path, err_path = logs / "stdout.log", logs / "stderr.log"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", *command, "--port", "0", "--quiet"],
                                   cwd=ROOT, env=env, stdout=out, stderr=err)
    try:
        yield _wait_until_up(process, out_path, err_path, client_timeout), err_path
    finally:
        died = process.poll() is not None
        stop(process)
        if died:
            sys.stderr.write(f"\n--- {label} died (exit {process.returncode}); its stderr:\n{tail(err_path)}\n")


def _wait_until_up(process: subprocess.Popen[bytes], out_path: Path, err_path: Path, timeout: float) -> Client:
    deadline = time.monotonic() + START_TIMEOUT
    client: Client | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"it exited with {process.returncode}:\n{tail(err_path)}")
        if client is None:
            found = re.search(r"http://127\.0\.0\.1:\d+", out_path.read_text(errors="replace"))
            if found:
                client = Client(found.group(0), timeout=timeout)
        if client is not None:
            with contextlib.suppress(OSError):
                if client.get("/_local/health").status == 200:
                    return client
        time.sleep(0.1)
    process.kill()
    raise ServerFailed(f"it was not up within {START_TIMEOUT:.0f} s:\n{tail(err_path)}")
