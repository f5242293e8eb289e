"""Invitations: invite, list, read, revoke and resend; the invitee's list; accept and decline.

State lives on three items of the org's partition, always changed together:

- the invitation (``pending`` → ``accepted`` | ``declined`` | ``revoked`` | ``expired``; only
  ``pending`` moves, every move is conditional on it);
- the email claim (``keys.email_claim``): one per (org, email), held by a member or by one pending
  invitation, so "already a member" and "one pending invitation per email" are unique-key writes;
- the org's counters: ``pending_invitation_count``, ``member_count`` and ``seats_used`` (members plus
  pending invitations). Inviting is conditioned on ``seats_used``, accepting on ``member_count``, so
  the seat limit holds exactly under any concurrency.

A custom role held by a pending invitation counts as in use (``services.role_usage``); accepting
hands the invitation's hold to the membership.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from orgplane import access, clock, ids, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, forbidden, not_found
from orgplane.models.common import ListQuery, Page
from orgplane.models.invitations import (
    CreateInvitation,
    Invitation,
    InvitationToken,
    ListInvitationsQuery,
    MyInvitation,
)
from orgplane.models.members import Member
from orgplane.models.settings import AppSettings
from orgplane.services import audit, events, invitation_links, optimistic, rate_limits, role_usage
from orgplane.services import settings as app_settings
from orgplane.services.orgs import ORG_LIMIT, add_user_org_count
from orgplane.services.tenancy import OrgView, assume_org, name_unchanged, open_org
from orgplane.store import cursors, email_claims, memberships, pages, records, table
from orgplane.store import invitations as invitations_store
from orgplane.store import orgs as orgs_store
from orgplane.store import teams as teams_store
from orgplane.store.transaction import STALE, Stale, Transaction, retrying

Item = dict[str, Any]
T = TypeVar("T")

PENDING = "pending"
EXPIRY_ACTOR = "system:invitation-expiry"
NOT_PENDING = DomainError("invitation_not_pending", "The invitation is no longer pending.")
EXPIRED = DomainError("invitation_expired", "The invitation has expired; ask for a new one.")
EMAIL_MISMATCH = DomainError("invitation_email_mismatch",
                             "The invitation was sent to another email address, or yours is not verified.")
ALREADY_MEMBER = DomainError("already_member", "That email address belongs to a member of the organization.")
ALREADY_INVITED = DomainError("invitation_pending",
                              "That email address already has a pending invitation; resend it instead.")
NO_SEAT = DomainError("member_limit_reached", "The organization has no free seat.")
TEAMS = "team:member:manage"


def _now_epoch() -> int:
    return int(clock.timestamp())


def _due(invitation: Item) -> bool:
    """Still pending, and past its expiry: the job's to mark ``expired``."""
    return invitation.get("status") == PENDING and int(invitation["expires_epoch"]) <= _now_epoch()


def _require_inviting(view: OrgView) -> None:
    """Inviting (and resending) needs ``member:invite`` and also ``member:read`` and ``invitation:read``:
    its answers (``already_member``, ``invitation_pending``, ``invitation_not_pending``) tell who is a
    member or invited, which a role without those reads must not learn one address at a time."""
    view.require("member:invite")
    if not (view.has("member:read") and view.has("invitation:read")):
        raise forbidden("Inviting also needs the member:read and invitation:read permissions: its answer "
                        "says whether an address is already a member or invited.")


def _require_team_grant(view: OrgView) -> None:
    """Inviting into teams adds the invitee to them on accept: it needs what adding them directly needs
    (``team:member:manage``), or ``member:invite`` alone would put people on any team."""
    if not view.has(TEAMS):
        raise forbidden("Inviting into teams also needs the team:member:manage permission.")


def _expiry(ttl_seconds: int) -> tuple[int, str]:
    epoch = _now_epoch() + ttl_seconds
    return epoch, clock.iso_at(epoch)


