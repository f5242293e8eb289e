"""Prefixed, time-ordered identifiers (``org_…``, ``inv_…``, ``team_…``, ``evt_…``, ``il_…``, ``jr_…``).

The body is a ULID: 48 bits of milliseconds and 80 random bits in Crockford base32, so ids
sort by creation time and the audit log can use them as its sort key.
"""

from __future__ import annotations

import re
import secrets

from orgplane import clock

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY = r"[0-9A-HJKMNP-TV-Z]{26}"
PREFIXES = ("org", "inv", "team", "evt", "ot", "il", "jr")


def _ulid() -> str:
    value = (int(clock.timestamp() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{_ulid()}"


def is_valid(prefix: str, value: str) -> bool:
    return re.fullmatch(f"{prefix}_{_BODY}", value) is not None
