"""A client that disconnects mid-request costs the local server's console one line, not a traceback."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from devserver import server
from devserver.gateway_rules import Reply


class _Gateway:
    access_log = False

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        return Reply(200, {"Content-Type": "application/json"}, b"[" + b"0," * 500_000 + b"0]")


def test_a_client_gone_before_the_answer_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    ours, theirs = socket.socketpair()
    theirs.sendall(b"GET /openapi.json?secret=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    theirs.close()  # gone before the server answers: its write fails with EPIPE

    class Handler(server._Handler):
        gateway: Any = _Gateway()

    try:
        Handler(ours, ("127.0.0.1", 1), None)  # type: ignore[arg-type]
    finally:
        ours.close()
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "devserver: the client closed the connection during GET /openapi.json (BrokenPipeError)"]
