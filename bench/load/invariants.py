"""After the load: what the API shows of each org, checked against its rules and against what the driver did.

:class:`OrgBook` is the driver's own account of one org: only the load user that owns the org changes it,
so the book is exact (members and roles, pending and accepted invitations, teams, and the events each
successful change must have announced). :func:`observe` reads the org through the API (service token,
every page); :func:`check` lists every violation:

- ``member_count`` equals the members listed, ``pending_invitation_count`` the pending invitations listed,
  ``team_count`` the teams listed, and each team's ``member_count`` its members listed;
- at least one owner, and the owners listed by ``?role=owner`` are the members whose role is ``owner``;
- members plus pending invitations within the seat limit;
- one membership per accepted invitation: every accepted invitation has exactly one ``member.added``
  with ``via: invitation`` naming it, and no such event names any other invitation;
- an event per change: the org's events by type equal the driver's successful changes by type, with
  sequence numbers 1..n, no gap and no repeat;
- the API agrees with the book (members, roles, invitations, team members).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tests.http.client import Client


@dataclass
class OrgBook:
    org_id: str
    owner: str
    members: dict[str, str] = field(default_factory=dict)  # user id -> role (owner included)
    pending: dict[str, str] = field(default_factory=dict)  # invitation id -> invitee user id
    accepted: dict[str, str] = field(default_factory=dict)  # invitation id -> user id who accepted
    teams: dict[str, set[str]] = field(default_factory=dict)  # team id -> member user ids
    events: Counter[str] = field(default_factory=Counter)  # event type -> changes that announce it

    def seats_used(self) -> int:
        return len(self.members) + len(self.pending)


@dataclass
class OrgSeen:
    member_count: int
    pending_invitation_count: int
    team_count: int
    members: dict[str, str]
    owners: set[str]
    pending: set[str]
    accepted: set[str]
    teams: dict[str, tuple[int, set[str]]]  # team id -> (member_count, member user ids listed)
    events: Counter[str]
    sequences: list[int]
    joins_by_invitation: Counter[str]  # invitation id -> member.added events that name it


def check(book: OrgBook, seen: OrgSeen, seat_limit: int | None) -> list[str]:
    org = book.org_id
    problems: list[str] = []

    def bad(message: str) -> None:
        problems.append(f"{org}: {message}")

    if seen.member_count != len(seen.members):
        bad(f"member_count {seen.member_count} but {len(seen.members)} members listed")
    if seen.pending_invitation_count != len(seen.pending):
        bad(f"pending_invitation_count {seen.pending_invitation_count} but {len(seen.pending)} pending listed")
    if seen.team_count != len(seen.teams):
        bad(f"team_count {seen.team_count} but {len(seen.teams)} teams listed")
    for team, (count, listed) in sorted(seen.teams.items()):
        if count != len(listed):
            bad(f"team {team}: member_count {count} but {len(listed)} listed")
        if not listed <= set(seen.members):
            bad(f"team {team}: non-members on it: {sorted(listed - set(seen.members))}")
    if not seen.owners:
        bad("no owner")
    role_owners = {user for user, role in seen.members.items() if role == "owner"}
    if seen.owners != role_owners:
        bad(f"?role=owner lists {sorted(seen.owners)}, members with role owner are {sorted(role_owners)}")
    if seat_limit is not None and seen.member_count + seen.pending_invitation_count > seat_limit:
        bad(f"{seen.member_count} members + {seen.pending_invitation_count} pending over the seat limit {seat_limit}")
    for invitation in sorted(seen.accepted):
        if seen.joins_by_invitation[invitation] != 1:
            bad(f"accepted invitation {invitation} has {seen.joins_by_invitation[invitation]} member.added")
    strays = set(seen.joins_by_invitation) - seen.accepted
    if strays:
        bad(f"member.added via invitations not accepted: {sorted(strays)}")
    if sorted(seen.sequences) != list(range(1, len(seen.sequences) + 1)):
        bad(f"event sequences are not 1..{len(seen.sequences)} without gaps: {_gaps(seen.sequences)}")
    if seen.events != book.events:
        diff = {t: (book.events[t], seen.events[t]) for t in set(book.events) | set(seen.events)
                if book.events[t] != seen.events[t]}
        bad(f"events (changes made, events seen) differ by type: {diff}")
    if seen.members != book.members:
        bad(f"members differ from the driver's: {_dict_diff(book.members, seen.members)}")
    if seen.pending != set(book.pending):
        bad(f"pending invitations differ: missing {sorted(set(book.pending) - seen.pending)}, "
            f"extra {sorted(seen.pending - set(book.pending))}")
    if seen.accepted != set(book.accepted):
        bad(f"accepted invitations differ: missing {sorted(set(book.accepted) - seen.accepted)}, "
            f"extra {sorted(seen.accepted - set(book.accepted))}")
    seen_teams = {team: listed for team, (_, listed) in seen.teams.items()}
    if seen_teams != book.teams:
        bad(f"team members differ from the driver's: {_dict_diff(book.teams, seen_teams)}")
    return problems


def _gaps(sequences: list[int]) -> str:
    repeated = sorted(n for n, c in Counter(sequences).items() if c > 1)
    missing = sorted(set(range(1, max(sequences, default=0) + 1)) - set(sequences))
    return f"repeated {repeated[:10]}, missing {missing[:10]}"


def _dict_diff(expected: dict[str, Any], seen: dict[str, Any]) -> str:
    keys = sorted(k for k in set(expected) | set(seen) if expected.get(k) != seen.get(k))
    return "; ".join(f"{k}: {expected.get(k)!r} -> {seen.get(k)!r}" for k in keys[:10])


# ---------------------------------------------------------------- reading through the API

class ReadFailed(RuntimeError):
    pass


def pages(client: Client, path: str, token: str, cursor_param: str = "cursor") -> Iterator[dict[str, Any]]:
    """Every item of a paginated list, 100 a page. ``GET /events`` (``cursor_param="after"``) always
    returns a ``next_cursor``: it is read until a page comes back empty."""
    cursor: str | None = None
    joiner = "&" if "?" in path else "?"
    while True:
        url = f"{path}{joiner}limit=100" + (f"&{cursor_param}={quote(cursor)}" if cursor else "")
        response = client.get(url, token=token)
        if response.status != 200:
            raise ReadFailed(f"GET {url}: {response.status} {response.json}")
        data = response.json.get("data") or []
        yield from data
        cursor = response.json.get("next_cursor")
        if not cursor or not data:
            return


def observe(client: Client, token: str, org_id: str) -> OrgSeen:
    org_path = f"/orgs/{org_id}"
    response = client.get(org_path, token=token)
    if response.status != 200:
        raise ReadFailed(f"GET {org_path}: {response.status} {response.json}")
    org = response.json
    members = {m["user_id"]: m["role"] for m in pages(client, f"{org_path}/members", token)}
    owners = {m["user_id"] for m in pages(client, f"{org_path}/members?role=owner", token)}
    pending = {i["id"] for i in pages(client, f"{org_path}/invitations?status=pending", token)}
    accepted = {i["id"] for i in pages(client, f"{org_path}/invitations?status=accepted", token)}
    teams: dict[str, tuple[int, set[str]]] = {}
    for team in pages(client, f"{org_path}/teams", token):
        listed = {m["user_id"] for m in pages(client, f"{org_path}/teams/{team['id']}/members", token)}
        teams[team["id"]] = (int(team["member_count"]), listed)
    events: Counter[str] = Counter()
    sequences: list[int] = []
    joins: Counter[str] = Counter()
    for event in pages(client, f"/events?org_id={org_id}", token, cursor_param="after"):
        events[event["type"]] += 1
        sequences.append(int(event["sequence"]))
        data = event.get("data") or {}
        if event["type"] == "member.added" and data.get("via") == "invitation":
            joins[str(data.get("invitation_id"))] += 1
    return OrgSeen(member_count=int(org["member_count"]), pending_invitation_count=int(org["pending_invitation_count"]),
                   team_count=int(org["team_count"]), members=members, owners=owners, pending=pending,
                   accepted=accepted, teams=teams, events=events, sequences=sequences, joins_by_invitation=joins)