def _open_invitation(caller: Caller, org_id: str, invitation_id: str, *extra: dict[str, str]) -> tuple[OrgView, Item]:
    if not ids.is_valid("inv", invitation_id):
        raise not_found("invitation")
    view = open_org(caller, org_id, keys.invitation(caller.app_id, org_id, invitation_id), *extra)
    return view, view.extra[0] or {}


def _answered(invitation_id: str) -> dict[str, str]:
    return {"GSI1SK": keys.answered_invitation_email_sk(invitation_id)}


def _existing(invitation: Item) -> Item:
    if not invitation:
        raise not_found("invitation")
    return invitation


# --- the org's side ------------------------------------------------------------------------------


def create(caller: Caller, org_id: str, body: CreateInvitation) -> Invitation:
    return optimistic.write(lambda: _create_unread(caller, org_id, body), lambda: _create(caller, org_id, body))


def _create_unread(caller: Caller, org_id: str, body: CreateInvitation) -> Invitation | None:
    """The happy path in one request. Guards: the address is unclaimed (neither a member nor invited),
    the teams exist, a seat and the mail limits are free, the org still has the name the container knows
    (the invitation copies it), and the caller's role is one that may invite and grant ``body.role``.
    An unknown org name, role or team id, or any failed guard, takes the read path."""
    view = assume_org(caller, org_id)
    if (view is None or "name" not in view.org or not view.book.exists(body.role)
            or not all(ids.is_valid("team", team_id) for team_id in body.team_ids)):
        return None
    if not caller.support:
        needed = ("member:invite", "member:read", "invitation:read", *((TEAMS,) if body.team_ids else ()))
        view.assumed_roles = [role for role in view.book.holding(*needed)
                              if access.can_grant(view.book, role, body.role)]
    item = _invitation_item(view, body)
    tx = Transaction()
    write_invitation(tx, view, item)
    count_invitations(tx, view, [item])
    name_unchanged(tx, view)
    record_invitation(tx, view, item)
    tx.commit()
    return records.to_invitation(item, _now_epoch())


def _create(caller: Caller, org_id: str, body: CreateInvitation) -> Invitation:
    app_id = caller.app_id
    email_key = records.email_key(body.email)
    team_ids = team_ids_of(body)
    team_keys = [keys.team(app_id, org_id, team_id) for team_id in team_ids]
    view = open_org(caller, org_id, keys.email_claim(app_id, org_id, email_key), *team_keys)
    _require_inviting(view)
    item = new_invitation(view, body, email_key, view.extra[0], view.extra[1:])
    if item is None:
        raise STALE  # its invitation was past due and is now expired: the address is free, read again
    tx = Transaction()
    write_invitation(tx, view, item)
    count_invitations(tx, view, [item])
    record_invitation(tx, view, item)
    tx.commit()
    return records.to_invitation(item, _now_epoch())


def team_ids_of(body: CreateInvitation) -> list[str]:
    """The invitation's teams, each once; an id that cannot be a team's is a 404, as a missing team."""
    team_ids = list(dict.fromkeys(body.team_ids))
    if not all(ids.is_valid("team", team_id) for team_id in team_ids):
        raise not_found("team")
    return team_ids


def new_invitation(view: OrgView, body: CreateInvitation, email_key: str, claim: Item | None,
                   teams: list[Item | None], *, expire_due: bool = True) -> Item | None:
    """The invitation item ``body`` asks for, after every check of the caller's right to make it that
    does not need the write (role known and grantable, teams exist, the address neither a member nor
    invited). ``None`` when the address was held by an invitation past due that has just been expired
    (read again). With ``expire_due`` off the caller has already expired the due holders it read
    (:func:`expire_due_holders`), and a held address is ``invitation_pending``."""
    caller, app_id, org_id = view.caller, view.caller.app_id, view.org_id
    view.book.require_known(body.role)
    access.require_can_grant(view.book, caller, view.role, body.role)
    if body.team_ids:
        _require_team_grant(view)
    if any(team is None for team in teams):
        raise not_found("team")
    if claim is not None:
        if claim.get("state") == "member":
            raise ALREADY_MEMBER
        if expire_due and _expire_holder(app_id, org_id, claim):
            return None
        raise ALREADY_INVITED
    return _invitation_item(view, body)


