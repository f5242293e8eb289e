"""TXT lookups for domain verification: a real DNS query (``dnspython``) to the configured resolver.

``DNS_RESOLVER`` names it as ``host`` or ``host:port`` (the local server runs its own, fed by
``POST /_local/dns``); unset, the system's resolver (in Lambda, the VPC or AWS resolver). A lookup
that fails (no such name, no TXT record, a timeout) finds nothing: the domain is simply not verified.
"""

from __future__ import annotations

import os

LIFETIME_SECONDS = 4.0


def _resolver() -> object:
    import dns.resolver

    configured = os.environ.get("DNS_RESOLVER", "").strip()
    if not configured:
        return dns.resolver.Resolver()
    resolver = dns.resolver.Resolver(configure=False)
    host, _, port = configured.rpartition(":") if configured.count(":") == 1 else (configured, "", "")
    resolver.nameservers = [host]
    if port:
        resolver.port = int(port)
    return resolver


def txt_values(name: str) -> list[str]:
    """Every TXT string published at ``name`` (each record's strings joined), or ``[]``."""
    import dns.exception
    import dns.resolver

    resolver = _resolver()
    assert isinstance(resolver, dns.resolver.Resolver)
    try:
        answer = resolver.resolve(name, "TXT", lifetime=LIFETIME_SECONDS, search=False)
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
