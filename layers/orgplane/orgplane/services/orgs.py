"""Organizations: create, list the caller's, read, change, delete."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from orgplane import access, clock, ids, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, invalid
from orgplane.models.common import Page
from orgplane.models.orgs import CreateOrg, ListOrgsQuery, Org, OrgWithRole, UpdateOrg
from orgplane.services import audit, events, lifecycle, role_usage
from orgplane.services import settings as app_settings
from orgplane.services.tenancy import open_org, remember_name
from orgplane.store import cursors, memberships, pages, records, table, users
from orgplane.store import orgs as orgs_store
from orgplane.store.transaction import Transaction, retrying

SLUG_TAKEN = DomainError("slug_taken", "That slug is already used by another organization.")
ORG_LIMIT = DomainError("org_limit_reached", "You belong to as many organizations as this app allows.")
OWNER_ORG_LIMIT = DomainError("org_limit_reached", "The owner belongs to as many organizations as this app allows.")


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "org"


def add_user_org_count(tx: Transaction, app_id: str, user_id: str, delta: int, limit: int | None,
                       on_fail: DomainError) -> None:
    """Count the orgs a user belongs to; a join checks ``max_orgs_per_user`` atomically."""
    users.count_orgs(tx, app_id, user_id, delta, limit, on_fail)


def create(caller: Caller, body: CreateOrg) -> Org:
    """A user caller becomes the owner; a service names the owner (``owner``), whose org limit applies."""
    if caller.is_service and body.owner is None:
        raise invalid("owner", "A service names the org's owner: owner {user_id, email?}.")
    if not caller.is_service and body.owner is not None:
        raise invalid("owner", "owner is for services; you become the owner of the org you create.")
    settings = app_settings.load(caller.app_id)
    explicit = body.slug is not None
    slug = body.slug or slugify(body.name)
    for attempt in range(3):
        try:
            return _create(caller, body, slug, settings.max_orgs_per_user, settings.audit_retention_days)
        except DomainError as error:
            if error.code != "slug_taken" or explicit or attempt == 2:
                raise
            slug = f"{slugify(body.name)[:40]}-{secrets.token_hex(3)}"
    raise AssertionError("unreachable")


def _create(caller: Caller, body: CreateOrg, slug: str, limit: int | None, retention: int) -> Org:
    org_id = ids.new("org")
    now = clock.iso()
    owner_id, owner_email = ((body.owner.user_id, body.owner.email) if body.owner
                             else (caller.user_id, caller.verified_email))
    org = records.org_item(caller.app_id, org_id, body.name, slug, body.metadata or {}, owner_id, now)
    tx = Transaction()
    orgs_store.put_new(tx, org)
    orgs_store.claim_slug(tx, caller.app_id, slug, org_id, SLUG_TAKEN)
    tx.put(records.member_item(caller.app_id, org_id, owner_id, owner_email, access.OWNER, now))
    if owner_email:
        tx.put(records.email_claim_item(caller.app_id, org_id, owner_email, user_id=owner_id))
    add_user_org_count(tx, caller.app_id, owner_id, 1, limit, OWNER_ORG_LIMIT if body.owner else ORG_LIMIT)
    details: dict[str, Any] = {"name": body.name, "slug": slug}
    if body.owner:
        details["owner"] = owner_id
    audit.record(tx, caller, org_id, "org.created", "org", org_id, details, retention)
    audit.member_added(tx, caller, org_id, owner_id, access.OWNER, "org_created", retention)
    events.saw_new(caller.app_id, org_id)
    tx.commit()
    remember_name(caller.app_id, org_id, body.name)
    return records.to_org(org)


def policy_role(domain_join: dict[str, Any] | None) -> str | None:
    """The custom role an org's domain-join policy holds, counted like a member's (``role_usage``) so the
    role cannot be deleted while the policy could grant it: none while the policy is off."""
    if not domain_join or domain_join.get("mode") == "off":
        return None
    role = domain_join.get("role")
    return role if isinstance(role, str) and role_usage.is_custom(role) else None


def list_for_caller(caller: Caller, query: ListOrgsQuery) -> Page[OrgWithRole]:
    if caller.is_service:  # a service belongs to no org; GET /users/{user_id}/orgs lists a user's
        return Page(data=[], next_cursor=None)
    return list_for_user(caller.app_id, caller.user_id, query)


def list_for_user(app_id: str, user_id: str, query: ListOrgsQuery) -> Page[OrgWithRole]:
    """A user's orgs with their role (the caller's right to see them is judged before)."""
    scope = f"orgs:{app_id}:{user_id}"
    page = pages.fill(
        memberships.user_view(app_id, user_id),
        query.limit,
        cursors.decode(query.cursor, scope),
    )
    orgs = table.batch_get([keys.org(app_id, m["org_id"]) for m in page.items])
    data = [
        OrgWithRole(**records.to_org(org).model_dump(), role=membership["role"])
        for membership, org in zip(page.items, orgs, strict=True)
        if org is not None
    ]
    return Page(data=data, next_cursor=cursors.encode(page.last_key, scope))


def get(caller: Caller, org_id: str) -> Org:
    view = open_org(caller, org_id)
    view.require("org:read")
    return records.to_org(view.org)


def update(caller: Caller, org_id: str, body: UpdateOrg) -> Org:
    return retrying(lambda: _update(caller, org_id, body))


def _update(caller: Caller, org_id: str, body: UpdateOrg) -> Org:
    view = open_org(caller, org_id)
    if body.model_fields_set - {"domain_join"}:
        view.require("org:update")
    org = view.org
    changes: dict[str, Any] = {}
    if body.domain_join is not None:  # who joins by the org's verified domains: domain:manage, no escalation
        view.require("domain:manage")
        view.book.require_known(body.domain_join.role, "domain_join.role")
        access.require_can_grant(view.book, caller, view.role, body.domain_join.role)
        if body.domain_join.model_dump() != org.get("domain_join"):
            changes["domain_join"] = body.domain_join.model_dump()
            held = policy_role(changes["domain_join"])
            if held != org.get(orgs_store.POLICY_ROLE):
                changes[orgs_store.POLICY_ROLE] = held
    if body.name is not None and body.name != org["name"]:
        changes["name"] = body.name
        changes.update(keys.org_listing_gsi5(caller.app_id, records.name_key(body.name), org_id))
    if body.metadata is not None and body.metadata != org.get("metadata"):
        changes["metadata"] = body.metadata
    new_slug = body.slug if body.slug is not None and body.slug != org["slug"] else None
    if new_slug:
        changes["slug"] = new_slug
    if not changes:
        return records.to_org(org)
    changes["updated_at"] = clock.iso()
    tx = Transaction()
    orgs_store.update_as_read(tx, caller.app_id, org_id, changes, org["updated_at"])
    view.guard(tx)
    if orgs_store.POLICY_ROLE in changes:  # the policy's custom role is in use while the policy can grant it
        role_usage.move(tx, caller.app_id, org.get(orgs_store.POLICY_ROLE), changes[orgs_store.POLICY_ROLE],
                        "domain_join.role")
    if new_slug:
        orgs_store.release_slug(tx, caller.app_id, org["slug"], org_id)
        orgs_store.claim_slug(tx, caller.app_id, new_slug, org_id, SLUG_TAKEN)
    details = {k: v for k, v in changes.items() if k in {"name", "slug", "domain_join"}}
    if "metadata" in changes:
        details["metadata_changed"] = True
    audit.record(tx, caller, org_id, "org.updated", "org", org_id, details,
                 view.settings.audit_retention_days)
    tx.commit()
    remember_name(caller.app_id, org_id, changes.get("name", org["name"]))
    return records.to_org({**org, **changes})


def delete(caller: Caller, org_id: str) -> None:
    retrying(lambda: _delete(caller, org_id))


def _delete(caller: Caller, org_id: str) -> None:
    """Gone from every read at once. With ``org_restore_days`` > 0 the org's data is kept for support to
    restore (``services.lifecycle``); with 0 its members, teams and invitations are purged asynchronously."""
    view = open_org(caller, org_id)
    view.require("org:delete")
    org = view.org
    tx = Transaction()
    orgs_store.delete_as_read(tx, caller.app_id, org_id, org["updated_at"])
    view.guard(tx)
    orgs_store.release_slug(tx, caller.app_id, org["slug"], org_id)
    details: dict[str, Any] = {"name": org["name"], "slug": org["slug"]}
    if view.settings.org_restore_days > 0:
        details["purge_at"] = lifecycle.keep(tx, caller, org, view.settings.org_restore_days)
    else:
        tx.put(records.org_cleanup_job(caller.app_id, org_id, clock.iso()))
        role_usage.hold(tx, caller.app_id, org.get(orgs_store.POLICY_ROLE), -1)  # kept while restorable
    audit.record(tx, caller, org_id, "org.deleted", "org", org_id, details, view.settings.audit_retention_days)
    tx.commit()