def _invitation_item(view: OrgView, body: CreateInvitation) -> Item:
    caller, app_id, org_id = view.caller, view.caller.app_id, view.org_id
    ttl = body.expires_in_seconds or view.settings.invitation_ttl_seconds
    expires_epoch, expires_at = _expiry(ttl)
    return records.invitation_item(
        app_id, org_id, ids.new("inv"), email=body.email.strip(), role=body.role, team_ids=team_ids_of(body),
        invited_by=caller.user_id, inviter_email=caller.verified_email, org_name=str(view.org["name"]), ttl_seconds=ttl,
        expires_epoch=expires_epoch, expires_at=expires_at, nonce=invitation_links.new_nonce(),
        send_id=secrets.token_hex(8), now=clock.iso())


def write_invitation(tx: Transaction, view: OrgView, item: Item, on_taken: Stale = STALE) -> None:
    """The invitation and the claim on its address (``on_taken`` if someone claimed the address since)."""
    app_id, org_id = view.caller.app_id, view.org_id
    invitations_store.put_new(tx, item, on_taken)
    email_claims.put_new(tx, records.email_claim_item(app_id, org_id, str(item["email"]), invitation_id=str(item["id"])),
                         on_taken)


def count_invitations(tx: Transaction, view: OrgView, items: list[Item]) -> None:
    """What ``items`` (new invitations of one org, one per address) use together: their seats, the
    inviter's unchanged role, their teams still there, their roles' holders and the org's mail."""
    app_id, org_id = view.caller.app_id, view.org_id
    _count_seat(tx, app_id, org_id, view.settings, len(items))
    view.guard(tx)
    for team_id in dict.fromkeys(t for item in items for t in item["team_ids"]):
        teams_store.check_exists(tx, app_id, org_id, str(team_id))
    for role in dict.fromkeys(str(item["role"]) for item in items):
        role_usage.hold(tx, app_id, role, sum(1 for item in items if item["role"] == role))
    rate_limits.count_org_mail(tx, app_id, org_id, view.settings, len(items))


def record_invitation(tx: Transaction, view: OrgView, item: Item,
                      limited: Callable[[DomainError], DomainError | Stale] | None = None) -> None:
    """The mail to the invitee counted against its address's limit (``limited`` maps the refusal),
    and the invitation's audit event."""
    rate_limits.count_address_mail(tx, view.caller.app_id, view.org_id, str(item["email_key"]), view.settings,
                                   limited)
    audit.record(tx, view.caller, view.org_id, "invitation.created", "invitation", str(item["id"]),
                 {"email": item["email"], "role": item["role"], "team_ids": item["team_ids"],
                  "expires_at": item["expires_at"]},
                 view.settings.audit_retention_days)


def _expire_holder(app_id: str, org_id: str, claim: Item) -> bool:
    """The address is held by a pending invitation past its expiry (the job has not run yet): expire it
    now, as the job would, so inviting the address again works as soon as the invitation reads expired."""
    held_by = claim.get("invitation_id")
    invitation = table.get(keys.invitation(app_id, org_id, str(held_by))) if held_by else None
    if invitation is None or not _due(invitation):
        return False
    expire(invitation)  # False only if a concurrent job or answer won: either way the claim moved on
    return True


def expire_due_holders(app_id: str, org_id: str, claims: list[Item | None]) -> bool:
    """:func:`_expire_holder` for many claims, with one read of their invitations: whether any was expired."""
    held = list(dict.fromkeys(str(c["invitation_id"]) for c in claims if c is not None and c.get("invitation_id")))
    found = table.batch_get([keys.invitation(app_id, org_id, invitation_id) for invitation_id in held])
    return any([expire(invitation) for invitation in found if invitation is not None and _due(invitation)])


