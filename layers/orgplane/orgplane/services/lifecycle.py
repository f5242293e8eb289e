"""Soft delete, restore and purge of orgs (DESIGN 13).

Deleting an org with the app setting ``org_restore_days`` > 0 removes its org item and slug claim as
before (404 for everyone at once, slug free, invitation links dead), but keeps everything else: one
``DELETED`` item in the org's partition holds the org item's attributes, lists the org for support
(GSI2 ``APP#a#DELETED_ORGS``) and waits on the sparse due-index GSI3 (``PENDING_PURGES#<shard>``)
for the end of the window. Nothing reads or scans deleted orgs while they wait.

Two walks over the org's partition run in bounded batches, driven by the table's stream like the
cleanup (a job item with ``entity = CLEANUP`` and ``kind`` ``hide`` or ``unhide``):

- ``hide`` (after the delete): each membership is marked ``soft_deleted`` and its user's ``org_count``
  released (a deleted org does not hold a place under ``max_orgs_per_user``); each pending invitation
  leaves the expiry index (the job must not spend its runs on invitations of deleted orgs).
- ``unhide`` (after a restore): the reverse; the user's ``org_count`` comes back *without* the
  ``max_orgs_per_user`` condition: a member who joined other orgs meanwhile up to the limit keeps the
  restored membership and is over the limit until they leave one (they cannot join more until then).
  Each membership it brings back is announced as ``member.added`` (``via: restore``, the restorer as
  actor) in that membership's own transaction, after the restore's ``org.restored``: a consumer that
  dropped the org's seats on ``org.deleted`` counts them again from the one event type it listens to.

Each item moves in its own transaction, conditioned on its flag and on the org's state (a hide only
while the org is deleted and not purging, an unhide only while it is live), so a restore or a purge
racing a walk leaves every counter exact. The org's own counters never change while it is deleted
(nothing can act on it), so a restore puts the org item back as it was.

The purge starts when the window closes: the expiry job reads the due entries of GSI3 and, per org,
marks the ``DELETED`` item ``purging`` (restore is refused from then on), starts the existing cleanup
job and records ``org.purged``, in one transaction. The cleanup removes the partition in batches,
releasing the org counts of memberships that are not ``soft_deleted``.
"""

from __future__ import annotations

import secrets
from typing import Any

from orgplane import access, clock, ids, keys
from orgplane.caller import Caller
from orgplane.config import settings as deployment
from orgplane.errors import DomainError, not_found
from orgplane.models.admin import AdminOrgsQuery
from orgplane.models.common import Page
from orgplane.models.orgs import DeletedOrg, Org, RestoreOrg
from orgplane.services import audit, events, role_usage
from orgplane.services import settings as app_settings
from orgplane.store import cursors, org_lifecycle, pages, records, table
from orgplane.store import orgs as orgs_store
from orgplane.store.transaction import STALE, Transaction, retrying

Item = dict[str, Any]

HIDE, UNHIDE = "hide", "unhide"
PURGE_ACTOR = "system:org-purge"
_DAY = 86400
SLUG_TAKEN = DomainError("slug_taken", "That slug is now used by another organization; restore with a new slug.")


def keep(tx: Transaction, caller: Caller, org: Item, restore_days: int) -> str:
    """In the delete's transaction: keep the org restorable for ``restore_days`` and start hiding it;
    returns ``purge_at``."""
    app_id, org_id = caller.app_id, str(org["id"])
    now = clock.iso()
    purge_epoch = int(clock.timestamp()) + restore_days * _DAY
    purge_at = clock.iso_at(purge_epoch)
    org_lifecycle.keep(tx, records.deleted_org_item(org, deleted_at=now, deleted_by=caller.user_id,
                                                    purge_epoch=purge_epoch, purge_at=purge_at))
    org_lifecycle.start_walk(tx, _job(app_id, org_id, HIDE, now))
    return purge_at


