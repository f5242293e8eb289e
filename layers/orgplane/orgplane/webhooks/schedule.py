"""When a failed delivery is tried again: the Standard Webhooks / Svix schedule, 8 attempts over 27.6 hours.

Attempt 1 goes at once; after a failure the next waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. A
delivery whose 8th attempt fails is ``failed`` (the endpoint's next event for that org then goes).
"""

from __future__ import annotations

DELAYS_SECONDS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
MAX_ATTEMPTS = len(DELAYS_SECONDS) + 1
DISABLE_AFTER_SECONDS = 5 * 86400
"""An endpoint failing (no delivery succeeded) for this long is disabled."""


def next_delay(attempts: int) -> int | None:
    """Seconds until the next attempt after ``attempts`` failed ones; ``None`` once they are used up."""
    return DELAYS_SECONDS[attempts - 1] if 1 <= attempts <= len(DELAYS_SECONDS) else None
