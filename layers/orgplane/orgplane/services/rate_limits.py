"""Abuse limits on invitation mail, counted in the table inside the write that sends the mail.

Each limit is a fixed one-hour window counter (``keys.rate_window``), incremented in the same
transaction as the invitation or resend it counts, on the condition that it is below the limit. So
the limit is exact under any concurrency and across every Lambda container (nothing is held in
memory), and a refused send writes nothing. The counters expire through the table's TTL.

- ``invitations_per_org_per_hour`` (app setting, default 100): invitation mails of one org;
- ``invitation_sends_per_address_per_hour`` (default 3): mails of one org to one address (an
  invitation, its resends, and new invitations after a revoke).

Over a limit the answer is ``429 rate_limited`` with ``Retry-After``: the seconds until the window ends.
"""

from __future__ import annotations

from orgplane import clock, keys
from orgplane.errors import DomainError
from orgplane.models.settings import AppSettings
from orgplane.store.transaction import Transaction

WINDOW_SECONDS = 3600


def _limited(what: str, retry_after: int) -> DomainError:
    return DomainError("rate_limited", f"Too many {what} this hour; retry in {retry_after} seconds.",
                       headers={"Retry-After": str(retry_after)})


def count_invitation_mail(tx: Transaction, app_id: str, org_id: str, email_key: str, settings: AppSettings) -> None:
    """Count one invitation mail of ``org_id`` to ``email_key`` in ``tx``, refused over either limit."""
    now = int(clock.timestamp())
    window = now - now % WINDOW_SECONDS
    retry_after = window + WINDOW_SECONDS - now
    limits = (("invitations", settings.invitations_per_org_per_hour, "invitation mails from this organization"),
              (f"sends#{email_key}", settings.invitation_sends_per_address_per_hour,
               "invitation mails to this address"))
    for counter, limit, what in limits:
        if limit is None:
            continue
        tx.update(keys.rate_window(app_id, org_id, counter, window),
                  set_={"entity": "RATE", "ttl": window + 2 * WINDOW_SECONDS}, add={"count": 1},
                  condition="attribute_not_exists(#count) OR #count < :limit", names={"#count": "count"},
                  values={":limit": limit}, on_fail=_limited(what, retry_after))
