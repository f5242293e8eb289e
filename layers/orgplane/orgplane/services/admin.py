"""The operator surface: find any org or user of the caller's app (support staff only).

Every read is a ``Query`` on one of the app's own partitions (GSI1 user view, GSI2 app listings)
or a ``BatchGetItem``; keys are built from the caller's app, so another app's data cannot be named.
Org listings skip orgs that were deleted (their memberships linger until the cleanup job has run).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from orgplane import access, clock, emails, keys
from orgplane.caller import Caller
from orgplane.errors import DomainError
from orgplane.models.admin import (
    AdminOrgsQuery,
    AdminUser,
    FindUsersQuery,
    UserInvitation,
    UserMatch,
    UserMembership,
    UserTeamMembership,
)
from orgplane.models.common import Page
from orgplane.models.orgs import Org
from orgplane.store import cursors, memberships, pages, records, table
from orgplane.store import invitations as invitations_store
from orgplane.store import orgs as orgs_store

Item = dict[str, Any]

MAX_USER_ITEMS = 1000
MAX_INVITATIONS_PER_EMAIL = 200
#: An email view holds claims and invitations under one prefix: the invitations still pending.
PENDING_INVITATION = invitations_store.IS_INVITATION & invitations_store.pending()
_SLUG_PREFIX = re.compile(r"^[a-z0-9-]+$")


# --- GET /admin/orgs?q= ------------------------------------------------------------------------


def name_prefix(q: str) -> str:
    """``q`` as a prefix of ``records.name_key``: case-folded, inner whitespace runs as one space."""
    folded = " ".join(q.casefold().split())
    return folded + " " if folded and q[-1:].isspace() else folded


def list_orgs(caller: Caller, query: AdminOrgsQuery) -> Page[Org]:
    """Orgs whose name or slug starts with ``q`` (all orgs without ``q``): name matches, then slug matches.

    The cursor remembers which of the two listings (GSI2 org names, GSI2 slugs) it is in; a slug match
    whose name also matches was listed in the first phase and is not repeated.
    """
    access.require_support(caller)
    q = query.q or ""
    prefix = name_prefix(q)
    slug = q.strip().lower()
    slug_phase = bool(slug) and _SLUG_PREFIX.match(slug) is not None
    scope = f"admin-orgs:{caller.app_id}:{q}"
    state = cursors.decode(query.cursor, scope) or {"phase": "name", "key": None}

    def by_name(org: Item) -> bool:
        return records.name_key(str(org.get("name", ""))).startswith(prefix)

    data: list[Org] = []
    phase, start = state.get("phase"), state.get("key")
    if phase == "name":
        spec = orgs_store.listed_by_name(caller.app_id, prefix)
        page = pages.fill(spec, query.limit, start, keep=lambda item: item.get("entity") == "ORG" and by_name(item))
        # the index projects only the name: the page's orgs are read from the table, in index order
        listed = table.batch_get([{"PK": item["PK"], "SK": item["SK"]} for item in page.items], consistent=False)
        data = [records.to_org(org) for org in listed if org is not None]
        if page.last_key:
            return Page(data=data, next_cursor=cursors.encode({"phase": "name", "key": page.last_key}, scope))
        if not slug_phase:
            return Page(data=data, next_cursor=None)
        start = None
        if len(data) == query.limit:
            return Page(data=data, next_cursor=cursors.encode({"phase": "slug", "key": None}, scope))
    elif phase != "slug" or not slug_phase:
        return Page(data=[], next_cursor=None)
    spec = orgs_store.slugs(caller.app_id, slug)
    page = pages.fill(spec, query.limit - len(data), start, keep=lambda item: item.get("entity") == "SLUG")
    orgs = table.batch_get([keys.org(caller.app_id, str(item["org_id"])) for item in page.items],
                           consistent=False)
    data += [records.to_org(org) for org in orgs if org is not None and not by_name(org)]
    next_cursor = cursors.encode({"phase": "slug", "key": page.last_key}, scope) if page.last_key else None
    return Page(data=data, next_cursor=next_cursor)


# --- GET /admin/users/{user_id} ------------------------------------------------------------------


def get_user(caller: Caller, user_id: str) -> AdminUser:
    """A user's memberships, team memberships and pending invitations (by their member emails)."""
    access.require_support(caller)
    app_id, user_id = caller.app_id, caller.resolve_user(user_id)
    memberships = _user_view(app_id, user_id, keys.USER_ORG_PREFIX)
    teams = _user_view(app_id, user_id, keys.user_team_prefix())
    addresses = list(dict.fromkeys(str(m["email"]) for m in memberships if m.get("email")))
    invitations = [
        invitation
        for email_key in dict.fromkeys(k for k in map(emails.key_or_none, addresses) if k)
        for invitation in table.query_all(
            invitations_store.of_email(app_id, email_key).where(PENDING_INVITATION),
            max_items=MAX_INVITATIONS_PER_EMAIL,
        )
    ]
    orgs = _live_orgs(app_id, (str(i.get("org_id")) for i in [*memberships, *teams, *invitations]))
    if not (memberships or teams or invitations) and table.get(keys.user(app_id, user_id)) is None:
        raise DomainError("not_found", "No such user in this app.")
    return AdminUser(
        user_id=user_id,
        emails=addresses,
        memberships=[
            UserMembership(org_id=m["org_id"], org_name=orgs[m["org_id"]]["name"],
                           org_slug=orgs[m["org_id"]]["slug"], role=m["role"], email=m.get("email"),
                           joined_at=m["joined_at"])
            for m in memberships if m.get("org_id") in orgs
        ],
        team_memberships=_team_memberships(app_id, [m for m in memberships if m.get("org_id") in orgs], teams),
        invitations=[
            UserInvitation(id=str(i.get("id") or i.get("invitation_id")), org_id=i["org_id"], email=i["email"],
                           role=i.get("role", "member"), team_ids=list(i.get("team_ids") or []),
                           status=i["status"], expires_at=_text(i.get("expires_at")),
                           invited_by=i.get("invited_by"), created_at=i.get("created_at"))
            for i in invitations
            if i.get("org_id") in orgs and records.invitation_status(i, clock.timestamp()) == "pending"
        ],
    )


