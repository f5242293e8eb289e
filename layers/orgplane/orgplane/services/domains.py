"""Verified domains: an org proves it owns a domain with a DNS TXT record.

- ``POST /orgs/{org_id}/domains {domain}`` adds it ``pending`` with a TXT record to publish:
  ``_orgplane-verification.<domain>`` = ``orgplane-verification=<random>``. Names are normalised to
  their A-label; public suffixes and free mail domains are 400 ``domain_not_allowed``
  (:mod:`orgplane.domain_names`). At most :data:`MAX_DOMAINS_PER_ORG` per org.
- ``POST .../{domain}/verify`` looks the record up in DNS now (:mod:`orgplane.dns_txt`): found, the domain
  is ``verified`` and the app-wide claim (``keys.domain_claim``) names this org, written in the same
  transaction on the condition that no other org holds it: at most one org per app verifies a domain
  (409 ``domain_taken``, also answered on add when another org already verified it). Not found: 409
  ``domain_not_verified``, nothing changes. A claim left by a deleted org is taken over once that org
  can no longer be restored (purging or purged).
- ``DELETE`` removes the domain and, if it was verified, the claim.

Every route needs ``domain:manage`` (owners and admins); every change writes its audit event
(``domain.added``, ``domain.verified``, ``domain.removed``).
"""

from __future__ import annotations

import secrets
from typing import Any

from orgplane import clock, dns_txt, domain_names, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, not_found
from orgplane.models.common import ListQuery, Page
from orgplane.models.domains import AddDomain, Domain, Verification
from orgplane.services import audit, optimistic
from orgplane.services.tenancy import OrgView, assume_org, open_org
from orgplane.store import cursors, pages, table
from orgplane.store import domains as domains_store
from orgplane.store import orgs as orgs_store
from orgplane.store.transaction import Transaction, retrying

Item = dict[str, Any]

MAX_DOMAINS_PER_ORG = 20
CHALLENGE_LABEL = "_orgplane-verification"
CHALLENGE_PREFIX = "orgplane-verification="
PENDING, VERIFIED = domains_store.PENDING, domains_store.VERIFIED
RECHECK_SECONDS = 86400
"""A verified domain's TXT record is looked up again this long after each successful check
(:mod:`orgplane.services.domain_checks`)."""

TAKEN = DomainError("domain_taken", "Another organization of this app has verified this domain.")
ADDED = DomainError("domain_taken", "This organization has already added this domain.")
NOT_VERIFIED = DomainError("domain_not_verified",
                           "The TXT record was not found in DNS (it may take a while to propagate); retry later.")
TOO_MANY = DomainError("validation_error", f"An organization has at most {MAX_DOMAINS_PER_ORG} domains.",
                       errors=[{"field": "domain", "message": f"at most {MAX_DOMAINS_PER_ORG} domains per org"}])


def challenge_name(domain: str) -> str:
    return f"{CHALLENGE_LABEL}.{domain}"


def to_domain(item: Item) -> Domain:
    return Domain(domain=str(item["domain"]), status=item["status"],
                  verification=Verification(type="TXT", name=challenge_name(str(item["domain"])),
                                            value=str(item["verification_value"])),
                  created_at=str(item["created_at"]), verified_at=item.get("verified_at"))


def _path_domain(value: str) -> str:
    """A ``{domain}`` path segment as its A-label; one that cannot be a domain is simply not found."""
    try:
        return domain_names.normalise(value)
    except DomainError:
        raise not_found("domain") from None


def _open(caller: Caller, org_id: str, domain: str) -> tuple[OrgView, Item | None, Item | None]:
    """The org, the caller's right to manage its domains, the org's domain item and the app's claim."""
    view = open_org(caller, org_id, keys.org_domain(caller.app_id, org_id, domain),
                    keys.domain_claim(caller.app_id, domain))
    view.require("domain:manage")
    return view, view.extra[0], view.extra[1]


def _held_elsewhere(app_id: str, org_id: str, claim: Item | None) -> bool:
    """Whether another org holds the domain's claim: one that exists, or a deleted one support can still
    restore (a restore brings its verified domains back with their claims). Only a claim whose org is gone
    for good (purging or purged) is free to take over: a state no org comes back from."""
    if claim is None or claim.get("org_id") == org_id:
        return False
    holder = str(claim["org_id"])
    live, deleted = table.batch_get([keys.org(app_id, holder), keys.deleted_org(app_id, holder)])
    return live is not None or (deleted is not None and not deleted.get("purging"))


def add(caller: Caller, org_id: str, body: AddDomain) -> Domain:
    domain = domain_names.normalise(body.domain)
    domain_names.check_allowed(domain)
    return optimistic.write(lambda: _add_unread(caller, org_id, domain), lambda: _add(caller, org_id, domain))


def _add_unread(caller: Caller, org_id: str, domain: str) -> Domain | None:
    """The happy path in one request: the domain is new to the org, no other org claims it, the org has room
    and the caller's role holds ``domain:manage`` (guards of the write). Any failed guard takes the read
    path, which answers exactly (and lets a claim left by a deleted org be)."""
    view = assume_org(caller, org_id)
    return None if view is None else _put_new(view, domain, unread=True)


