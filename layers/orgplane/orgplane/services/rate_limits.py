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

from collections.abc import Callable
from typing import Any

from orgplane import clock, keys
from orgplane.errors import DomainError
from orgplane.models.settings import AppSettings
from orgplane.store import rate_limits as rate_limits_store
from orgplane.store.transaction import Outcome, Transaction

Item = dict[str, Any]

WINDOW_SECONDS = 3600


def _limited(what: str, retry_after: int) -> DomainError:
    return DomainError("rate_limited", f"Too many {what} this hour; retry in {retry_after} seconds.",
                       headers={"Retry-After": str(retry_after)})


def _window() -> tuple[int, int]:
    """(start of the current window, seconds until it ends)."""
    now = int(clock.timestamp())
    window = now - now % WINDOW_SECONDS
    return window, window + WINDOW_SECONDS - now


def _count(tx: Transaction, app_id: str, org_id: str, counter: str, limit: int, mails: int,
           refused: Outcome) -> None:
    window, _ = _window()
    rate_limits_store.count(tx, app_id, org_id, counter, window, window + 2 * WINDOW_SECONDS, mails, limit,
                            refused)


def count_invitation_mail(tx: Transaction, app_id: str, org_id: str, email_key: str, settings: AppSettings) -> None:
    """Count one invitation mail of ``org_id`` to ``email_key`` in ``tx``, refused over either limit."""
    count_org_mail(tx, app_id, org_id, settings, 1)
    count_address_mail(tx, app_id, org_id, email_key, settings)


def count_org_mail(tx: Transaction, app_id: str, org_id: str, settings: AppSettings, mails: int) -> None:
    """Count ``mails`` invitation mails of ``org_id`` in ``tx``, refused if they do not all fit."""
    limit = settings.invitations_per_org_per_hour
    if limit is not None:
        _count(tx, app_id, org_id, "invitations", limit, mails,
               _limited("invitation mails from this organization", _window()[1]))


def count_address_mail(tx: Transaction, app_id: str, org_id: str, email_key: str, settings: AppSettings,
                       refused: Callable[[DomainError], Outcome] | None = None) -> None:
    """Count one mail of ``org_id`` to ``email_key`` in ``tx``; over the limit it fails with
    ``rate_limited`` (or what ``refused`` makes of it)."""
    limit = settings.invitation_sends_per_address_per_hour
    if limit is not None:
        error = _limited("invitation mails to this address", _window()[1])
        _count(tx, app_id, org_id, f"sends#{email_key}", limit, 1, refused(error) if refused else error)


def org_mail_window(app_id: str, org_id: str) -> keys.Key:
    """The key of the org's current mail counter (read it to know how many more mails fit)."""
    return keys.rate_window(app_id, org_id, "invitations", _window()[0])


def org_mail_left(counter: Item | None, settings: AppSettings) -> int | None:
    """How many more invitation mails the org may send this hour (``None``: no limit)."""
    limit = settings.invitations_per_org_per_hour
    if limit is None:
        return None
    return max(0, limit - int((counter or {}).get("count", 0)))


def org_mail_refusal() -> DomainError:
    return _limited("invitation mails from this organization", _window()[1])
