"""Memberships: list, read, change role, remove or leave; the caller's permissions view."""

from __future__ import annotations

from orgplane import access, clock, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, not_found
from orgplane.models.common import Page
from orgplane.models.members import ListMembersQuery, Member, Permissions, TeamRoleView, UpdateMember
from orgplane.services import audit, optimistic, role_usage, team_members
from orgplane.services.orgs import add_user_org_count
from orgplane.services.tenancy import OrgView, open_org
from orgplane.store import cursors, email_claims, memberships, pages, records
from orgplane.store import orgs as orgs_store
from orgplane.store.transaction import Transaction, retrying

LAST_OWNER = DomainError("last_owner", "The organization must keep at least one owner.")


def permissions(caller: Caller, org_id: str) -> Permissions:
    view = open_org(caller, org_id)
    return Permissions(
        role=view.role,
        permissions=access.effective_permissions(view.book, caller, view.role),
        teams=[TeamRoleView(team_id=team_id, role=team_role)
               for team_id, team_role in team_members.live_teams(caller.app_id, org_id, view.membership)],
    )


def list_members(caller: Caller, org_id: str, query: ListMembersQuery) -> Page[Member]:
    view = open_org(caller, org_id)
    view.require("member:read")
    scope = f"members:{caller.app_id}:{org_id}:{query.role or ''}"
    spec = memberships.of_org(caller.app_id, org_id)
    if query.role:
        spec = memberships.with_role(caller.app_id, org_id, query.role)
    page = pages.fill(spec, query.limit, cursors.decode(query.cursor, scope))
    return Page(data=[records.to_member(i) for i in page.items],
                next_cursor=cursors.encode(page.last_key, scope))


def _target(view: OrgView, user_id: str) -> dict[str, object]:
    target = view.extra[0] if view.extra else None
    if target is None:
        raise not_found("member")
    return target


def get_member(caller: Caller, org_id: str, user_id: str) -> Member:
    user_id = caller.resolve_user(user_id)
    view = open_org(caller, org_id, keys.member(caller.app_id, org_id, user_id))
    view.require("member:read")
    return records.to_member(_target(view, user_id))


def update_member(caller: Caller, org_id: str, user_id: str, body: UpdateMember) -> Member:
    return retrying(lambda: _update_member(caller, org_id, caller.resolve_user(user_id), body))


def _update_member(caller: Caller, org_id: str, user_id: str, body: UpdateMember) -> Member:
    view = open_org(caller, org_id, keys.member(caller.app_id, org_id, user_id))
    view.require("member:update")
    target = _target(view, user_id)
    view.book.require_known(body.role)
    old_role = str(target["role"])
    new_role = body.role
    access.require_can_manage_member(view.book, caller, view.role, old_role)
    access.require_can_grant(view.book, caller, view.role, new_role)
    if new_role == old_role:
        return records.to_member(target)
    now = clock.iso()
    tx = Transaction()
    memberships.change_role(tx, caller.app_id, org_id, user_id, old_role, {
        "role": new_role, "updated_at": now, **keys.member_role_gsi4(caller.app_id, org_id, new_role, user_id)})
    view.guard(tx, org=False)  # an owner changing their own role: merged into that write
    _adjust_owner_count(tx, caller.app_id, org_id, old_role, new_role)
    role_usage.move(tx, caller.app_id, old_role, new_role)
    audit.record(tx, caller, org_id, "member.role_changed", "member", user_id,
                 {"from": old_role, "to": new_role}, view.settings.audit_retention_days)
    tx.commit()
    return records.to_member({**target, "role": new_role, "updated_at": now})


