"""Narrow index projections still carry what the reads through them use (template.yaml `INCLUDE` lists).

An index entry is rewritten, and billed, whenever an attribute it projects changes, so GSI4 and GSI5 project
only what their reads need: these tests read items the way those indexes return them."""

from __future__ import annotations

from typing import Any

from devserver import template
from orgplane import keys
from orgplane.store import records

NOW = "2026-11-30T08:00:00Z"


def _projected(item: dict[str, Any], index: str) -> dict[str, Any]:
    """``item`` as a Query on ``index`` returns it."""
    definition = template.table_definition()
    spec = next(g for g in definition["GlobalSecondaryIndexes"] if g["IndexName"] == index)
    projection = spec["Projection"]
    if projection["ProjectionType"] == "ALL":
        return dict(item)
    kept = {"PK", "SK", *(k["AttributeName"] for k in spec["KeySchema"]), *projection.get("NonKeyAttributes", [])}
    return {k: v for k, v in item.items() if k in kept}


def _member() -> dict[str, Any]:
    item = records.member_item("a", "o", "u", "u@example.com", "admin", NOW)
    item["teams"], item["teams_version"] = {"t": "member"}, 3
    return item


def test_members_by_role_read_every_field_of_a_member_without_its_teams() -> None:
    member = _member()
    on_index = _projected(member, keys.GSI4)
    assert "teams" not in on_index and "teams_version" not in on_index
    assert records.to_member(on_index) == records.to_member(member)


def test_the_org_listing_projects_the_name_but_no_counter() -> None:
    org = records.org_item("a", "o", "Acme", "acme", {}, "u", NOW)
    on_index = _projected(org, keys.GSI5)
    assert on_index["GSI5PK"] == keys.org_listing_pk("a") and (on_index["entity"], on_index["name"]) == ("ORG", "Acme")
    assert not {"member_count", "pending_invitation_count", "seats_used", "owner_count", "team_count"} & set(on_index)


def test_the_member_email_search_reads_the_email_user_and_org_of_a_membership() -> None:
    on_index = _projected(_member(), keys.GSI5)
    assert on_index["GSI5PK"] == keys.member_email_pk("a")
    assert {k: on_index[k] for k in ("entity", "email", "user_id", "org_id")} == {
        "entity": "MEMBER", "email": "u@example.com", "user_id": "u", "org_id": "o"}
    assert "role" not in on_index and "teams" not in on_index


def test_a_member_without_email_is_not_in_the_email_search() -> None:
    assert "GSI5PK" not in records.member_item("a", "o", "u", None, "member", NOW)
