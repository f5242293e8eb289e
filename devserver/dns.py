"""The local server's DNS resolver: a real DNS server (``dnslib``, UDP on 127.0.0.1) serving the TXT
records fed through ``/_local/dns``, so domain verification makes a real DNS query locally too.

- ``POST /_local/dns {name, type: "TXT", value}`` publishes a record (several values per name add up);
- ``GET /_local/dns`` lists them; ``DELETE /_local/dns`` removes all, ``?name=`` only that name's.

The server sets ``DNS_RESOLVER`` to this resolver unless it is already set. Names it does not know
answer NXDOMAIN: nothing is forwarded to the internet.
"""

from __future__ import annotations

import threading
from typing import Any

from devserver.local_routes import LocalError, LocalRequest

HOST = "127.0.0.1"
_records: dict[str, list[str]] = {}
_lock = threading.Lock()


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 253:
        raise LocalError(400, "validation_error", "name must be a DNS name such as _orgplane-verification.acme.test")
    return value.strip().rstrip(".").lower()


class _Resolver:
    def resolve(self, request: Any, handler: Any) -> Any:
        from dnslib import QTYPE, RCODE, RR, TXT

        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        with _lock:
            values = list(_records.get(name, []))
        if not values:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, ttl=60, rdata=TXT(value)))
        return reply


class LocalDns:
    """A UDP DNS server on an ephemeral port of 127.0.0.1, in a daemon thread."""

    def __init__(self) -> None:
        from dnslib.server import DNSLogger, DNSServer

        self.server = DNSServer(_Resolver(), port=0, address=HOST, logger=DNSLogger("-request,-reply,-truncated"))
        self.port = int(self.server.server.server_address[1])
        self.server.start_thread()

    @property
    def address(self) -> str:
        """``host:port``, as ``DNS_RESOLVER`` names a resolver."""
        return f"{HOST}:{self.port}"

    def stop(self) -> None:
        self.server.stop()
        self.server.server.server_close()


def add_record(request: LocalRequest) -> tuple[int, Any]:
    body = request.json if isinstance(request.json, dict) else {}
    name = _name(body.get("name"))
    if body.get("type", "TXT") != "TXT":
        raise LocalError(400, "validation_error", "only TXT records are served")
    value = body.get("value")
    if not isinstance(value, str) or not value or len(value.encode()) > 255:
        raise LocalError(400, "validation_error", "value must be a string of 1 to 255 bytes")
    with _lock:
        _records.setdefault(name, []).append(value)
    return 201, {"name": name, "type": "TXT", "value": value}


def list_records(request: LocalRequest) -> tuple[int, Any]:
    with _lock:
        data = [{"name": name, "type": "TXT", "value": v} for name, values in _records.items() for v in values]
    return 200, {"data": data}


def clear_records(request: LocalRequest) -> tuple[int, Any]:
    with _lock:
        if "name" in request.query:
            _records.pop(_name(request.query["name"]), None)
        else:
            _records.clear()
    return 204, None
