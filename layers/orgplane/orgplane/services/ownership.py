"""Ownership transfer in two steps: an owner offers the org to a member, who accepts or declines.

State lives on items of the org's partition:

- the transfer (``pending`` → ``accepted`` | ``declined`` | ``cancelled`` | ``expired``; only
  ``pending`` moves, every move is conditional on it), on the sparse expiry index GSI3 while pending;
- the org's pending-transfer claim (``keys.pending_transfer``): put on the condition that none
  exists, so two owners requesting at once get one transfer and one ``transfer_pending``; every
  move out of ``pending`` deletes it in the same transaction.

Accepting is one transaction: the transfer moves, the claim goes, the target becomes ``owner`` on
the condition that their role is the one read (still a member), the initiator becomes ``admin`` on
the condition that they are still an ``owner``, and the org's owner count moves with them. A cancel,
a decline, the target's removal or the initiator's demotion racing it leaves exactly one outcome.

A pending transfer whose initiator is no longer an owner, or whose target is no longer a member,
can never be accepted: the next request closes it (``cancelled``, by the system) instead of
answering ``transfer_pending``; one past its expiry is marked ``expired`` the same way, or by the
expiry job.
"""

from __future__ import annotations

import secrets
from typing import Any

from orgplane import access, clock, ids, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, forbidden, invalid, not_found
from orgplane.models.common import Page
from orgplane.models.ownership import CreateOwnershipTransfer, ListOwnershipTransfersQuery, OwnershipTransfer
from orgplane.services import audit, optimistic, role_usage
from orgplane.services import settings as app_settings
from orgplane.services.tenancy import OrgView, assume_org, open_org
from orgplane.store import cursors, memberships, ownership_transfers, pages, records, table
from orgplane.store import orgs as orgs_store
from orgplane.store.ownership_transfers import PENDING
from orgplane.store.transaction import STALE, Transaction, retrying

Item = dict[str, Any]

TTL_SECONDS = 7 * 86400
SYSTEM_ACTOR = "system:ownership-transfer"
TRANSFER_PENDING = DomainError("transfer_pending", "The organization already has a pending ownership transfer.")
NOT_PENDING = DomainError("transfer_not_pending",
                          "The ownership transfer is no longer pending (accepted, declined, cancelled or expired), "
                          "or its initiator is no longer an owner.")
NOT_A_MEMBER = DomainError("not_org_member", "The new owner must be a member of the organization.")


def _now_epoch() -> int:
    return int(clock.timestamp())


def _due(transfer: Item) -> bool:
    return int(transfer["expires_epoch"]) <= _now_epoch()


def _system(app_id: str) -> Caller:
    return Caller(app_id=app_id, user_id=SYSTEM_ACTOR, email=None, email_verified=False, support=False,
                  request_id=f"transfer-{secrets.token_hex(6)}")


def _details(transfer: Item, **more: Any) -> dict[str, Any]:
    return {"from_user_id": transfer["from_user_id"], "to_user_id": transfer["to_user_id"], **more}


def _close(tx: Transaction, transfer: Item, status: str, *, answered: bool = False) -> None:
    """Move a pending transfer to ``status``: it leaves the expiry index and frees the org's claim.
    STALE if it is no longer pending, or (``answered``) if it is past due, or (``expired``) if it is not."""
    if answered:
        when = ownership_transfers.answerable(_now_epoch())
    elif status == "expired":
        when = ownership_transfers.due(_now_epoch())
    else:
        when = ownership_transfers.pending()
    ownership_transfers.close(tx, str(transfer["app_id"]), str(transfer["org_id"]),
                              str(transfer.get("transfer_id") or transfer["id"]), status, clock.iso(), when)


def _close_by_system(transfer: Item, status: str, reason: str | None = None) -> bool:
    """Close a transfer that can no longer be accepted (past due, or its users changed), audited by the
    system actor. ``False`` if it was no longer pending (closed concurrently)."""
    app_id = str(transfer["app_id"])
    tx = Transaction()
    _close(tx, transfer, status)
    action = "ownership.transfer_expired" if status == "expired" else "ownership.transfer_cancelled"
    extra = {"reason": reason} if reason else {}
    audit.record(tx, _system(app_id), str(transfer["org_id"]), action, "ownership_transfer",
                 str(transfer.get("transfer_id") or transfer["id"]), _details(transfer, **extra),
                 app_settings.load(app_id).audit_retention_days)
    return tx.commit_unless_stale()


