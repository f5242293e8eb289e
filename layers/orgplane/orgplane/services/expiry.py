"""The expiry job: pending invitations past their expiry become ``expired``.

It reads only what is due: the sparse index GSI3 holds exactly the pending invitations (an
invitation leaves it when it stops being pending), sorted by expiry in ``keys.EXPIRY_SHARDS``
partitions, so one ``Query`` per shard with ``GSI3SK <= now`` returns the due ones and nothing else. Each is then expired by its own conditional
transaction (pending and past due, with its audit event), so two runs at once, or a run racing an
accept, give one outcome per invitation.
"""

from __future__ import annotations

import uuid

from orgplane import clock, keys
from orgplane.caller import Caller
from orgplane.services import audit, invitations
from orgplane.services import settings as app_settings
from orgplane.store import table
from orgplane.store.transaction import Stale, Transaction

PAGE_SIZE = 100
MAX_PER_RUN = 2000
"""A run stops after this many due invitations; the next run (every 15 minutes) continues."""

SYSTEM = "system:invitation-expiry"


def run(max_items: int = MAX_PER_RUN) -> int:
    """Expire every due pending invitation (up to ``max_items``); returns how many this run expired."""
    now = int(clock.timestamp())
    expired = seen = 0
    for shard in keys.expiry_shards():
        spec = table.QuerySpec("GSI3PK", shard, index=keys.GSI3, sort_name="GSI3SK",
                               sort_at_most=keys.expiry_upper_bound(now))
        start = None
        while seen < max_items:
            page = table.query(spec, min(PAGE_SIZE, max_items - seen), start)
            seen += len(page.items)
            found = table.batch_get([{"PK": i["PK"], "SK": i["SK"]} for i in page.items])
            expired += sum(_expire(item) for item in found if item is not None)
            if not page.last_key:
                break
            start = page.last_key
    return expired


def _expire(invitation: table.Item) -> bool:
    if invitation.get("status") != invitations.PENDING or int(invitation["expires_epoch"]) > clock.timestamp():
        return False  # accepted, renewed or expired since the index was read
    app_id = str(invitation["app_id"])
    system = Caller(app_id=app_id, user_id=SYSTEM, email=None, email_verified=False, support=False,
                    request_id=f"expiry-{uuid.uuid4().hex[:12]}")
    tx = Transaction()
    invitations.release(tx, invitation, "expired")
    audit.record(tx, system, str(invitation["org_id"]), "invitation.expired", "invitation", str(invitation["id"]),
                 {"email": invitation["email"], "expires_at": invitation["expires_at"]},
                 app_settings.load(app_id).audit_retention_days)
    try:
        tx.commit()
    except Stale:  # answered, renewed, expired by a concurrent run, or its org was deleted
        return False
    return True
