"""Who holds a custom role: one exact counter per (app, role), so "is it in use?" needs no Scan.

The counter item (``keys.role_usage(app_id, role)``) counts the members, **pending invitations** and
orgs' domain-join policies (``request`` or ``auto``; ``services.orgs.policy_role``) of the app that hold
the role. It exists exactly while the role is defined: the settings PATCH that
defines a role creates it (:func:`define`), the PATCH that deletes a role deletes it on the
condition that it counts nobody (:func:`undefine`, else ``409 role_in_use``).

Every write that assigns or releases a custom role calls :func:`hold` (or :func:`move`) **in its own
transaction**::

    tx = Transaction()
    tx.put(invitation_item, ...)
    role_usage.hold(tx, app_id, body.role, +1)     # assign: fails unless the role is still defined
    ...
    tx.commit()

- ``hold(tx, app_id, role, +1)`` when a member or a pending invitation starts holding ``role``
  (membership created, invitation created). The update is conditioned on the counter existing, i.e.
  the role still being defined, so a concurrent settings PATCH deleting the role and this
  assignment cannot both commit (both transactions touch the counter item; DynamoDB serialises
  them). A deleted role fails the write with ``400 validation_error`` on ``role``.
- ``hold(tx, app_id, role, -1)`` when a holder stops holding it (member removed or org cleaned up;
  invitation accepted, declined, revoked or expired).
- ``move(tx, app_id, old, new)`` when one holder changes role (role change; an invitation accepted
  into a membership with the same role is a no-op). A transaction may touch an item only once, so
  never call ``hold`` twice for the same role in one transaction: use ``move``.

Built-in roles (owner, admin, member) and ``None`` are no-ops: they cannot be deleted, so they
need no counter.
"""

from __future__ import annotations

from orgplane import access, clock
from orgplane.errors import DomainError, invalid
from orgplane.store import role_usage as counters
from orgplane.store.transaction import Transaction


def is_custom(role: str | None) -> bool:
    return role is not None and role not in access.BUILTIN_ROLES


def role_in_use(role: str) -> DomainError:
    return DomainError("role_in_use", f"The role {role!r} is still held by members, pending invitations or an "
                                      "org's domain-join policy.")


def hold(tx: Transaction, app_id: str, role: str | None, delta: int, field: str = "role") -> None:
    """Count ``delta`` holders more (assign, ``> 0``) or fewer (release, ``< 0``) of ``role``, in ``tx``."""
    if role is None or not is_custom(role) or delta == 0:
        return
    if delta > 0:
        counters.hold(tx, app_id, role, delta, invalid(field, f"Role {role!r} does not exist in this app."))
    else:  # never refused: a holder can always let go
        counters.release(tx, app_id, role, -delta)


def move(tx: Transaction, app_id: str, old: str | None, new: str | None, field: str = "role") -> None:
    """One holder changes from ``old`` to ``new`` (either may be built in or ``None``)."""
    if old == new:
        return
    hold(tx, app_id, old, -1, field)
    hold(tx, app_id, new, +1, field)


def define(tx: Transaction, app_id: str, role: str) -> None:
    """Make sure the counter of a (newly or still) defined custom role exists; keeps its count."""
    counters.define(tx, app_id, role, clock.iso())


def undefine(tx: Transaction, app_id: str, role: str) -> None:
    """Delete a role's counter, on the condition that nobody holds the role (else ``role_in_use``)."""
    counters.delete_unused(tx, app_id, role, role_in_use(role))


def holders(app_id: str, role: str) -> int | None:
    """How many members and pending invitations hold ``role`` (``None``: no counter, not defined)."""
    item = counters.get(app_id, role)
    return int(item.get("holders", 0)) if item and "defined_at" in item else None