def _adjust_owner_count(tx: Transaction, app_id: str, org_id: str, old_role: str | None,
                        new_role: str | None, member_delta: int = 0) -> None:
    """Counters on the org item; losing an owner is guarded so an org always keeps one."""
    owner_delta = (new_role == access.OWNER) - (old_role == access.OWNER)
    counters = {"owner_count": owner_delta, "member_count": member_delta, "seats_used": member_delta}
    add = {k: v for k, v in counters.items() if v}
    if not add:
        return
    if owner_delta < 0:
        orgs_store.count(tx, app_id, org_id, add, orgs_store.keeps_an_owner(), LAST_OWNER)
    else:
        orgs_store.count(tx, app_id, org_id, add)


def remove_member(caller: Caller, org_id: str, user_id: str) -> None:
    """The member's teams are assumed to exist first (a deleted team fails the write), so a member on
    teams leaves in the same two requests as one on none; only then are the teams read."""
    user_id = caller.resolve_user(user_id)
    optimistic.write(lambda: _remove_member(caller, org_id, user_id, assume_teams_exist=True),
                     lambda: _remove_member(caller, org_id, user_id))


def _remove_member(caller: Caller, org_id: str, user_id: str, *, assume_teams_exist: bool = False) -> bool:
    view = open_org(caller, org_id, keys.member(caller.app_id, org_id, user_id))
    leaving = caller.is_self(user_id)
    if not leaving:
        view.require("member:remove")
    target = _target(view, user_id)
    role = str(target["role"])
    if not leaving:
        access.require_can_manage_member(view.book, caller, view.role, role)
    tx = Transaction()
    memberships.delete_as_read(tx, caller.app_id, org_id, target)  # the team map read is the one removed
    if not leaving:
        view.guard(tx)
    _adjust_owner_count(tx, caller.app_id, org_id, role, None, member_delta=-1)
    role_usage.hold(tx, caller.app_id, role, -1)
    if not target.get("soft_deleted"):  # a hidden one (a restore's walk has not reached it) is counted nowhere
        add_user_org_count(tx, caller.app_id, user_id, -1, None, LAST_OWNER)
    release_email_claim(tx, caller.app_id, org_id, target)
    team_members.remove_memberships_of(tx, caller.app_id, org_id, target, assume_teams_exist)
    audit.record(tx, caller, org_id, "member.left" if leaving else "member.removed", "member", user_id,
                 {"role": role, "team_ids": sorted(records.member_teams(target))},  # they left these too
                 view.settings.audit_retention_days)
    tx.commit()
    return True


def add_membership(tx: Transaction, app_id: str, org_id: str, user_id: str, email: str | None, role: str,
                   max_members: int | None, max_orgs: int | None) -> dict[str, object]:
    """Join a user to an org inside ``tx``: membership, org counters, user count, all guarded."""
    item = records.member_item(app_id, org_id, user_id, email, role, clock.iso())
    memberships.put_new(tx, item, DomainError("already_member", "The user is already a member."))
    if email:
        email_claims.put_new(tx, records.email_claim_item(app_id, org_id, email, user_id=user_id),
                             DomainError("already_member", "A member or invitation already holds this email."))
    owner_delta = 1 if role == access.OWNER else 0
    add = {"member_count": 1, "seats_used": 1, **({"owner_count": 1} if owner_delta else {})}
    if max_members is not None:
        orgs_store.count(tx, app_id, org_id, add, orgs_store.below("seats_used", max_members),
                         DomainError("member_limit_reached", "The organization has no free seat."))
    else:
        orgs_store.count(tx, app_id, org_id, add)
    add_user_org_count(tx, app_id, user_id, 1, max_orgs,
                       DomainError("org_limit_reached", "The user belongs to as many orgs as allowed."))
    role_usage.hold(tx, app_id, role, +1)
    return item


def release_email_claim(tx: Transaction, app_id: str, org_id: str, membership: dict[str, object]) -> None:
    """The member's email becomes invitable again when they leave."""
    email = membership.get("email")
    if isinstance(email, str) and email:
        email_claims.release_by_member(tx, app_id, org_id, email, str(membership["user_id"]))
