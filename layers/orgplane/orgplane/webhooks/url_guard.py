"""Which URLs a webhook may call (SSRF guard), checked at creation and again at every send.

In AWS only ``https://`` URLs, and only to public addresses: a name resolving to any private,
loopback, link-local (instance metadata included), CGNAT, unspecified, multicast or otherwise
non-global address is refused, as is any URL with credentials. The send connects to an address the
check just approved (:func:`vet` returns them), so a name that re-resolves elsewhere between the
check and the connection (DNS rebinding) changes nothing. The local server also allows
``http://localhost`` and ``http://127.0.0.1`` (and nothing else private).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

Resolver = Callable[[str, int], list[str]]

MAX_URL_LENGTH = 2048
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})


class UrlNotAllowed(ValueError):
    """The URL may not be a webhook target; the message says why (safe to show: no address leaks)."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _parse(url: str, allow_local: bool) -> SplitResult:
    if len(url) > MAX_URL_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UrlNotAllowed("The URL is too long or holds whitespace.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as error:
        raise UrlNotAllowed("The URL is malformed.") from error
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UrlNotAllowed("The URL may not carry credentials.")
    if not parts.hostname:
        raise UrlNotAllowed("The URL needs a host.")
    local = allow_local and parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if parts.scheme != "https" and not local:
        raise UrlNotAllowed("Webhook URLs must use https.")
    return parts


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        for embedded in (ip.ipv4_mapped, ip.sixtofour, (ip.teredo or (None, None))[1]):
            if embedded is not None and not _public(str(embedded)):
                return False
    return ip.is_global and not ip.is_multicast and ip not in METADATA


RESOLVER: Resolver = system_resolver
"""The resolver :func:`vet` uses unless given one (tests put one they control here)."""


def vet(url: str, *, allow_local: bool = False, resolver: Resolver | None = None) -> Target:
    """The URL's target with the addresses it may be reached at, or :class:`UrlNotAllowed`."""
    resolver = resolver or RESOLVER
    parts = _parse(url, allow_local)
    host = str(parts.hostname)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as error:
        raise UrlNotAllowed("The URL's host does not resolve.") from error
    if not addresses:
        raise UrlNotAllowed("The URL's host does not resolve.")
    local = allow_local and parts.scheme == "http" and host in LOCAL_HOSTS
    for address in addresses:
        try:
            allowed = ipaddress.ip_address(address.split("%", 1)[0]).is_loopback if local else _public(address)
        except ValueError:
            allowed = False
        if not allowed:
            raise UrlNotAllowed("The URL resolves to an address webhooks may not call.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url=url, scheme=parts.scheme, host=host, port=port, path=path, addresses=tuple(addresses))
