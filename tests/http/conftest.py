"""Black-box HTTP tier: one local server (``python -m devserver serve``) per test session.

The server runs on an embedded moto DynamoDB, or on the endpoint in ``ORGPLANE_TEST_DYNAMODB``
(e.g. DynamoDB Local) with a fresh table. Its stderr is shown if it dies.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ddblocal_server import ENGINE_ENV
from tests.http.client import Client
from tests.support import documented_codes, servers
from tests.support.servers import ROOT

__all__ = ["ROOT", "running_server", "server_env"]


def server_env() -> dict[str, str]:
    dropped = {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "PORT", "TABLE_NAME"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL") and k not in dropped}
    env["PYTHONPATH"] = os.pathsep.join(["layers/orgplane", "."])
    env["PYTHONUNBUFFERED"] = "1"
    env["TABLE_NAME"] = "orgplane"
    endpoint = os.environ.get("ORGPLANE_TEST_DYNAMODB")
    if endpoint:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
        env.update(ENGINE_ENV)
        env["TABLE_NAME"] = f"orgplane-http-{uuid.uuid4().hex[:8]}"
        env.setdefault("AWS_ACCESS_KEY_ID", "testing")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return env


@contextmanager
def running_server(logs: Path, label: str = "local server") -> Iterator[Client]:
    """A local server on this tier's environment; a failure to start fails the test, not errors it."""
    try:
        with servers.local_server(["devserver", "serve"], server_env(), logs, label=label) as (client, _):
            yield documented_codes.watch(client)
    except servers.ServerFailed as failure:
        pytest.fail(f"{label}: {failure}", pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with running_server(tmp_path_factory.mktemp("devserver")) as client:
        yield client


@pytest.fixture
def api(server: Client) -> Client:
    return server
