"""Orgs: the named conditions on an org item."""

from __future__ import annotations

from orgplane.store.conditions import Condition

EXISTS = Condition("attribute_exists(PK)")


def name_is(name: str) -> Condition:
    """The org exists and still has ``name``."""
    return Condition("#o_name = :o_name", {"#o_name": "name"}, {":o_name": name})
