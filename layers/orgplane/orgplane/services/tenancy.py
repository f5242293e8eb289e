"""Opening an org as a caller: one read of the org and the caller's membership, then guards.

Every org route starts here. A missing org, an org of another app (its keys cannot even be
formed from this caller's app) and an org the caller is not a member of all look the same: 404.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from orgplane import access, ids, keys
from orgplane.access import RoleBook
from orgplane.caller import Caller
from orgplane.errors import not_found
from orgplane.models.settings import AppSettings
from orgplane.services import events
from orgplane.services import settings as app_settings
from orgplane.store import memberships, table
from orgplane.store import orgs as orgs_store
from orgplane.store.conditions import Condition
from orgplane.store.transaction import STALE, Transaction

Item = dict[str, Any]


@dataclass
class OrgView:
    caller: Caller
    org_id: str
    org: Item
    membership: Item | None
    book: RoleBook
    settings: AppSettings
    extra: list[Item | None] = field(default_factory=list)
    assumed_roles: list[str] | None = None
    """Unread membership (an optimistic write): the roles whose holders may do what the request does."""

    @property
    def role(self) -> str | None:
        return self.membership["role"] if self.membership else None

    def require(self, permission: str) -> None:
        access.require(self.book, self.caller, self.role, permission)

    def has(self, permission: str) -> bool:
        return access.has(self.book, self.caller, self.role, permission)

    def authority(self, permission: str | None = None) -> Condition | None:
        """The condition on the caller's membership that holds while the authority this request was
        judged on holds (``None``: support staff and services, who hold no membership).

        With the membership read: its role is unchanged (every check of the request, the permission, no
        escalation, only owners touching owners, was judged on it). Without (an optimistic write that
        read nothing): its role is one of the roles of the app's role book that hold ``permission``."""
        if self.caller.support:
            return None
        if self.membership is not None:
            return memberships.role_is(self.role)
        if self.assumed_roles is not None:
            return memberships.role_in(self.assumed_roles)
        if permission is not None:
            return memberships.role_in(self.book.holding(permission))
        return memberships.role_is(self.role)

    def guard(self, tx: Transaction, permission: str | None = None, *, org: bool = True,
              authority: Condition | None = None, caller: bool = True) -> None:
        """Re-assert at write time what the request was judged on: the org exists (``org``; merged into the
        transaction's write of the org item if it has one) and the caller's :meth:`authority` (or the
        ``authority`` given), merged into the transaction's write of the caller's membership if any
        (``caller`` off: a member acting on themselves only, e.g. leaving a team, needs no authority).
        The one guard of the caller's authority: every org mutation calls it."""
        if org:
            tx.check(keys.org(self.caller.app_id, self.org_id), orgs_store.EXISTS, on_fail=STALE)
        condition = (authority or self.authority(permission)) if caller else None
        if condition is not None:
            tx.check(keys.member(self.caller.app_id, self.org_id, self.caller.user_id), condition, on_fail=STALE)


def open_org(caller: Caller, org_id: str, *extra_keys: dict[str, str]) -> OrgView:
    """The org, the caller's membership and ``extra_keys`` in one ``BatchGetItem`` (with the org's event
    counter, so a change numbers its events without another read: :mod:`orgplane.services.events`)."""
    if not ids.is_valid("org", org_id):
        raise not_found("org")
    found = table.batch_get(
        [keys.org(caller.app_id, org_id), keys.member(caller.app_id, org_id, caller.user_id), *extra_keys,
         events.sequence_key(caller.app_id, org_id)]
    )
    # a service has no membership: its client id read as a user id must never count as one
    org, membership, extra = found[0], None if caller.is_service else found[1], found[2:-1]
    events.saw(caller.app_id, org_id, found[-1])
    if org is not None:
        remember_name(caller.app_id, org_id, org.get("name"))
    if org is None or (membership is None and not caller.support):
        raise not_found("org")
    return OrgView(
        caller=caller,
        org_id=org_id,
        org=org,
        membership=membership,
        book=app_settings.roles(caller.app_id),
        settings=app_settings.load(caller.app_id),
        extra=list(extra),
    )


def assume_org(caller: Caller, org_id: str) -> OrgView | None:
    """The org as an optimistic write sees it: nothing read (``org`` empty, no membership), the cached
    role book and settings. Its guards (:meth:`OrgView.guard` with the permission) carry every check a
    read would have made. ``None`` when the org id cannot be one (the read path answers 404)."""
    if not ids.is_valid("org", org_id):
        return None
    known = _names.get((caller.app_id, org_id))
    return OrgView(caller=caller, org_id=org_id, org={"name": known} if known is not None else {}, membership=None,
                   book=app_settings.roles(caller.app_id), settings=app_settings.load(caller.app_id))


_NAMES_LIMIT = 4096
_names: dict[tuple[str, str], str] = {}
"""The container's last known name of each org (read or written): a guess an optimistic write that
copies the name (an invitation's ``org_name``) conditions on (:func:`name_unchanged`)."""


_names_lock = threading.Lock()


def remember_name(app_id: str, org_id: str, name: object) -> None:
    if not isinstance(name, str):
        return
    with _names_lock:
        if len(_names) >= _NAMES_LIMIT and (app_id, org_id) not in _names:
            _names.pop(next(iter(_names)), None)
        _names[(app_id, org_id)] = name


def name_unchanged(tx: Transaction, view: OrgView) -> None:
    """The org still has the name the write copied (merged into the transaction's write of the org)."""
    tx.check(keys.org(view.caller.app_id, view.org_id), orgs_store.name_is(str(view.org["name"])), on_fail=STALE)