def _add(caller: Caller, org_id: str, domain: str) -> Domain:
    view, existing, claim = _open(caller, org_id, domain)
    if existing is not None:
        raise ADDED
    if _held_elsewhere(caller.app_id, org_id, claim):
        raise TAKEN
    return _put_new(view, domain)


def _put_new(view: OrgView, domain: str, *, unread: bool = False) -> Domain:
    caller, org_id = view.caller, view.org_id
    now = clock.iso()
    item: Item = {
        **keys.org_domain(caller.app_id, org_id, domain),
        "entity": "DOMAIN",
        "app_id": caller.app_id,
        "org_id": org_id,
        "domain": domain,
        "status": PENDING,
        "verification_value": CHALLENGE_PREFIX + secrets.token_hex(16),
        "created_by": caller.user_id,
        "created_at": now,
        "verified_at": None,
    }
    tx = Transaction()
    domains_store.put_new(tx, item)
    if unread:  # the claim was not read: that no other org holds it is a guard too
        domains_store.check_not_held_elsewhere(tx, caller.app_id, domain, org_id)
    orgs_store.count(tx, caller.app_id, org_id, {"domain_count": 1},
                     orgs_store.below("domain_count", MAX_DOMAINS_PER_ORG, absent_is_zero=True), TOO_MANY)
    view.guard(tx, "domain:manage")
    audit.record(tx, caller, org_id, "domain.added", "domain", domain, {"domain": domain},
                 view.settings.audit_retention_days)
    tx.commit()
    return to_domain(item)


def list_for_org(caller: Caller, org_id: str, query: ListQuery) -> Page[Domain]:
    view = open_org(caller, org_id)
    view.require("domain:manage")
    spec = domains_store.of_org(caller.app_id, org_id)
    scope = f"domains:{caller.app_id}:{org_id}"
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    return Page(data=[to_domain(item) for item in page.items], next_cursor=cursors.encode(page.last_key, scope))


def get(caller: Caller, org_id: str, domain: str) -> Domain:
    _, item, _ = _open(caller, org_id, _path_domain(domain))
    if item is None:
        raise not_found("domain")
    return to_domain(item)


def remove(caller: Caller, org_id: str, domain: str) -> None:
    name = _path_domain(domain)
    retrying(lambda: _remove(caller, org_id, name))


def _remove(caller: Caller, org_id: str, domain: str) -> None:
    view, item, claim = _open(caller, org_id, domain)
    if item is None:
        raise not_found("domain")
    app_id = caller.app_id
    tx = Transaction()
    domains_store.delete_as_read(tx, app_id, org_id, domain, str(item["status"]))
    if claim is not None and claim.get("org_id") == org_id:
        domains_store.release(tx, app_id, domain, org_id)
    orgs_store.count(tx, app_id, org_id, {"domain_count": -1})
    view.guard(tx)
    audit.record(tx, caller, org_id, "domain.removed", "domain", domain, {"domain": domain, "status": item["status"]},
                 view.settings.audit_retention_days)
    tx.commit()


def verify(caller: Caller, org_id: str, domain: str) -> Domain:
    name = _path_domain(domain)
    return retrying(lambda: _verify(caller, org_id, name))


def _verify(caller: Caller, org_id: str, domain: str) -> Domain:
    view, item, claim = _open(caller, org_id, domain)
    if item is None:
        raise not_found("domain")
    app_id = caller.app_id
    if _held_elsewhere(app_id, org_id, claim):
        raise TAKEN
    if str(item["verification_value"]) not in dns_txt.txt_values(challenge_name(domain)):
        raise NOT_VERIFIED
    now = clock.iso()
    verified = {**item, "status": VERIFIED, "verified_at": item.get("verified_at") or now}
    tx = Transaction()
    domains_store.mark_verified(tx, app_id, org_id, domain, str(item["verification_value"]),
                                {"status": VERIFIED, "verified_at": verified["verified_at"], "checked_at": now})
    claim_item = {**keys.domain_claim(app_id, domain), "entity": "DOMAIN_CLAIM", "app_id": app_id, "org_id": org_id,
                  "domain": domain, "verified_at": verified["verified_at"],
                  "verification_value": item["verification_value"], "failed_checks": 0,
                  **keys.domain_check_gsi3(int(clock.timestamp()) + RECHECK_SECONDS, app_id, domain)}
    if claim is None:
        domains_store.claim(tx, claim_item, TAKEN)
    else:  # this org's own, or one left by a deleted org (taken over only while it still names that org)
        domains_store.take_over(tx, claim_item, str(claim["org_id"]))
    view.guard(tx)
    if item["status"] != VERIFIED:
        audit.record(tx, caller, org_id, "domain.verified", "domain", domain, {"domain": domain},
                     view.settings.audit_retention_days)
    tx.commit()
    return to_domain(verified)
