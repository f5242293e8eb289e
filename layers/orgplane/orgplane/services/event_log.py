"""``GET /events``: the app's events, oldest first, from a cursor, a log a backend polls and resumes.

Events are the audit records (:mod:`orgplane.services.events`), listed through the app's audit index
(``GSI2``, keyed by app and event id, ids being time-ordered) or, with ``org_id``, the org's audit
partition: one ``Query`` per page, whatever the app's size (a ``types`` filter reads a bounded
number of batches and may return a short page, with a cursor that moves past what it read).

The cursor is a position (an event id). The list stops :data:`SETTLE_SECONDS` short of now: an
event's id is taken just before its transaction commits and the index is eventually consistent, so
the newest events may still appear *behind* an id already listed; after the settle time they no
longer can, and a cursor never skips an event. ``next_cursor`` is always there: poll it again later.
"""

from __future__ import annotations

from typing import Any

from orgplane import access, clock, ids
from orgplane.caller import Caller
from orgplane.errors import invalid
from orgplane.models.common import Page
from orgplane.models.events import Event, EventsQuery
from orgplane.store import audit_log, cursors, pages, table

SETTLE_SECONDS = 5.0
"""How far behind now the list stops: longer than a transaction takes from its event ids to commit
plus the index's replication lag (typically well under a second each)."""


def require_reader(caller: Caller) -> None:
    """Who may read the app's events: its support staff (and, with service principals, a service
    holding the read scope): the one place that decides it."""
    access.require_support(caller)


def to_event(item: dict[str, Any]) -> Event:
    return Event(id=item["id"], type=item["action"], app_id=item["app_id"], org_id=item.get("org_id"),
                 sequence=int(item.get("sequence", 0)), occurred_at=item["at"], actor=item["actor"],
                 target=item["target"], data=item.get("details") or {})


def list_events(caller: Caller, query: EventsQuery) -> Page[Event]:
    require_reader(caller)
    scope = f"events:{caller.app_id}"
    position = _position(query.after, scope)
    low = position + "!" if position else "evt_"  # "!" sorts below every id character: strictly after
    high = ids.time_floor("evt", clock.timestamp() - SETTLE_SECONDS)
    if low > high:
        return Page(data=[], next_cursor=_cursor(position or high, scope))
    spec = audit_log.events_between(caller.app_id, query.org_id, low, high, query.type_list)
    page = pages.fill(spec, query.limit)
    data = [to_event(item) for item in page.items]
    if page.last_key:  # more to read now: resume right after what this page read
        reached = str(table.deserialize(page.last_key)[spec.sort_name])
    else:  # read up to the settled horizon: nothing can appear before it any more
        reached = high
    return Page(data=data, next_cursor=_cursor(reached, scope))


def _position(cursor: str | None, scope: str) -> str | None:
    if cursor is None:
        return None
    value = cursors.decode(cursor, scope)
    after = value.get("after") if value else None
    if not isinstance(after, str) or not after.startswith("evt_"):
        raise invalid("after", "The cursor is invalid for this list.")
    return after


def _cursor(position: str, scope: str) -> str:
    return cursors.encode({"after": position}, scope) or ""
