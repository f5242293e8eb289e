"""Org memberships: the named conditions on a membership item (its role, its team map), for guards."""

from __future__ import annotations

from collections.abc import Iterable

from orgplane.store.conditions import Condition

_ROLE = {"#m_role": "role"}


def role_is(role: str | None) -> Condition:
    """The membership exists and its role is still ``role`` (the one a request was judged on)."""
    return Condition("#m_role = :m_role", dict(_ROLE), {":m_role": role})


def role_in(roles: Iterable[str]) -> Condition:
    """The membership exists and its role is one of ``roles`` (judged without reading it)."""
    ordered = sorted(set(roles))
    if not ordered:
        return Condition("attribute_not_exists(PK) AND attribute_exists(PK)")  # nobody qualifies
    placeholders = [f":m_r{i}" for i in range(len(ordered))]
    return Condition(f"#m_role IN ({', '.join(placeholders)})", dict(_ROLE), dict(zip(placeholders, ordered,
                                                                                     strict=True)))


def team_role_is(team_id: str, role: str) -> Condition:
    """The membership's team map gives it ``role`` on ``team_id``."""
    return Condition("#m_teams.#m_team = :m_team_role", {"#m_teams": "teams", "#m_team": team_id},
                     {":m_team_role": role})