def _job(app_id: str, org_id: str, kind: str, now: str, by: Caller | None = None) -> Item:
    job = {**keys.lifecycle_job(app_id, org_id, kind), "entity": "CLEANUP", "kind": kind, "app_id": app_id,
           "org_id": org_id, "batches": 0, "requested_at": now, "run_id": secrets.token_hex(8)}
    if by is not None:  # who the walk acts for: the actor of the events it announces
        job["by"] = {"user_id": by.user_id, "email": by.verified_email, "support": by.support,
                     "type": by.type, "client_id": by.client_id, "request_id": by.request_id}
    return job


def _walk_actor(app_id: str, job: Item) -> Caller:
    """The caller a walk's events name: the restorer the job recorded (a walk started before jobs recorded
    it acts as the system)."""
    by = job.get("by") or {}
    return Caller(app_id=app_id, user_id=str(by.get("user_id") or "system:org-restore"), email=by.get("email"),
                  email_verified=bool(by.get("email")), support=bool(by.get("support", True)),
                  request_id=str(by.get("request_id") or ""), type="service" if by.get("type") == "service" else "user",
                  client_id=by.get("client_id"))


# --- support: list and restore -----------------------------------------------------------------------


def list_deleted(caller: Caller, query: AdminOrgsQuery) -> Page[DeletedOrg]:
    """Deleted orgs still restorable, newest first; ``q`` keeps those whose name or slug starts with it."""
    access.require_support(caller)
    from orgplane.services.admin import name_prefix  # admin's search rules, loaded only for this listing

    scope = f"deleted-orgs:{caller.app_id}:{query.q or ''}"
    prefix, slug = name_prefix(query.q or ""), (query.q or "").strip().lower()

    def matches(item: Item) -> bool:
        org = item.get("org") or {}
        return (records.name_key(str(org.get("name", ""))).startswith(prefix)
                or (bool(slug) and str(org.get("slug", "")).startswith(slug)))

    spec = org_lifecycle.deleted_orgs(caller.app_id)
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope), keep=matches if query.q else None)
    return Page(data=[records.to_deleted_org(item) for item in page.items],
                next_cursor=cursors.encode(page.last_key, scope))


def restore(caller: Caller, org_id: str, body: RestoreOrg) -> Org:
    access.require_support(caller)
    return retrying(lambda: _restore(caller, org_id, body))


def _restore(caller: Caller, org_id: str, body: RestoreOrg) -> Org:
    app_id = caller.app_id
    if not ids.is_valid("org", org_id):
        raise not_found("org")
    # the org's event counter comes with the deleted org, so org.restored is numbered without another read
    deleted, counter = table.batch_get([keys.deleted_org(app_id, org_id), events.sequence_key(app_id, org_id)])
    events.saw(app_id, org_id, counter)
    if deleted is None or deleted.get("purging"):
        raise not_found("org")
    now = clock.iso()
    slug = body.slug or str(deleted["org"]["slug"])
    org = records.restored_org_item(deleted, slug, now)
    tx = Transaction()
    org_lifecycle.take_back(tx, app_id, org_id)
    orgs_store.put_new(tx, org)
    orgs_store.claim_slug(tx, app_id, slug, org_id, SLUG_TAKEN)
    org_lifecycle.start_walk(tx, _job(app_id, org_id, UNHIDE, now, by=caller))
    audit.record(tx, caller, org_id, "org.restored", "org", org_id,
                 {"slug": slug, "deleted_at": deleted["deleted_at"], "deleted_by": deleted["deleted_by"]},
                 app_settings.load(app_id).audit_retention_days)
    tx.commit()
    return records.to_org(org)


# --- the walks (stream-driven, services.cleanup.run_job) -------------------------------------------


