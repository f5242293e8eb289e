"""Opening an org as a caller: one read of the org and the caller's membership, then guards.

Every org route starts here. A missing org, an org of another app (its keys cannot even be
formed from this caller's app) and an org the caller is not a member of all look the same: 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orgplane import access, ids, keys
from orgplane.access import RoleBook
from orgplane.caller import Caller
from orgplane.errors import not_found
from orgplane.models.settings import AppSettings
from orgplane.services import events
from orgplane.services import settings as app_settings
from orgplane.store import table
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

    @property
    def role(self) -> str | None:
        return self.membership["role"] if self.membership else None

    def require(self, permission: str) -> None:
        access.require(self.book, self.caller, self.role, permission)

    def has(self, permission: str) -> bool:
        return access.has(self.book, self.caller, self.role, permission)

    def guard(self, tx: Transaction) -> None:
        """Re-assert at write time what was read: the org exists and the caller's role is unchanged."""
        tx.check(keys.org(self.caller.app_id, self.org_id), "attribute_exists(PK)", on_fail=STALE)
        if not self.caller.support:
            self.guard_membership(tx)

    def role_unchanged(self) -> tuple[str, dict[str, str], dict[str, Any]]:
        """(condition, names, values) on the caller's membership: its role is still the one every check
        of this request was judged on (permission, no escalation, only owners touch owners). A
        promotion, demotion or removal racing the write fails it, and the retry judges again."""
        return "#caller_role = :caller_role", {"#caller_role": "role"}, {":caller_role": self.role}

    def guard_membership(self, tx: Transaction) -> None:
        condition, names, values = self.role_unchanged()
        tx.check(keys.member(self.caller.app_id, self.org_id, self.caller.user_id), condition, names=names,
                 values=values, on_fail=STALE)


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
