"""Provisioning from the app's backend: adding a user to an org directly, and listing a user's orgs.

``PUT /orgs/{org_id}/members/{user_id}`` is for the app's backend (a service with ``orgplane/write``)
and support staff: it makes the user a member with ``role`` (201), or changes the role of a member
(200, through :func:`orgplane.services.members.update_member`, with every rule of a role change). A
direct add is one transaction with the same guards as an accepted invitation
(:func:`orgplane.services.members.add_membership`: seat limit, the user's org limit, the email claim,
a custom role still defined) and its audit event. Two racing adds of one user give one membership: the
second finds it and becomes a role change.

An add is optimistic (:mod:`orgplane.services.optimistic`): it writes without reading, every rule being a
guard of its transaction, and only a cancellation reads. Putting a user who already is a member costs that
cancelled attempt before the read path's role change (a backend re-syncing its members pays it each time).
"""

from __future__ import annotations

from orgplane import keys
from orgplane.caller import Caller
from orgplane.errors import DomainError, forbidden
from orgplane.models.common import Page
from orgplane.models.members import Member, UpdateMember
from orgplane.models.orgs import ListOrgsQuery, OrgWithRole
from orgplane.models.provisioning import PutMember
from orgplane.services import audit, members, optimistic, orgs
from orgplane.services.tenancy import OrgView, assume_org, open_org
from orgplane.store import records
from orgplane.store.transaction import Transaction

_ATTEMPTS = 3


def put_member(caller: Caller, org_id: str, user_id: str, body: PutMember) -> tuple[Member, bool]:
    """The member, and whether this request created the membership."""
    user_id = caller.resolve_user(user_id)
    return optimistic.write(lambda: _add_unread(caller, org_id, user_id, body),
                            lambda: _put_member(caller, org_id, user_id, body))


def _add_unread(caller: Caller, org_id: str, user_id: str, body: PutMember) -> tuple[Member, bool] | None:
    """The common case in one request: a user who is not a member yet joins. The membership being new, the
    org existing with a free seat, the user's org limit and the email claim are the guards (as for the read
    path's add); an existing member (a role change), a role the cached book does not know, a caller who is
    not the app's backend or support, or any refusal takes the read path."""
    view = assume_org(caller, org_id)
    if view is None or not caller.support or not view.book.exists(body.role):
        return None
    return _write_add(view, user_id, body), True


def _put_member(caller: Caller, org_id: str, user_id: str, body: PutMember) -> tuple[Member, bool]:
    """The read path (run inside :func:`retrying` by :func:`optimistic.write`, which reads again on a stale
    write)."""
    for _ in range(_ATTEMPTS):
        try:
            return _read_and_put(caller, org_id, user_id, body)
        except DomainError as error:
            if error.code != "already_member" or not _is_member(caller, org_id, user_id):
                raise
            # a concurrent add of this user won: this request is a role change of that membership now
    raise DomainError("conflict", "The membership kept changing; retry.")


def _read_and_put(caller: Caller, org_id: str, user_id: str, body: PutMember) -> tuple[Member, bool]:
    """One read of the org and the user's membership decides: a role change of a member, or an add."""
    view = open_org(caller, org_id, keys.member(caller.app_id, org_id, user_id))
    if not caller.support:
        raise forbidden("Adding members directly is for the app's backend and support staff; invite instead.")
    view.book.require_known(body.role)
    if view.extra[0] is not None:
        return members.update_member(caller, org_id, user_id, UpdateMember(role=body.role)), False
    return _write_add(view, user_id, body), True


def _is_member(caller: Caller, org_id: str, user_id: str) -> bool:
    view = open_org(caller, org_id, keys.member(caller.app_id, org_id, user_id))
    return view.extra[0] is not None


def _write_add(view: OrgView, user_id: str, body: PutMember) -> Member:
    caller, org_id, settings = view.caller, view.org_id, view.settings
    tx = Transaction()  # support staff and services hold no membership to guard; the org's update guards it
    item = members.add_membership(tx, caller.app_id, org_id, user_id, body.email, body.role,
                                  settings.max_members_per_org, settings.max_orgs_per_user)
    audit.member_added(tx, caller, org_id, user_id, body.role, "direct", settings.audit_retention_days)
    tx.commit()
    return records.to_member(item)


def list_user_orgs(caller: Caller, user_id: str, query: ListOrgsQuery) -> Page[OrgWithRole]:
    """A user's orgs with their role: for the app's backend (read), support staff, or the user (``me``)."""
    user_id = caller.resolve_user(user_id)
    if not (caller.support or caller.is_self(user_id)):
        raise forbidden("Only the user themselves, support staff or the app's backend list a user's orgs.")
    return orgs.list_for_user(caller.app_id, user_id, query)