def run_walk(job: Item) -> int:
    """One batch of a hide or unhide walk; returns how many items it moved (0: nothing left)."""
    app_id, org_id, kind = str(job["app_id"]), str(job["org_id"]), str(job["kind"])
    job_key = keys.lifecycle_job(app_id, org_id, kind)
    current = table.get(job_key)
    if current is None or current.get("run_id") != job.get("run_id"):
        return 0  # finished, or replaced by a newer walk of the same kind
    if not _walk_allowed(app_id, org_id, kind):
        _finish(job_key, current)
        return 0
    start = {"PK": keys.org_pk(app_id, org_id), "SK": current["cursor"]} if current.get("cursor") else None
    page = table.query(orgs_store.partition(app_id, org_id), deployment().cleanup_batch_size,
                       table.serialize(start) if start else None)
    moved = 0
    actor = _walk_actor(app_id, current) if kind == UNHIDE else None
    retention = app_settings.load(app_id).audit_retention_days
    for item in page.items:
        tx = Transaction()
        if not _move(tx, app_id, item, hide=kind == HIDE):
            continue
        if actor is not None and item.get("entity") == "MEMBER":
            audit.member_added(tx, actor, org_id, str(item["user_id"]), str(item["role"]), "restore", retention)
        if kind == HIDE:
            org_lifecycle.check_restorable(tx, app_id, org_id)
        else:
            tx.check(keys.org(app_id, org_id), orgs_store.EXISTS, on_fail=STALE)
        if tx.commit_unless_stale():
            moved += 1
        elif not _walk_allowed(app_id, org_id, kind):  # restored, deleted again or purging meanwhile
            _finish(job_key, current)
            return moved
    if not page.items or not page.last_key:
        _finish(job_key, current)
        return moved
    tx = Transaction()
    org_lifecycle.advance_walk(tx, job_key, str(current["run_id"]), str(page.items[-1]["SK"]), clock.iso())
    tx.commit_unless_stale()  # its MODIFY record drives the next batch
    return moved


def _walk_allowed(app_id: str, org_id: str, kind: str) -> bool:
    if kind == HIDE:
        deleted = table.get(keys.deleted_org(app_id, org_id))
        return deleted is not None and not deleted.get("purging")
    return table.get(keys.org(app_id, org_id)) is not None


def _finish(job_key: dict[str, str], job: Item) -> None:
    tx = Transaction()
    org_lifecycle.finish_walk(tx, job_key, str(job["run_id"]))
    tx.commit_unless_stale()


def _move(tx: Transaction, app_id: str, item: Item, *, hide: bool) -> bool:
    """Add the hide (or unhide) of one item to ``tx``; ``False`` if it has nothing to move."""
    entity, soft_deleted = item.get("entity"), bool(item.get("soft_deleted"))
    if soft_deleted == hide:
        return False
    if entity == "MEMBER":
        if hide:
            org_lifecycle.hide_membership(tx, app_id, item)
        else:
            org_lifecycle.unhide_membership(tx, app_id, item)
        return True
    if entity == "INVITE" and item.get("status") == "pending":
        if hide:
            org_lifecycle.hide_invitation(tx, item)
        else:
            org_lifecycle.unhide_invitation(tx, app_id, item)
        return True
    return False


# --- purge (the expiry job) ----------------------------------------------------------------------------


def start_purge(deleted: Item) -> bool:
    """The restore window of a deleted org has closed: start the cleanup, refuse restores from now on."""
    if deleted.get("entity") != "DELETED_ORG" or deleted.get("purging"):
        return False
    now_epoch = int(clock.timestamp())
    if int(deleted["purge_epoch"]) > now_epoch:
        return False
    app_id, org_id = str(deleted["app_id"]), str(deleted["org_id"])
    system = Caller(app_id=app_id, user_id=PURGE_ACTOR, email=None, email_verified=False, support=False,
                    request_id=f"purge-{secrets.token_hex(6)}")
    now = clock.iso()
    tx = Transaction()
    org_lifecycle.start_purging(tx, app_id, org_id, now, now_epoch)
    tx.put(records.org_cleanup_job(app_id, org_id, now))
    role_usage.hold(tx, app_id, deleted["org"].get(orgs_store.POLICY_ROLE), -1)  # its domain-join policy's
    audit.record(tx, system, org_id, "org.purged", "org", org_id,
                 {"name": deleted["org"]["name"], "deleted_at": deleted["deleted_at"]},
                 app_settings.load(app_id).audit_retention_days)
    return tx.commit_unless_stale()
