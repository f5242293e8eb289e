"""Which URLs a webhook may call (SSRF guard), checked at creation and again at every send.

In AWS only ``https://`` URLs, and only to public addresses: a name resolving to any private,
loopback, link-local (instance metadata included), CGNAT, unspecified, multicast or otherwise
non-global address is refused (IPv6 forms that embed such an IPv4 address included), as is any URL
with credentials, or with anything but ASCII outside its host (an internationalised host is resolved
and called by its IDNA 2008 A-label). The send connects to an address the
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
#: IPv6 prefixes whose last 32 bits are an IPv4 address a packet may end up at: NAT64's well-known prefix
#: (a DNS64 network translates it to that IPv4 address), IPv4-compatible (deprecated) and IPv4-translated
#: (SIIT) addresses. The ``ipaddress`` module of Python 3.12.1 calls them global whatever they embed.
EMBEDDING_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"),
                  ipaddress.ip_network("::ffff:0:0:0/96"))


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


def _parse(url: str, allow_local: bool) -> tuple[SplitResult, str]:
    """The URL's parts and its host as it goes on the wire (an IDN host as its IDNA 2008 A-label)."""
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
    # A request line is ASCII: anything else could never be sent (percent-encode it instead).
    if not (parts.path + parts.query + parts.fragment).isascii():
        raise UrlNotAllowed("The URL's path and query must be ASCII; percent-encode other characters.")
    host = parts.hostname if parts.hostname.isascii() else _a_label(parts.hostname)
    local = allow_local and parts.scheme == "http" and host in LOCAL_HOSTS
    if parts.scheme != "https" and not local:
        raise UrlNotAllowed("Webhook URLs must use https.")
    return parts, host


def _a_label(host: str) -> str:
    from orgplane import emails  # idna's tables load only for an internationalised host

    try:
        return emails.domain(host.removesuffix("."))
    except emails.InvalidEmail as error:
        raise UrlNotAllowed("The URL's host is not a valid domain name.") from error


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        last32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if any(ip in net for net in EMBEDDING_IPV4) else None
        for embedded in (ip.ipv4_mapped, ip.sixtofour, (ip.teredo or (None, None))[1], last32):
            if embedded is not None and not _public(str(embedded)):
                return False
    return ip.is_global and not ip.is_multicast and ip not in METADATA


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL this guard accepted: what events and audit records say of an
    endpoint. Its path and query stay out, as many receivers (incoming-webhook URLs) keep their own secret
    there, and every other endpoint of the app, the event bus and ``GET /events`` see those events."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


RESOLVER: Resolver = system_resolver
"""The resolver :func:`vet` uses unless given one (tests put one they control here)."""


def vet(url: str, *, allow_local: bool = False, resolver: Resolver | None = None) -> Target:
    """The URL's target with the addresses it may be reached at, or :class:`UrlNotAllowed`."""
    resolver = resolver or RESOLVER
    parts, host = _parse(url, allow_local)
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
