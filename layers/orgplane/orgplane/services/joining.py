"""Joining an org by a verified email domain: the joinable orgs, joining, and join requests.

An org whose verified domain (:mod:`orgplane.services.domains`) equals the domain of a caller's
*verified* email, and whose ``domain_join`` policy is not ``off``, is joinable by that caller:

- ``GET /me/joinable-orgs``: the app-wide claim of the caller's domain names the one org that verified
  it; with that org and the caller's membership it costs two reads, however many orgs the app has.
- ``POST /orgs/{org_id}/join``: ``auto`` adds the member with the policy's role (seat limit and the
  user's org limit, as every join: :func:`orgplane.services.members.add_membership`), ``request`` files a
  join request (202). Anything else (policy off, no verified domain of the caller's, another org's
  domain, no verified email) is 404 ``org_not_found``: the org does not exist for this caller.
- Join requests: one pending per (org, user) (a unique key, ``keys.pending_join``); approving (optional
  role, never above the approver's), denying and cancelling each move ``pending`` on a condition, so an
  approval racing a cancellation leaves exactly one outcome and the loser hears 409
  ``join_request_not_pending``. Listing an org's requests and deciding need ``member:invite``.
"""

from __future__ import annotations

from typing import Any

from orgplane import access, clock, emails, ids, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, not_found
from orgplane.models.common import ListQuery, Page
from orgplane.models.joining import (
    ApproveJoinRequest,
    JoinableOrg,
    JoinableOrgs,
    JoinRequest,
    ListJoinRequestsQuery,
)
from orgplane.models.members import Member
from orgplane.services import audit, events, members
from orgplane.services import settings as app_settings
from orgplane.services.tenancy import open_org
from orgplane.store import cursors, domains, join_requests, pages, records, table
from orgplane.store import orgs as orgs_store
from orgplane.store.join_requests import PENDING
from orgplane.store.transaction import STALE, Transaction, retrying

Item = dict[str, Any]

ALREADY_MEMBER = DomainError("already_member", "You are already a member of the organization.")
ALREADY_PENDING = DomainError("join_request_pending", "You already asked to join this organization.")
NOT_PENDING = DomainError("join_request_not_pending", "The join request was already decided or cancelled.")
INVITED = DomainError("invitation_pending",
                      "Your email address has a pending invitation to this organization: accept it instead.")


def _policy(org: Item) -> dict[str, str]:
    return dict(org.get("domain_join") or {"mode": "off", "role": "member"})


def to_request(item: Item) -> JoinRequest:
    return JoinRequest(id=str(item["id"]), org_id=str(item["org_id"]), user_id=str(item["user_id"]),
                       email=str(item["email"]), status=item["status"], created_at=str(item["created_at"]),
                       decided_by=item.get("decided_by"), decided_at=item.get("decided_at"))


def _caller_domain(caller: Caller) -> str | None:
    email = caller.verified_email
    return emails.domain_of(email) if email is not None else None


# --- the joiner's side ---------------------------------------------------------------------------


def joinable(caller: Caller) -> JoinableOrgs:
    domain = _caller_domain(caller)
    if domain is None:
        return JoinableOrgs(data=[])
    claim = table.get(keys.domain_claim(caller.app_id, domain))
    if claim is None:
        return JoinableOrgs(data=[])
    org_id = str(claim["org_id"])
    org, membership = table.batch_get([keys.org(caller.app_id, org_id), keys.member(caller.app_id, org_id,
                                                                                     caller.user_id)])
    if org is None or membership is not None or _policy(org)["mode"] == "off":
        return JoinableOrgs(data=[])
    return JoinableOrgs(data=[JoinableOrg(id=org_id, name=str(org["name"]), slug=str(org["slug"]), domain=domain,
                                          mode=_policy(org)["mode"])])  # type: ignore[arg-type]


def join(caller: Caller, org_id: str) -> Member | JoinRequest:
    return retrying(lambda: _join(caller, org_id))


