"""The scheduled re-check of verified domains: a domain whose TXT record has disappeared loses its
verification.

Each verified domain's app-wide claim sits on the sparse index GSI3 (``keys.domain_check_gsi3``), sorted
by when its next check is due, in ``keys.EXPIRY_SHARDS`` partitions; a run reads only the due ones.
For each it looks the TXT record up again (:mod:`orgplane.dns_txt`):

- found: the next check is due in ``RECHECK_SECONDS`` (a day), the failure count is reset;
- not found: the failure is counted and the domain is checked again in ``RETRY_SECONDS`` (an hour); after
  ``FAILURES_TO_UNVERIFY`` failures in a row (a DNS hiccup is not a lost domain) the domain goes back to
  ``pending`` and its claim is removed, in one transaction with the ``domain.unverified`` audit event by
  ``system:domain-check``. People of that domain can no longer join by it; the org may verify it again.

A claim whose org has been deleted for good (purging or purged, or deleted with ``org_restore_days`` 0) is
removed: the name is free for other orgs. While support can still restore a deleted org, its claim is kept
(``kept``: no lookup, checked again a day later), so a restore finds its verified domains exactly as they were
(as :func:`orgplane.services.domains._held_elsewhere` promises).

Every write is conditioned on the claim still naming the org and being the one read, so a run racing a
removal, a re-verification or another run changes nothing twice.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Any

from orgplane import clock, dns_txt, keys
from orgplane.caller import Caller
from orgplane.services import audit
from orgplane.services import settings as app_settings
from orgplane.services.domains import RECHECK_SECONDS, challenge_name
from orgplane.store import domains as domains_store
from orgplane.store import due, table
from orgplane.store.transaction import Stale, Transaction

Item = dict[str, Any]

ACTOR = "system:domain-check"
RETRY_SECONDS = 3600
FAILURES_TO_UNVERIFY = 3
MAX_PER_RUN = 500
"""A run stops after this many due domains; the next run continues."""


def run(max_items: int = MAX_PER_RUN) -> dict[str, int]:
    """Re-check every due verified domain (up to ``max_items``): counts of ``ok``, ``failed``,
    ``unverified``, ``released`` (claims of orgs deleted for good since: removed) and ``kept`` (claims of
    deleted orgs support may still restore)."""
    now = int(clock.timestamp())
    counts = {"ok": 0, "failed": 0, "unverified": 0, "released": 0, "kept": 0}
    for claim in due.due_items(keys.domain_check_shards(), now, max_items):
        if claim.get("GSI3SK") and claim["GSI3SK"] <= keys.expiry_upper_bound(now):
            counts[check(claim, now)] += 1
    return counts


def check(claim: Item, now: int) -> str:
    """Look one claim's TXT record up and record the outcome: ``ok``, ``failed``, ``unverified``;
    ``released`` when the claim's org is gone for good, ``kept`` while it is deleted but restorable."""
    app_id, org_id, domain = str(claim["app_id"]), str(claim["org_id"]), str(claim["domain"])
    seen_due = str(claim["GSI3SK"])  # every write below holds only while the claim is the one read
    org, deleted = table.batch_get([keys.org(app_id, org_id), keys.deleted_org(app_id, org_id)])
    if org is None and deleted is not None and not deleted.get("purging"):  # support may restore it
        tx = Transaction()
        domains_store.record_check(tx, app_id, domain, org_id, seen_due,
                                   keys.domain_check_gsi3(now + RECHECK_SECONDS, app_id, domain))
        with contextlib.suppress(Stale):  # removed, re-verified or checked by another run meanwhile
            tx.commit()
        return "kept"
    if org is None:  # its org was deleted for good: the name is free again
        tx = Transaction()
        domains_store.release_as_checked(tx, app_id, domain, org_id, seen_due)
        with contextlib.suppress(Stale):  # already removed, re-verified or checked by another run
            tx.commit()
        return "released"
    found = str(claim.get("verification_value", "")) in dns_txt.txt_values(challenge_name(domain))
    failures = 0 if found else int(claim.get("failed_checks", 0)) + 1
    tx = Transaction()
    if found or failures < FAILURES_TO_UNVERIFY:
        due = now + (RECHECK_SECONDS if found else RETRY_SECONDS)
        domains_store.record_check(tx, app_id, domain, org_id, seen_due, {
            "failed_checks": failures, "checked_at": clock.iso(), **keys.domain_check_gsi3(due, app_id, domain)})
        outcome = "ok" if found else "failed"
    else:
        domains_store.release_as_checked(tx, app_id, domain, org_id, seen_due)
        domains_store.mark_unverified(tx, app_id, org_id, domain)
        system = Caller(app_id=app_id, user_id=ACTOR, email=None, email_verified=False, support=False,
                        request_id=f"domain-check-{secrets.token_hex(6)}")
        audit.record(tx, system, org_id, "domain.unverified", "domain", domain,
                     {"domain": domain, "failed_checks": failures}, app_settings.load(app_id).audit_retention_days)
        outcome = "unverified"
    try:
        tx.commit()
    except Stale:
        return "ok"  # the claim moved on (removed, re-verified, checked by another run): nothing to do
    return outcome