def expire(transfer: Item) -> bool:
    """The expiry job's step: mark one pending transfer past its expiry ``expired``."""
    if transfer.get("status") != PENDING or not _due(transfer):
        return False
    return _close_by_system(transfer, "expired")


def _dead_reason(claim: Item) -> str | None:
    """Why the org's pending transfer can never be accepted any more, or ``None`` while it still can."""
    app_id, org_id = str(claim["app_id"]), str(claim["org_id"])
    initiator, target = table.batch_get([keys.member(app_id, org_id, str(claim["from_user_id"])),
                                         keys.member(app_id, org_id, str(claim["to_user_id"]))])
    if initiator is None or initiator.get("role") != access.OWNER:
        return "initiator_not_owner"
    if target is None:
        return "target_not_member"
    return None


# --- requesting ------------------------------------------------------------------------------------


def request(caller: Caller, org_id: str, body: CreateOwnershipTransfer) -> OwnershipTransfer:
    return optimistic.write(lambda: _request_unread(caller, org_id, body), lambda: _request(caller, org_id, body))


def _request_unread(caller: Caller, org_id: str, body: CreateOwnershipTransfer) -> OwnershipTransfer | None:
    """The happy path in one request: the caller is an owner, the target a member and the org has no pending
    transfer (guards of the write). Any failed guard takes the read path, which answers exactly and closes a
    pending transfer that is past due or can no longer be accepted."""
    to_user_id = caller.resolve_user(body.to_user_id)
    view = assume_org(caller, org_id)
    if view is None or caller.support or to_user_id == caller.user_id:
        return None
    view.assumed_roles = [access.OWNER]
    return _offer(view, to_user_id)


def _request(caller: Caller, org_id: str, body: CreateOwnershipTransfer) -> OwnershipTransfer:
    app_id, to_user_id = caller.app_id, caller.resolve_user(body.to_user_id)
    view = open_org(caller, org_id, keys.member(app_id, org_id, to_user_id), keys.pending_transfer(app_id, org_id))
    if view.role != access.OWNER:
        raise forbidden("Only an owner of the organization can transfer its ownership.")
    if to_user_id == caller.user_id:
        raise invalid("to_user_id", "must be another member of the organization")
    target, claim = view.extra
    if target is None:
        raise NOT_A_MEMBER
    if claim is not None:
        if _due(claim):
            _close_by_system(claim, "expired")
            raise STALE  # the org's claim is free (or changed): read again
        reason = _dead_reason(claim)
        if reason is not None:
            _close_by_system(claim, "cancelled", reason)
            raise STALE
        raise TRANSFER_PENDING
    return _offer(view, to_user_id)


def _offer(view: OrgView, to_user_id: str) -> OwnershipTransfer:
    caller, app_id, org_id = view.caller, view.caller.app_id, view.org_id
    transfer_id = ids.new("ot")
    expires_epoch = _now_epoch() + TTL_SECONDS
    item = records.transfer_item(app_id, org_id, transfer_id, from_user_id=caller.user_id,
                                 to_user_id=to_user_id, expires_epoch=expires_epoch,
                                 expires_at=clock.iso_at(expires_epoch), now=clock.iso())
    tx = Transaction()
    ownership_transfers.open_new(tx, item, TRANSFER_PENDING)
    memberships.check_exists(tx, app_id, org_id, to_user_id)
    view.guard(tx)  # the org exists and the caller is still an owner
    audit.record(tx, caller, org_id, "ownership.transfer_requested", "ownership_transfer", transfer_id,
                 _details(item, expires_at=item["expires_at"]), view.settings.audit_retention_days)
    tx.commit()
    return records.to_transfer(item, _now_epoch())


# --- reading ---------------------------------------------------------------------------------------


def list_for_org(caller: Caller, org_id: str, query: ListOwnershipTransfersQuery) -> Page[OwnershipTransfer]:
    view = open_org(caller, org_id)
    view.require("member:read")
    scope = f"transfers:{caller.app_id}:{org_id}"
    spec = ownership_transfers.of_org(caller.app_id, org_id)
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    now = _now_epoch()
    return Page(data=[records.to_transfer(i, now) for i in page.items],
                next_cursor=cursors.encode(page.last_key, scope))


def _open_transfer(caller: Caller, org_id: str, transfer_id: str) -> tuple[OrgView, Item]:
    if not ids.is_valid("ot", transfer_id):
        raise not_found("transfer")
    view = open_org(caller, org_id, keys.ownership_transfer(caller.app_id, org_id, transfer_id))
    transfer = view.extra[0]
    if transfer is None:
        raise not_found("transfer")
    return view, transfer