def expire(invitation: Item) -> bool:
    """Mark one pending invitation past its expiry ``expired``: it frees its email, seat and role, with
    its audit event by the system actor. ``False`` if it is no longer pending and due (answered, renewed,
    expired by a concurrent run, or its org deleted)."""
    if not _due(invitation):
        return False
    app_id = str(invitation["app_id"])
    system = Caller(app_id=app_id, user_id=EXPIRY_ACTOR, email=None, email_verified=False, support=False,
                    request_id=f"expiry-{secrets.token_hex(6)}")
    tx = Transaction()
    release(tx, invitation, "expired")
    audit.record(tx, system, str(invitation["org_id"]), "invitation.expired", "invitation", str(invitation["id"]),
                 {"email": invitation["email"], "expires_at": invitation["expires_at"]},
                 app_settings.load(app_id).audit_retention_days)
    try:
        tx.commit()
    except Stale:
        return False
    return True


def _count_seat(tx: Transaction, app_id: str, org_id: str, settings: AppSettings, seats: int = 1) -> None:
    """Pending invitations hold a seat each: members plus pending invitations stay within the limit."""
    add = {"pending_invitation_count": seats, "seats_used": seats}
    limit = settings.max_members_per_org
    if limit is None:
        orgs_store.count(tx, app_id, org_id, add)
    else:
        orgs_store.count(tx, app_id, org_id, add, orgs_store.at_most("seats_used", limit - seats), NO_SEAT)


def list_for_org(caller: Caller, org_id: str, query: ListInvitationsQuery) -> Page[Invitation]:
    view = open_org(caller, org_id)
    view.require("invitation:read")
    now = _now_epoch()
    spec = invitations_store.of_org(caller.app_id, org_id)
    if query.status == PENDING:
        spec = invitations_store.pending_of_org(caller.app_id, org_id).where(invitations_store.open_at(now))
    elif query.status == "expired":
        spec = spec.where(invitations_store.expired_at(now))
    elif query.status:
        spec = spec.where(invitations_store.in_status(query.status))
    scope = f"invitations:{caller.app_id}:{org_id}:{query.status or ''}"
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    return Page(data=[records.to_invitation(item, now) for item in page.items],
                next_cursor=cursors.encode(page.last_key, scope))


def get(caller: Caller, org_id: str, invitation_id: str) -> Invitation:
    view, invitation = _open_invitation(caller, org_id, invitation_id)
    view.require("invitation:read")
    return records.to_invitation(_existing(invitation), _now_epoch())


def revoke(caller: Caller, org_id: str, invitation_id: str) -> None:
    retrying(lambda: _revoke(caller, org_id, invitation_id))


def _open_pending(caller: Caller, org_id: str, invitation_id: str,
                  permission: str | Callable[[OrgView], None]) -> tuple[OrgView, Item]:
    """The org, the caller's ``permission`` in it (or a check of it), and one of its invitations that is
    still pending."""
    view, invitation = _open_invitation(caller, org_id, invitation_id)
    if callable(permission):
        permission(view)
    else:
        view.require(permission)
    invitation = _existing(invitation)
    if invitation["status"] != PENDING:
        raise NOT_PENDING
    return view, invitation


def _revoke(caller: Caller, org_id: str, invitation_id: str) -> None:
    view, invitation = _open_pending(caller, org_id, invitation_id, "invitation:revoke")
    tx = Transaction()
    release(tx, invitation, "revoked")
    view.guard(tx)
    audit.record(tx, caller, org_id, "invitation.revoked", "invitation", invitation_id,
                 {"email": invitation["email"], "role": invitation["role"]}, view.settings.audit_retention_days)
    tx.commit()


def resend(caller: Caller, org_id: str, invitation_id: str) -> Invitation:
    return retrying(lambda: _resend(caller, org_id, invitation_id))