def _join(caller: Caller, org_id: str) -> Member | JoinRequest:
    domain = _caller_domain(caller)
    email_key = caller.email_key
    if domain is None or email_key is None or not ids.is_valid("org", org_id):
        raise not_found("org")
    app_id = caller.app_id
    org, membership, claim, email_claim, pending, counter = table.batch_get([
        keys.org(app_id, org_id), keys.member(app_id, org_id, caller.user_id), keys.domain_claim(app_id, domain),
        keys.email_claim(app_id, org_id, email_key), keys.pending_join(app_id, org_id, caller.user_id),
        events.sequence_key(app_id, org_id)])  # the counter: the join's events are numbered without another read
    events.saw(app_id, org_id, counter)
    policy = _policy(org or {})
    if org is None or claim is None or claim.get("org_id") != org_id or policy["mode"] == "off":
        raise not_found("org")
    if membership is not None:
        raise ALREADY_MEMBER
    if email_claim is not None and email_claim.get("invitation_id"):
        raise INVITED
    settings = app_settings.load(app_id)
    email = str(caller.verified_email)
    tx = Transaction()
    domains.check_held_by(tx, app_id, domain, org_id)
    # the policy as read (one BatchGetItem is no snapshot): a join never commits on a policy since turned
    # off or lowered (merged into the write of the org's counters when it joins at once)
    tx.check(keys.org(app_id, org_id), orgs_store.join_policy_is(policy["mode"], policy["role"]), on_fail=STALE)
    if policy["mode"] == "auto":
        member = members.add_membership(tx, app_id, org_id, caller.user_id, email, policy["role"],
                                        settings.max_members_per_org, settings.max_orgs_per_user)
        audit.member_added(tx, caller, org_id, caller.user_id, policy["role"], "domain_join",
                           settings.audit_retention_days, domain=domain)
        tx.commit()
        return records.to_member(member)
    if pending is not None:
        raise ALREADY_PENDING
    request_id = ids.new("jr")
    item: Item = {
        **keys.join_request(app_id, org_id, request_id),
        **keys.join_request_gsi1(app_id, caller.user_id, request_id),
        "entity": "JOIN_REQUEST", "app_id": app_id, "org_id": org_id, "id": request_id, "user_id": caller.user_id,
        "email": email, "domain": domain, "status": PENDING, "created_at": clock.iso(), "decided_by": None,
        "decided_at": None,
    }
    join_requests.put_new(tx, item, ALREADY_PENDING)
    audit.record(tx, caller, org_id, "join_request.created", "join_request", request_id,
                 {"user_id": caller.user_id, "email": email, "domain": domain}, settings.audit_retention_days)
    tx.commit()
    return to_request(item)


def list_mine(caller: Caller, query: ListQuery) -> Page[JoinRequest]:
    """The caller's join requests in orgs that still exist: a deleted org's are gone from the list at once
    (and back if support restores it), as its invitations are from ``GET /invitations``."""
    scope = f"my-join-requests:{caller.app_id}:{caller.user_id}"
    spec = join_requests.of_user(caller.app_id, caller.user_id)
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    org_ids = list(dict.fromkeys(str(item["org_id"]) for item in page.items))
    live = {org_id for org_id, org in zip(org_ids, table.batch_get([keys.org(caller.app_id, o) for o in org_ids]),
                                          strict=True) if org is not None}
    return Page(data=[to_request(item) for item in page.items if str(item["org_id"]) in live],
                next_cursor=cursors.encode(page.last_key, scope))


def cancel(caller: Caller, request_id: str) -> None:
    retrying(lambda: _cancel(caller, request_id))


