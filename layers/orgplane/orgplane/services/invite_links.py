"""Invite links: shareable links that let anyone holding them join an org, no email sent.

(Not :mod:`orgplane.services.invitation_links`, which derives the token of an emailed invitation.)

- The token is ``org_id "." link_id "." secret``: 32 random bytes, shown once in the create answer. The
  table keeps only ``SHA-256(secret)``; accepting compares hashes in constant time.
- A link has a role (never above its creator's), an optional ``max_uses``, an expiry and optional
  ``allowed_domains`` (A-labels; the joiner's *verified* email domain, :func:`orgplane.emails.domain_of`,
  must be one of them).
- Accepting is one transaction: the link's ``uses`` counter goes up on the condition that the link is
  active, unexpired, the same token, and ``uses < max_uses``; the membership is added as every join adds
  it (:func:`orgplane.services.members.add_membership`: seat limit, the user's org limit, the email
  claim), with its audit event. So ``max_uses`` and the seat limit hold exactly under racing accepts.
- The answer's ``url`` is the app's accept page (the ``accept_url`` setting, as for emailed
  invitations) with the token; an invite link's token is told apart by its ``il_`` id and goes to
  ``POST /invite-links/accept``.
- Unknown, revoked and used-up links are all ``404 invite_link_not_found``; a link past its expiry is
  ``410 invite_link_expired``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from orgplane import access, clock, emails, ids, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, forbidden
from orgplane.models.common import ListQuery, Page
from orgplane.models.members import Member
from orgplane.models.onboarding import CreatedInviteLink, CreateInviteLink, InviteLink, InviteLinkToken
from orgplane.services import audit, delivery, events, members, optimistic
from orgplane.services import settings as app_settings
from orgplane.services.tenancy import OrgView, assume_org, open_org
from orgplane.store import cursors, pages, records, table
from orgplane.store import invite_links as links
from orgplane.store.invite_links import ACTIVE
from orgplane.store.transaction import Transaction, retrying

Item = dict[str, Any]

NOT_FOUND = DomainError("invite_link_not_found", "Invite link not found.")
EXPIRED = DomainError("invite_link_expired", "The invite link has expired; ask for a new one.")
NO_VERIFIED_EMAIL = forbidden("Joining by an invite link needs a verified email address.")
DOMAIN_NOT_ALLOWED = forbidden("This invite link is for other email domains.")
ALREADY_MEMBER = DomainError("already_member", "You are already a member of the organization.")
INVITED = DomainError("invitation_pending",
                      "Your email address has a pending invitation to this organization: accept it instead.")


def _now_epoch() -> int:
    return int(clock.timestamp())


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(org_id: str, link_id: str, secret: str) -> str:
    return f"{org_id}.{link_id}.{secret}"


def _parse(token: str) -> tuple[str, str, str] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    org_id, link_id, secret = parts
    if not ids.is_valid("org", org_id) or not ids.is_valid("il", link_id) or not 40 <= len(secret) <= 64:
        return None
    return org_id, link_id, secret


def status_of(link: Item, now_epoch: int) -> str:
    if link.get("status") != ACTIVE:
        return str(link.get("status"))
    if link.get("max_uses") is not None and int(link.get("uses", 0)) >= int(link["max_uses"]):
        return "used_up"
    if int(link["expires_epoch"]) <= now_epoch:
        return "expired"
    return ACTIVE


def to_link(item: Item, now_epoch: int) -> InviteLink:
    return InviteLink(
        id=str(item["id"]), org_id=str(item["org_id"]), role=str(item["role"]),
        max_uses=None if item.get("max_uses") is None else int(item["max_uses"]), uses=int(item.get("uses", 0)),
        expires_at=str(item["expires_at"]), allowed_domains=list(item.get("allowed_domains") or []),
        status=status_of(item, now_epoch),  # type: ignore[arg-type]
        created_by=str(item["created_by"]), created_at=str(item["created_at"]))


# --- the org's side ------------------------------------------------------------------------------


def create(caller: Caller, org_id: str, body: CreateInviteLink) -> CreatedInviteLink:
    return optimistic.write(lambda: _create_unread(caller, org_id, body), lambda: _create(caller, org_id, body))


def _create_unread(caller: Caller, org_id: str, body: CreateInviteLink) -> CreatedInviteLink | None:
    """The happy path in one request: the org exists and the caller's role is one that may invite and grant
    the link's role (guards of the write). An unknown role, or any failed guard, takes the read path."""
    view = assume_org(caller, org_id)
    if view is None or not view.book.exists(body.role):
        return None
    if not caller.support:
        view.assumed_roles = [role for role in view.book.holding("member:invite")
                              if access.can_grant(view.book, role, body.role)]
    return _write_new(view, body)


def _create(caller: Caller, org_id: str, body: CreateInviteLink) -> CreatedInviteLink:
    view = open_org(caller, org_id)
    view.require("member:invite")
    view.book.require_known(body.role)
    access.require_can_grant(view.book, caller, view.role, body.role)
    return _write_new(view, body)