def _resend(caller: Caller, org_id: str, invitation_id: str) -> Invitation:
    """A new link (new nonce: the old token stops matching), a new expiry, and a new delivery."""
    view, invitation = _open_pending(caller, org_id, invitation_id, _require_inviting)
    access.require_can_grant(view.book, caller, view.role, str(invitation["role"]))  # a resend renews the grant
    if invitation.get("team_ids"):
        _require_team_grant(view)
    ttl = int(invitation.get("ttl_seconds") or view.settings.invitation_ttl_seconds)
    expires_epoch, expires_at = _expiry(ttl)
    now = clock.iso()
    changes = {
        "nonce": invitation_links.new_nonce(),
        "send_id": secrets.token_hex(8),
        "expires_epoch": expires_epoch,
        "expires_at": expires_at,
        **keys.expiry_gsi3(expires_epoch, caller.app_id, invitation_id),
        "delivery": records.delivery_queued(),
        "org_name": view.org["name"],
        "updated_at": now,
    }
    tx = Transaction()
    invitations_store.move(tx, caller.app_id, org_id, invitation_id, changes,
                           invitations_store.pending_with_nonce(str(invitation["nonce"])))
    view.guard(tx)
    rate_limits.count_invitation_mail(tx, caller.app_id, org_id, str(invitation["email_key"]), view.settings)
    audit.record(tx, caller, org_id, "invitation.resent", "invitation", invitation_id,
                 {"email": invitation["email"], "expires_at": expires_at}, view.settings.audit_retention_days)
    tx.commit()
    return records.to_invitation({**invitation, **changes}, _now_epoch())


def release(tx: Transaction, invitation: Item, status: str, *, answered: bool = False) -> None:
    """Move a pending invitation to ``status`` (declined, revoked, expired): it leaves the pending indexes,
    frees the email and the seat it held, and lets go of its role. STALE if it is no longer pending, or,
    when the invitee ``answered``, if it has expired or been resent (the link read is no longer live)."""
    app_id, org_id, invitation_id = invitation["app_id"], invitation["org_id"], invitation["id"]
    when = invitations_store.pending()
    if answered:
        when = invitations_store.live(str(invitation["nonce"]), _now_epoch())
    elif status == "expired":
        when = invitations_store.due(_now_epoch())
    invitations_store.move(tx, app_id, org_id, invitation_id,
                           {"status": status, "updated_at": clock.iso(), **_answered(invitation_id)}, when,
                           remove=list(keys.PENDING_INVITATION_INDEXES))
    email_claims.release_by_invitation(tx, app_id, org_id, str(invitation["email_key"]), invitation_id)
    orgs_store.count(tx, app_id, org_id, {"pending_invitation_count": -1, "seats_used": -1})
    role_usage.hold(tx, app_id, invitation.get("role"), -1)


# --- the invitee's side --------------------------------------------------------------------------


def list_mine(caller: Caller, query: ListQuery) -> Page[MyInvitation]:
    """Pending invitations addressed to the caller's verified email, in orgs that still exist."""
    if caller.email_key is None:
        return Page(data=[], next_cursor=None)
    now = _now_epoch()
    scope = f"my-invitations:{caller.app_id}:{caller.email_key}"
    spec = invitations_store.of_email(caller.app_id, caller.email_key).where(invitations_store.open_at(now))
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    org_ids = list(dict.fromkeys(str(item["org_id"]) for item in page.items))
    orgs = dict(zip(org_ids, table.batch_get([keys.org(caller.app_id, o) for o in org_ids]), strict=True))
    data = [
        MyInvitation(**records.to_invitation(item, now).model_dump(), org_name=str(org["name"]))
        for item in page.items
        if (org := orgs.get(str(item["org_id"]))) is not None
    ]
    return Page(data=data, next_cursor=cursors.encode(page.last_key, scope))


def accept_by_token(caller: Caller, body: InvitationToken) -> Member:
    return retrying(lambda: _accept(caller, *_by_token(caller, body.token)))


def accept_by_id(caller: Caller, invitation_id: str) -> Member:
    return optimistic.write(lambda: _answer_as_listed(caller, invitation_id, _accept),
                            lambda: _accept(caller, *_by_id(caller, invitation_id)))


def decline_by_token(caller: Caller, body: InvitationToken) -> None:
    retrying(lambda: _decline(caller, *_by_token(caller, body.token)))


