"""Access control as data: permissions, built-in roles, custom roles, and the checks.

A role is a named set of permissions. ``owner``, ``admin`` and ``member`` are built in; apps add
their own in settings. Support staff of an app pass every org permission check in that app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orgplane.caller import Caller
from orgplane.errors import DomainError, forbidden, invalid

PERMISSIONS: tuple[str, ...] = (
    "org:read",
    "org:update",
    "org:delete",
    "member:read",
    "member:invite",
    "member:update",
    "member:remove",
    "invitation:read",
    "invitation:revoke",
    "team:create",
    "team:update",
    "team:delete",
    "team:member:manage",
    "audit:read",
    "domain:manage",
)

OWNER = "owner"
ADMIN = "admin"
MEMBER = "member"

BUILTIN_ROLES: Mapping[str, frozenset[str]] = {
    OWNER: frozenset(PERMISSIONS),
    ADMIN: frozenset(p for p in PERMISSIONS if p != "org:delete"),
    MEMBER: frozenset({"org:read", "member:read"}),
}

TEAM_ROLES: tuple[str, ...] = ("maintainer", "member")

# What a team role adds on its own team to its holder's org role (any team member may also leave it).
TEAM_ROLE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    "maintainer": frozenset({"team:update", "team:member:manage"}),
    "member": frozenset(),
}


@dataclass(frozen=True)
class RoleBook:
    """The roles of one app: built-ins plus its custom roles."""

    custom: Mapping[str, frozenset[str]]

    @staticmethod
    def of(custom_roles: Mapping[str, list[str]] | None = None) -> RoleBook:
        return RoleBook({name: frozenset(perms) for name, perms in (custom_roles or {}).items()})

    def exists(self, role: str) -> bool:
        return role in BUILTIN_ROLES or role in self.custom

    def permissions(self, role: str | None) -> frozenset[str]:
        if role is None:
            return frozenset()
        if role in BUILTIN_ROLES:
            return BUILTIN_ROLES[role]
        return self.custom.get(role, frozenset())


    def roles(self) -> list[str]:
        return [*BUILTIN_ROLES, *(r for r in self.custom if r not in BUILTIN_ROLES)]

    def holding(self, *permissions: str) -> list[str]:
        """The roles that hold every one of ``permissions`` (an optimistic write's guard: the caller's
        role must be one of them at write time)."""
        return [role for role in self.roles() if set(permissions) <= self.permissions(role)]

    def require_known(self, role: str, field: str = "role") -> None:
        if not self.exists(role):
            raise invalid(field, f"Role {role!r} does not exist in this app.")


def has(book: RoleBook, caller: Caller, role: str | None, permission: str) -> bool:
    return caller.support or permission in book.permissions(role)


def require(book: RoleBook, caller: Caller, role: str | None, permission: str) -> None:
    if not has(book, caller, role, permission):
        raise forbidden(f"This needs the {permission} permission.")


def require_support(caller: Caller) -> None:
    """Operator routes (``/admin/...``): only the app's support staff; there is no org to hide, so 403."""
    if not caller.support:
        raise forbidden("This needs the app's support role.")


def can_grant(book: RoleBook, caller_role: str | None, role: str) -> bool:
    """Whether a member of ``caller_role`` may grant ``role`` (:func:`require_can_grant`'s rule)."""
    if role == OWNER and caller_role != OWNER:
        return False
    return book.permissions(role) <= book.permissions(caller_role)


def require_can_grant(book: RoleBook, caller: Caller, caller_role: str | None, role: str) -> None:
    """No escalation: nobody grants a role with permissions they lack; only owners grant owner."""
    if caller.support:
        return
    if role == OWNER and caller_role != OWNER:
        raise forbidden("Only owners can grant the owner role.")
    if not book.permissions(role) <= book.permissions(caller_role):
        raise forbidden("You cannot grant a role with permissions you do not hold.")


def require_can_manage_member(book: RoleBook, caller: Caller, caller_role: str | None, target_role: str) -> None:
    """Nobody changes or removes a member whose current role holds a permission they lack: only owners
    touch owners, and a custom role holding ``member:update`` or ``member:remove`` reaches only members
    whose role it covers. Owners and support staff reach everyone (the last-owner rule still holds)."""
    if caller.support or caller_role == OWNER:
        return
    if target_role == OWNER:
        raise DomainError("forbidden", "Only owners can change or remove an owner.")
    if not book.permissions(target_role) <= book.permissions(caller_role):
        raise forbidden("You cannot change or remove a member whose role holds permissions you do not hold.")


def effective_permissions(book: RoleBook, caller: Caller, role: str | None) -> list[str]:
    granted = frozenset(PERMISSIONS) if caller.support else book.permissions(role)
    return [p for p in PERMISSIONS if p in granted]
