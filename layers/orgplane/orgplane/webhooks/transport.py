"""One webhook request: POST to an address the URL guard approved, no redirects, bounded reads.

The connection goes to the vetted IP address (never a second DNS lookup), with the URL's host as
``Host`` and, for https, as the TLS server name the certificate is verified against. A redirect is
an answer like any other non-2xx (not followed); at most :data:`MAX_RESPONSE_BYTES` of the body are
read; :data:`TIMEOUT_SECONDS` bounds connecting and each read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
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

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self._server_name)  # type: ignore[attr-defined]


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> Answer:
    address = target.addresses[0]
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, address, timeout) if target.scheme == "https"
        else _PinnedHTTPConnection(target, address, timeout))
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(status=response.status, body=response.read(MAX_RESPONSE_BYTES))
    except (OSError, http.client.HTTPException) as error:
        return Answer(status=None, error=type(error).__name__)
    finally:
        connection.close()
