"""`make dev-persist` keeps what the local server stores across a restart (DynamoDB Local with a data
directory), and stops DynamoDB Local with the server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from devserver import tokens
from tests.ddblocal_server import free_port
from tests.http.client import Client
from tests.support.servers import ROOT, tail

START_TIMEOUT = 120.0


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _interruptible() -> None:
    """Ctrl-C in a terminal interrupts by default; a test runner started in the background of a
    non-interactive shell hands its children SIGINT ignored, which no process of the group would undo."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def dev_persist(data: Path, run_dir: Path, ddb_port: int, port: int, log: Path) -> Iterator[Client]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_ENDPOINT_URL", "MAKE")) and k not in ("MFLAGS", "TABLE_NAME", "PORT")}
    env["DYNAMODB_LOCAL_RUN_DIR"] = str(run_dir)
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "dev-persist", f"DATA={data}", f"DDB_PORT={ddb_port}",
             f"PORT={port}", "QUIET=1"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_interruptible)
    client = Client(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"make dev-persist exited:\n{tail(log)}"
            assert time.monotonic() < deadline, f"make dev-persist not up in {START_TIMEOUT:.0f} s:\n{tail(log)}"
            with contextlib.suppress(OSError):
                if client.get("/_local/health").status == 200:
                    break
            time.sleep(0.3)
        yield client
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole group
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        assert _group_exited(process.pid), f"make dev-persist left processes running 60 s after Ctrl-C:\n{tail(log)}"


def _group_exited(group: int, timeout: float = 60.0) -> bool:
    """Until every process of the group is gone: make may exit while its recipe's EXIT trap is still
    stopping DynamoDB Local (a JVM on a busy machine takes seconds to shut down). A process started
    outside the group (one that would outlive Ctrl-C) is not waited for: the port check catches it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _running_in(group):
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)  # leave nothing behind, and fail
    return False


def _running_in(group: int) -> bool:
    """Whether a process of the group still runs. A zombie waiting for its reaper does not, unless other
    threads of it are still exiting (a JVM's main thread is a zombie before its last thread, which holds
    its sockets, is gone)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError):
            state, _parent, process_group = stat.read_text().rpartition(")")[2].split()[:3]
            if int(process_group) == group and (state != "Z" or len(list((stat.parent / "task").iterdir())) > 1):
                return True
    return False


def test_orgs_survive_a_restart_of_make_dev_persist(tmp_path: Path) -> None:
    data, run_dir, log = tmp_path / "data", tmp_path / "run", tmp_path / "dev-persist.log"
    ddb_port, port = free_port(), free_port()
    with dev_persist(data, run_dir, ddb_port, port, log) as api:
        token = tokens.mint("demo", "alice", email="alice@example.com", now=api.now())
        created = api.post("/orgs", token=token, json={"name": "Kept overnight"})
        assert created.status == 201, created
    assert not _port_open(ddb_port), f"DynamoDB Local still runs after the server stopped:\n{tail(log)}"
    assert any(data.iterdir()), "nothing was written to the data directory"

    with dev_persist(data, run_dir, ddb_port, port, log) as api:
        token = tokens.mint("demo", "alice", email="alice@example.com", now=api.now())
        again = api.get(f"/orgs/{created.json['id']}", token=token)
        assert again.status == 200 and again.json["name"] == "Kept overnight", again
    assert not _port_open(ddb_port)
