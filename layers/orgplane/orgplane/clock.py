"""The one clock every function reads.

Product code never calls ``time.time()`` or ``datetime.now()`` itself: it asks this
module, so the local server can move every function's clock at once
(``POST /_local/clock``) and tests can pin time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

_offset_seconds: float = 0.0


def timestamp() -> float:
    """Seconds since the epoch, as the product sees them."""
    return time.time() + _offset_seconds


def now() -> datetime:
    return datetime.fromtimestamp(timestamp(), tz=UTC)


def iso(moment: datetime | None = None) -> str:
    """UTC ISO-8601 with millisecond precision and a ``Z``, the API's timestamp format."""
    value = (moment or now()).astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def iso_at(epoch_seconds: float) -> str:
    """The API timestamp of a moment given in epoch seconds."""
    return iso(datetime.fromtimestamp(epoch_seconds, tz=UTC))


def advance(seconds: float) -> None:
    """Move the clock forward (local server and tests only)."""
    global _offset_seconds
    _offset_seconds += seconds


def reset() -> None:
    global _offset_seconds
    _offset_seconds = 0.0


def wall() -> float:
    """Real time, never advanced: for a time another system checks against its own clock (the
    ``webhook-timestamp`` a receiver compares with now)."""
    return time.time()