def _team_memberships(app_id: str, memberships: list[Item], team_items: list[Item]) -> list[UserTeamMembership]:
    """The teams of each live membership's ``teams`` map (the authority, see services.teams), of teams that
    still exist; ``added_at`` from the user's team membership items (GSI1)."""
    entries = [(str(m["org_id"]), team_id, role) for m in memberships
               for team_id, role in sorted(records.member_teams(m).items())]
    found = table.batch_get([keys.team(app_id, org_id, team_id) for org_id, team_id, _ in entries],
                            consistent=False)
    added = {(str(t.get("org_id")), str(t.get("team_id"))): t.get("added_at") for t in team_items}
    return [
        UserTeamMembership(org_id=org_id, team_id=team_id, role=role, added_at=added.get((org_id, team_id)))
        for (org_id, team_id, role), team in zip(entries, found, strict=True) if team is not None
    ]


def _user_view(app_id: str, user_id: str, prefix: str) -> list[Item]:
    return table.query_all(memberships.user_view(app_id, user_id, prefix), max_items=MAX_USER_ITEMS)


def _live_orgs(app_id: str, org_ids: Iterable[str]) -> dict[str, Item]:
    """The orgs among ``org_ids`` that still exist (a deleted org leaves every read at once)."""
    wanted = list(dict.fromkeys(org_ids))
    found = table.batch_get([keys.org(app_id, org_id) for org_id in wanted], consistent=False)
    return {org_id: org for org_id, org in zip(wanted, found, strict=True) if org is not None}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --- GET /admin/users?email= ---------------------------------------------------------------------


def find_users(caller: Caller, query: FindUsersQuery) -> Page[UserMatch]:
    """Users whose member email starts with ``email``: one row per (email, user), with their orgs."""
    access.require_support(caller)
    prefix = emails.search_prefix(query.email or "")
    scope = f"admin-users:{caller.app_id}:{prefix}"
    spec = memberships.by_email(caller.app_id, prefix)
    groups: dict[tuple[str, str], list[Item]] = {}
    start = cursors.decode(query.cursor, scope)
    next_key: dict[str, Any] | None = start
    for _ in range(pages.MAX_READS):
        page = table.query(spec, 100, start)
        next_key = page.last_key
        for item in page.items:
            email_key = emails.key_or_none(item.get("email"))
            if item.get("entity") != "MEMBER" or email_key is None or not email_key.startswith(prefix):
                continue
            group = (email_key, str(item["user_id"]))
            if group not in groups and len(groups) == query.limit:  # the page is full: resume here
                next_key = pages.key_of(spec, groups[next(reversed(groups))][-1])
                break
            groups.setdefault(group, []).append(item)
        else:
            if page.last_key:
                start = page.last_key
                continue
        break
    live = _live_orgs(caller.app_id, (str(i["org_id"]) for items in groups.values() for i in items))
    data = []
    for items in groups.values():
        org_ids = [str(i["org_id"]) for i in items if i["org_id"] in live]
        if org_ids:
            data.append(UserMatch(user_id=str(items[0]["user_id"]), email=str(items[0]["email"]), org_ids=org_ids))
    return Page(data=data, next_cursor=cursors.encode(next_key, scope))