def _write_new(view: OrgView, body: CreateInviteLink) -> CreatedInviteLink:
    caller, org_id = view.caller, view.org_id
    link_id = ids.new("il")
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    ttl = body.expires_in_seconds or view.settings.invitation_ttl_seconds
    expires_epoch = _now_epoch() + ttl
    now = clock.iso()
    item: Item = {
        **keys.invite_link(caller.app_id, org_id, link_id),
        "entity": "INVITE_LINK",
        "app_id": caller.app_id,
        "org_id": org_id,
        "id": link_id,
        "role": body.role,
        "uses": 0,
        "expires_epoch": expires_epoch,
        "expires_at": clock.iso_at(expires_epoch),
        "allowed_domains": body.allowed_domains,
        "token_hash": _hash(secret),
        "status": ACTIVE,
        "created_by": caller.user_id,
        "created_at": now,
        "updated_at": now,
    }
    if body.max_uses is not None:
        item["max_uses"] = body.max_uses
    tx = Transaction()
    links.put_new(tx, item)
    view.guard(tx)
    audit.record(tx, caller, org_id, "invite_link.created", "invite_link", link_id,
                 {"role": body.role, "max_uses": body.max_uses, "expires_at": item["expires_at"],
                  "allowed_domains": body.allowed_domains}, view.settings.audit_retention_days)
    tx.commit()
    token = _token(org_id, link_id, secret)
    return CreatedInviteLink(**to_link(item, _now_epoch()).model_dump(), url=delivery.page_url(caller.app_id, token), token=token)


def list_for_org(caller: Caller, org_id: str, query: ListQuery) -> Page[InviteLink]:
    view = open_org(caller, org_id)
    view.require("invitation:read")
    spec = links.of_org(caller.app_id, org_id)
    scope = f"invite-links:{caller.app_id}:{org_id}"
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    now = _now_epoch()
    return Page(data=[to_link(item, now) for item in page.items], next_cursor=cursors.encode(page.last_key, scope))


def revoke(caller: Caller, org_id: str, link_id: str) -> None:
    retrying(lambda: _revoke(caller, org_id, link_id))


def _revoke(caller: Caller, org_id: str, link_id: str) -> None:
    if not ids.is_valid("il", link_id):
        raise NOT_FOUND
    view = open_org(caller, org_id, keys.invite_link(caller.app_id, org_id, link_id))
    view.require("invitation:revoke")
    link = view.extra[0]
    if link is None or link.get("status") != ACTIVE:
        raise NOT_FOUND
    tx = Transaction()
    links.revoke(tx, caller.app_id, org_id, link_id, clock.iso())
    view.guard(tx)
    audit.record(tx, caller, org_id, "invite_link.revoked", "invite_link", link_id,
                 {"role": link["role"], "uses": int(link.get("uses", 0))}, view.settings.audit_retention_days)
    tx.commit()


# --- the joiner's side ---------------------------------------------------------------------------


def accept(caller: Caller, body: InviteLinkToken) -> Member:
    return retrying(lambda: _accept(caller, body.token))


def _accept(caller: Caller, token: str) -> Member:
    parsed = _parse(token)
    if parsed is None:
        raise NOT_FOUND
    org_id, link_id, secret = parsed
    app_id, email_key = caller.app_id, caller.email_key
    # one read: with the org's event counter, the accept's events are numbered without another
    org, link, membership, counter, claim = table.batch_get([
        keys.org(app_id, org_id), keys.invite_link(app_id, org_id, link_id), keys.member(app_id, org_id, caller.user_id),
        events.sequence_key(app_id, org_id), *([keys.email_claim(app_id, org_id, email_key)] if email_key else [])
    ]) + ([] if email_key else [None])
    events.saw(app_id, org_id, counter)
    if org is None or link is None or not hmac.compare_digest(str(link.get("token_hash", "")), _hash(secret)):
        raise NOT_FOUND
    now_epoch = _now_epoch()
    status = status_of(link, now_epoch)
    if status == "expired":
        raise EXPIRED
    if status != ACTIVE:
        raise NOT_FOUND
    email = caller.verified_email
    if email is None:
        raise NO_VERIFIED_EMAIL
    allowed = link.get("allowed_domains") or []
    if allowed and emails.domain_of(email) not in allowed:
        raise DOMAIN_NOT_ALLOWED
    if membership is not None:
        raise ALREADY_MEMBER
    if claim is not None and claim.get("invitation_id"):
        raise INVITED
    settings = app_settings.load(app_id)
    role = str(link["role"])
    tx = Transaction()
    links.use(tx, app_id, org_id, link_id, str(link["token_hash"]), now_epoch, clock.iso())
    member = members.add_membership(tx, app_id, org_id, caller.user_id, email, role, settings.max_members_per_org,
                                    settings.max_orgs_per_user)
    audit.record(tx, caller, org_id, "invite_link.accepted", "invite_link", link_id,
                 {"user_id": caller.user_id, "role": role}, settings.audit_retention_days)
    audit.member_added(tx, caller, org_id, caller.user_id, role, "invite_link", settings.audit_retention_days,
                       invite_link_id=link_id)
    tx.commit()
    return records.to_member(member)
