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
PREFIXES = ("org", "inv", "team", "evt", "ot", "wh", "dlv", "il", "jr")


def _ulid() -> str:
    return _encode((int(clock.timestamp() * 1000) << 80) | secrets.randbits(80))


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{_ulid()}"


def after(prefix: str, previous: str | None) -> str:
    """A new id that sorts after ``previous`` (same prefix) even within its millisecond or behind a
    clock that runs late: the next value up when a fresh one would not be greater."""
    fresh = new(prefix)
    if previous is None or fresh > previous or not is_valid(prefix, previous):
        return fresh
    value = 0
    for char in previous[len(prefix) + 1:]:
        value = value * 32 + _ALPHABET.index(char)
    return f"{prefix}_{_encode(value + 1)}"


def time_floor(prefix: str, epoch_seconds: float) -> str:
    """The smallest id of ``prefix`` made at ``epoch_seconds`` (a bound for ranges of ids by time)."""
    return f"{prefix}_{_encode(int(epoch_seconds * 1000) << 80)}"


def is_valid(prefix: str, value: str) -> bool:
    return re.fullmatch(f"{prefix}_{_BODY}", value) is not None