def decline_by_id(caller: Caller, invitation_id: str) -> None:
    optimistic.write(lambda: _answer_as_listed(caller, invitation_id, _declined),
                     lambda: _decline(caller, *_by_id(caller, invitation_id)))


def _by_token(caller: Caller, token: str) -> tuple[Item, Item, Item | None]:
    """(org, invitation, caller's membership) named by a link's token; 404 for anything that does not
    match exactly (malformed, another app, an old link, a deleted org)."""
    parsed = invitation_links.parse(token)
    if parsed is None:
        raise not_found("invitation")
    org_id, invitation_id, mac = parsed
    org, invitation, membership = _read(caller, org_id, invitation_id)
    if not invitation_links.matches(caller.app_id, org_id, invitation_id, str(invitation.get("nonce", "")), mac):
        raise not_found("invitation")
    return org, invitation, membership


def _by_id(caller: Caller, invitation_id: str) -> tuple[Item, Item, Item | None]:
    """The same, from the caller's own list: the invitation is found through the caller's email."""
    for sort_key in (keys.invitation_email_sk(invitation_id), keys.answered_invitation_email_sk(invitation_id)):
        listed = _listed(caller, invitation_id, sort_key)
        if listed is not None:  # pending first; an answered one only costs a second read on the way to its 409
            return _read(caller, str(listed["org_id"]), invitation_id)
    raise not_found("invitation")


def _listed(caller: Caller, invitation_id: str, sort_key: str) -> Item | None:
    """The invitation as the caller's email view lists it under ``sort_key`` (pending or answered), if it does."""
    if not ids.is_valid("inv", invitation_id) or caller.email_key is None:
        return None
    found = table.query(invitations_store.of_email(caller.app_id, caller.email_key, sort_key), 1).items
    return found[0] if found and found[0].get("id") == invitation_id else None


def _answer_as_listed(caller: Caller, invitation_id: str,
                      answer: Callable[[Caller, Item, Item, Item | None], T]) -> T | None:
    """Accept or decline in two requests: the caller's email view lists the whole pending invitation
    (GSI1 projects every attribute), and the answer's transaction is conditioned on the invitation still
    being pending with the link nonce listed (:func:`invitations_store.live`), the caller not being a
    member yet and the org existing, so an eventually consistent listing is enough. Not listed as pending,
    or any failed guard: the read path (strongly consistent reads) answers exactly."""
    listed = _listed(caller, invitation_id, keys.invitation_email_sk(invitation_id))
    if listed is None:
        return None
    try:
        _check_answerable(caller, listed)
    except DomainError:
        return None  # perhaps stale: the read path decides on fresh reads
    return answer(caller, {"id": str(listed["org_id"])}, listed, None)


def _read(caller: Caller, org_id: str, invitation_id: str) -> tuple[Item, Item, Item | None]:
    app_id = caller.app_id
    org, invitation, membership, counter = table.batch_get([
        keys.org(app_id, org_id), keys.invitation(app_id, org_id, invitation_id),
        keys.member(app_id, org_id, caller.user_id), events.sequence_key(app_id, org_id)])
    events.saw(app_id, org_id, counter)
    if org is None or invitation is None:
        raise not_found("invitation")
    return org, invitation, membership


def _check_answerable(caller: Caller, invitation: Item) -> None:
    """Email first (a stranger learns nothing about the invitation's state), then expiry, then state."""
    if caller.email_key is None or caller.email_key != invitation.get("email_key"):
        raise EMAIL_MISMATCH
    status = records.invitation_status(invitation, _now_epoch())
    if status == "expired":  # marked by the job or not yet: the same answer
        raise EXPIRED
    if status != PENDING:
        raise NOT_PENDING