def _require_pending(transfer: Item) -> None:
    if transfer.get("status") != PENDING or _due(transfer):
        raise NOT_PENDING


# --- answering -------------------------------------------------------------------------------------


def accept(caller: Caller, org_id: str, transfer_id: str) -> OwnershipTransfer:
    """The initiator is first assumed to be an owner still: the transaction that makes them admin is
    conditioned on it. Only when a guard fails is the initiator read, to answer exactly."""
    return optimistic.write(lambda: _accept(caller, org_id, transfer_id, read_initiator=False),
                            lambda: _accept(caller, org_id, transfer_id))


def _accept(caller: Caller, org_id: str, transfer_id: str, *, read_initiator: bool = True) -> OwnershipTransfer:
    app_id = caller.app_id
    view, transfer = _open_transfer(caller, org_id, transfer_id)
    if transfer["to_user_id"] != caller.user_id or view.membership is None:
        raise forbidden("Only the member the ownership is offered to can accept it.")
    _require_pending(transfer)
    initiator_id = str(transfer["from_user_id"])
    if read_initiator:
        initiator = table.get(keys.member(app_id, org_id, initiator_id))
        if initiator is None or initiator.get("role") != access.OWNER:
            raise NOT_PENDING
    my_role = str(view.role)
    now = clock.iso()
    tx = Transaction()
    _close(tx, transfer, "accepted", answered=True)
    _set_role(tx, app_id, org_id, caller.user_id, my_role, access.OWNER, now)
    _set_role(tx, app_id, org_id, initiator_id, access.OWNER, access.ADMIN, now)
    if my_role == access.OWNER:  # the target already held owner: the org loses the initiator's
        orgs_store.count(tx, app_id, org_id, {"owner_count": -1}, orgs_store.keeps_an_owner())
    else:
        tx.check(keys.org(app_id, org_id), orgs_store.EXISTS, on_fail=STALE)
    role_usage.move(tx, app_id, my_role, access.OWNER)
    audit.record(tx, caller, org_id, "ownership.transferred", "ownership_transfer", transfer_id,
                 _details(transfer, previous_role=my_role, from_new_role=access.ADMIN),
                 view.settings.audit_retention_days)
    tx.commit()
    return records.to_transfer({**transfer, "status": "accepted", "updated_at": now}, _now_epoch())


def _set_role(tx: Transaction, app_id: str, org_id: str, user_id: str, old: str, new: str, now: str) -> None:
    """The member's role moves from ``old`` (as read: still a member, unchanged) to ``new``."""
    memberships.change_role(tx, app_id, org_id, user_id, old,
                            {"role": new, "updated_at": now, **keys.member_role_gsi4(app_id, org_id, new, user_id)})


def decline(caller: Caller, org_id: str, transfer_id: str) -> OwnershipTransfer:
    return retrying(lambda: _decline(caller, org_id, transfer_id))


def _decline(caller: Caller, org_id: str, transfer_id: str) -> OwnershipTransfer:
    view, transfer = _open_transfer(caller, org_id, transfer_id)
    if transfer["to_user_id"] != caller.user_id or view.membership is None:
        raise forbidden("Only the member the ownership is offered to can decline it.")
    return _withdraw(view, transfer, "declined", "ownership.transfer_declined")


def cancel(caller: Caller, org_id: str, transfer_id: str) -> None:
    retrying(lambda: _cancel(caller, org_id, transfer_id))


def _cancel(caller: Caller, org_id: str, transfer_id: str) -> None:
    """The initiator withdraws the offer; so may any owner (the initiator may have left) and support."""
    view, transfer = _open_transfer(caller, org_id, transfer_id)
    if not (caller.support or view.role == access.OWNER or transfer["from_user_id"] == caller.user_id):
        raise forbidden("Only the initiator or an owner can cancel an ownership transfer.")
    _withdraw(view, transfer, "cancelled", "ownership.transfer_cancelled")


def _withdraw(view: OrgView, transfer: Item, status: str, action: str) -> OwnershipTransfer:
    """Decline or cancel: the pending transfer closes with ``status``; nobody's role changes."""
    _require_pending(transfer)
    now = clock.iso()
    tx = Transaction()
    _close(tx, transfer, status, answered=True)
    view.guard(tx)
    audit.record(tx, view.caller, view.org_id, action, "ownership_transfer", str(transfer["id"]), _details(transfer),
                 view.settings.audit_retention_days)
    tx.commit()
    return records.to_transfer({**transfer, "status": status, "updated_at": now}, _now_epoch())