def _cancel(caller: Caller, request_id: str) -> None:
    if not ids.is_valid("jr", request_id):
        raise not_found("join_request")
    found = table.query(join_requests.of_user(caller.app_id, caller.user_id, request_id), 1)
    if not found.items:
        raise not_found("join_request")
    org_id = str(found.items[0]["org_id"])
    request, org = table.batch_get([keys.join_request(caller.app_id, org_id, request_id),
                                    keys.org(caller.app_id, org_id)])
    if request is None or org is None or request.get("user_id") != caller.user_id:
        raise not_found("join_request")  # a deleted org's requests are gone with it
    if request["status"] != PENDING:
        raise NOT_PENDING
    tx = Transaction()
    _decide(tx, caller, request, "cancelled")
    tx.check(keys.org(caller.app_id, org_id), orgs_store.EXISTS, on_fail=STALE)  # not deleted meanwhile
    audit.record(tx, caller, org_id, "join_request.cancelled", "join_request", request_id,
                 {"user_id": caller.user_id}, app_settings.load(caller.app_id).audit_retention_days)
    tx.commit()


def _decide(tx: Transaction, caller: Caller, request: Item, status: str) -> None:
    """Move a pending request to ``status`` and free the (org, user) pending slot; STALE if it moved."""
    join_requests.decide(tx, caller.app_id, str(request["org_id"]), str(request["id"]), str(request["user_id"]),
                         {"status": status, "decided_by": caller.user_id, "decided_at": clock.iso()})


# --- the org's side ------------------------------------------------------------------------------


def list_for_org(caller: Caller, org_id: str, query: ListJoinRequestsQuery) -> Page[JoinRequest]:
    view = open_org(caller, org_id)
    view.require("member:invite")
    spec = join_requests.of_org(caller.app_id, org_id, query.status)
    scope = f"join-requests:{caller.app_id}:{org_id}:{query.status or ''}"
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    return Page(data=[to_request(item) for item in page.items], next_cursor=cursors.encode(page.last_key, scope))


def _open_request(caller: Caller, org_id: str, request_id: str) -> tuple[Any, Item]:
    if not ids.is_valid("jr", request_id):
        raise not_found("join_request")
    view = open_org(caller, org_id, keys.join_request(caller.app_id, org_id, request_id))
    view.require("member:invite")
    request = view.extra[0]
    if request is None:
        raise not_found("join_request")
    if request["status"] != PENDING:
        raise NOT_PENDING
    return view, request


def approve(caller: Caller, org_id: str, request_id: str, body: ApproveJoinRequest) -> Member:
    return retrying(lambda: _approve(caller, org_id, request_id, body))


def _approve(caller: Caller, org_id: str, request_id: str, body: ApproveJoinRequest) -> Member:
    view, request = _open_request(caller, org_id, request_id)
    role = body.role or _policy(view.org)["role"]
    view.book.require_known(role)
    access.require_can_grant(view.book, caller, view.role, role)
    tx = Transaction()
    _decide(tx, caller, request, "approved")
    member = members.add_membership(tx, caller.app_id, org_id, str(request["user_id"]), str(request["email"]), role,
                                    view.settings.max_members_per_org, view.settings.max_orgs_per_user)
    view.guard(tx)
    audit.record(tx, caller, org_id, "join_request.approved", "join_request", request_id,
                 {"user_id": request["user_id"], "role": role}, view.settings.audit_retention_days)
    audit.member_added(tx, caller, org_id, str(request["user_id"]), role, "join_request",
                       view.settings.audit_retention_days, join_request_id=request_id)
    tx.commit()
    return records.to_member(member)


def deny(caller: Caller, org_id: str, request_id: str) -> None:
    retrying(lambda: _deny(caller, org_id, request_id))


def _deny(caller: Caller, org_id: str, request_id: str) -> None:
    view, request = _open_request(caller, org_id, request_id)
    tx = Transaction()
    _decide(tx, caller, request, "denied")
    view.guard(tx)
    audit.record(tx, caller, org_id, "join_request.denied", "join_request", request_id,
                 {"user_id": request["user_id"]}, view.settings.audit_retention_days)
    tx.commit()