def _accept(caller: Caller, org: Item, invitation: Item, membership: Item | None) -> Member:
    _check_answerable(caller, invitation)
    app_id, org_id, invitation_id = caller.app_id, str(org["id"]), str(invitation["id"])
    if membership is not None:
        # One BatchGetItem is no snapshot: a racing accept may have committed between reading the
        # invitation (still pending) and the membership (already there). Read the invitation again,
        # after the membership: if that accept was the one, this caller hears "not pending".
        _check_answerable(caller, table.get(keys.invitation(app_id, org_id, invitation_id)) or invitation)
        raise ALREADY_MEMBER
    settings = app_settings.load(app_id)
    role = str(invitation["role"])
    now = clock.iso()
    teams = _joinable_teams(app_id, org_id, caller.user_id, list(invitation.get("team_ids") or []))
    member = records.member_item(app_id, org_id, caller.user_id, caller.verified_email, role, now)
    if teams:
        member["teams"] = {team_id: "member" for team_id, _ in teams}
        member["teams_version"] = 1
    tx = Transaction()
    invitations_store.move(tx, app_id, org_id, invitation_id,
                           {"status": "accepted", "accepted_by": caller.user_id, "updated_at": now,
                            **_answered(invitation_id)},
                           invitations_store.live(str(invitation["nonce"]), _now_epoch()),
                           remove=list(keys.PENDING_INVITATION_INDEXES))
    email_claims.hand_to_member(tx, app_id, org_id, str(invitation["email_key"]), invitation_id, caller.user_id)
    memberships.put_new(tx, member, ALREADY_MEMBER)
    add = {"member_count": 1, "pending_invitation_count": -1, **({"owner_count": 1} if role == access.OWNER else {})}
    if settings.max_members_per_org is None:
        orgs_store.count(tx, app_id, org_id, add)
    else:
        orgs_store.count(tx, app_id, org_id, add, orgs_store.below("member_count", settings.max_members_per_org),
                         NO_SEAT)
    add_user_org_count(tx, app_id, caller.user_id, 1, settings.max_orgs_per_user, ORG_LIMIT)
    for team_id, orphan in teams:
        item = records.team_member_item(app_id, org_id, team_id, caller.user_id, "member", now)
        if orphan:  # left by an earlier membership and still counted: take its place
            teams_store.replace_orphan(tx, item)
            teams_store.check_exists(tx, app_id, org_id, team_id)
        else:
            teams_store.put_new_member(tx, item)
            teams_store.count_members(tx, app_id, org_id, team_id, +1)
    audit.record(tx, caller, org_id, "invitation.accepted", "invitation", invitation_id,
                 {"user_id": caller.user_id, "role": role, "team_ids": [team_id for team_id, _ in teams]},
                 settings.audit_retention_days)
    audit.member_added(tx, caller, org_id, caller.user_id, role, "invitation", settings.audit_retention_days,
                       invitation_id=invitation_id)
    tx.commit()
    return records.to_member(member)


def _joinable_teams(app_id: str, org_id: str, user_id: str, team_ids: list[str]) -> list[tuple[str, bool]]:
    """(team_id, an orphan team membership of the user exists) for the invitation's teams that still
    exist; a team deleted since the invitation was sent is skipped."""
    if not team_ids:
        return []
    found = table.batch_get([keys.team(app_id, org_id, t) for t in team_ids]
                            + [keys.team_member(app_id, org_id, t, user_id) for t in team_ids])
    teams, memberships = found[: len(team_ids)], found[len(team_ids):]
    return [(team_id, existing is not None)
            for team_id, team, existing in zip(team_ids, teams, memberships, strict=True) if team is not None]


def _declined(caller: Caller, org: Item, invitation: Item, membership: Item | None) -> bool:
    _decline(caller, org, invitation, membership)
    return True


def _decline(caller: Caller, org: Item, invitation: Item, membership: Item | None) -> None:
    _check_answerable(caller, invitation)
    settings = app_settings.load(caller.app_id)
    tx = Transaction()
    release(tx, invitation, "declined", answered=True)
    audit.record(tx, caller, str(org["id"]), "invitation.declined", "invitation", str(invitation["id"]),
                 {"email": invitation["email"]}, settings.audit_retention_days)
    tx.commit()
