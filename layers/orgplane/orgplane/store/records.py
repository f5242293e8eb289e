"""Items of the table ↔ domain objects. The only place that knows item attribute layouts."""

from __future__ import annotations

from typing import Any

from orgplane import keys
from orgplane.models.members import Member
from orgplane.models.orgs import Org

Item = dict[str, Any]


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def org_item(app_id: str, org_id: str, name: str, slug: str, metadata: dict[str, Any], created_by: str,
             now: str) -> Item:
    return {
        **keys.org(app_id, org_id),
        **keys.org_listing_gsi2(app_id, name_key(name), org_id),
        "entity": "ORG",
        "app_id": app_id,
        "id": org_id,
        "name": name,
        "slug": slug,
        "metadata": metadata,
        "member_count": 1,
        "owner_count": 1,
        "team_count": 0,
        "pending_invitation_count": 0,
        "created_by": created_by,
        "created_at": now,
        "updated_at": now,
    }


def to_org(item: Item) -> Org:
    return Org(
        id=item["id"],
        name=item["name"],
        slug=item["slug"],
        metadata=item.get("metadata") or {},
        member_count=int(item.get("member_count", 0)),
        pending_invitation_count=int(item.get("pending_invitation_count", 0)),
        team_count=int(item.get("team_count", 0)),
        created_by=item["created_by"],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def slug_item(app_id: str, slug: str, org_id: str) -> Item:
    return {
        **keys.slug(app_id, slug),
        **keys.slug_listing_gsi2(app_id, slug),
        "entity": "SLUG",
        "app_id": app_id,
        "org_id": org_id,
        "slug": slug,
    }


def member_item(app_id: str, org_id: str, user_id: str, email: str | None, role: str, now: str) -> Item:
    item: Item = {
        **keys.member(app_id, org_id, user_id),
        **keys.membership_gsi1(app_id, org_id, user_id),
        "entity": "MEMBER",
        "app_id": app_id,
        "org_id": org_id,
        "user_id": user_id,
        "email": email,
        "role": role,
        "joined_at": now,
        "updated_at": now,
    }
    if email:
        item.update(keys.member_email_gsi2(app_id, email.casefold(), user_id, org_id))
    return item


def to_member(item: Item) -> Member:
    return Member(
        org_id=item["org_id"],
        user_id=item["user_id"],
        email=item.get("email"),
        role=item["role"],
        joined_at=item["joined_at"],
        updated_at=item["updated_at"],
    )
