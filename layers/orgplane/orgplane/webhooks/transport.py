"""One webhook request: POST to an address the URL guard approved, no redirects, bounded reads.

The connection goes to the vetted IP address (never a second DNS lookup), with the URL's host as
``Host`` and, for https, as the TLS server name the certificate is verified against. A redirect is
an answer like any other non-2xx (not followed); at most :data:`MAX_RESPONSE_BYTES` of the body are
read; :data:`TIMEOUT_SECONDS` bounds the whole request, from connecting to the last byte read.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass

from orgplane.webhooks.url_guard import Target

TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int | None
    """The HTTP status, or ``None`` when no answer came (refused, timed out, TLS failed)."""
    body: bytes = b""
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = address
        self._server_name = target.host
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        self.raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.raw, server_hostname=self._server_name)  # type: ignore[attr-defined]


class _Deadline:
    """Ends a request at ``timeout`` seconds in all (a socket's own timeout bounds each read only, so a
    receiver trickling its answer a byte at a time would hold the sender for ever): the connection's socket
    is shut down, which ends the read in progress."""

    def __init__(self, connection: http.client.HTTPConnection, timeout: float) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._done = False
        self.expired = False
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = self._connection.sock or getattr(self._connection, "raw", None)
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed: nothing left to end
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the fd's, not SSLSocket's (not thread-safe)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> Answer:
    address = target.addresses[0]
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, address, timeout) if target.scheme == "https"
        else _PinnedHTTPConnection(target, address, timeout))
    deadline = _Deadline(connection, timeout)
    try:
        with deadline:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(status=response.status, body=response.read(MAX_RESPONSE_BYTES))
    except (OSError, http.client.HTTPException, ValueError) as error:  # ValueError: nothing http.client can send
        answer = Answer(status=None, error=type(error).__name__)
    finally:
        connection.close()
    return Answer(status=None, error="timeout") if deadline.expired else answer
