"""Items of the table ↔ domain objects. The only place that knows item attribute layouts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orgplane import keys

if TYPE_CHECKING:  # each converter imports its model on first use: a handler loads only those it returns
    from orgplane.models.invitations import Invitation
    from orgplane.models.members import Member
    from orgplane.models.orgs import DeletedOrg, Org
    from orgplane.models.ownership import OwnershipTransfer
    from orgplane.models.teams import Team, TeamMember

Item = dict[str, Any]


def email_key(email: str) -> str:
    """One key per mailbox (:func:`orgplane.emails.key`); ``email`` must be a valid address."""
    from orgplane import emails

    return emails.key(email)


def email_claim_item(app_id: str, org_id: str, email: str, *, user_id: str | None = None,
                     invitation_id: str | None = None) -> Item:
    return {
        **keys.email_claim(app_id, org_id, email_key(email)),
        "entity": "EMAIL",
        "app_id": app_id,
        "org_id": org_id,
        "email_key": email_key(email),
        "state": "member" if user_id else "invited",
        "user_id": user_id,
        "invitation_id": invitation_id,
    }


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def org_item(app_id: str, org_id: str, name: str, slug: str, metadata: dict[str, Any], created_by: str,
             now: str) -> Item:
    return {
        **keys.org(app_id, org_id),
        **keys.org_listing_gsi5(app_id, name_key(name), org_id),
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
        "seats_used": 1,
        "created_by": created_by,
        "created_at": now,
        "updated_at": now,
    }


def to_org(item: Item) -> Org:
    from orgplane.models.orgs import DomainJoin, Org

    return Org(
        id=item["id"],
        name=item["name"],
        slug=item["slug"],
        metadata=item.get("metadata") or {},
        member_count=int(item.get("member_count", 0)),
        pending_invitation_count=int(item.get("pending_invitation_count", 0)),
        team_count=int(item.get("team_count", 0)),
        domain_join=DomainJoin.model_validate(item.get("domain_join") or {"mode": "off"}),
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
        **keys.member_role_gsi4(app_id, org_id, role, user_id),
        "entity": "MEMBER",
        "app_id": app_id,
        "org_id": org_id,
        "user_id": user_id,
        "email": email,
        "role": role,
        "teams": {},  # {team_id: team role}: kept in step with the team memberships (services.teams)
        "joined_at": now,
        "updated_at": now,
    }
    if email:
        item.update(keys.member_email_gsi5(app_id, email_key(email), user_id, org_id))
    return item


def to_member(item: Item) -> Member:
    from orgplane.models.members import Member

    return Member(
        org_id=item["org_id"],
        user_id=item["user_id"],
        email=item.get("email"),
        role=item["role"],
        joined_at=item["joined_at"],
        updated_at=item["updated_at"],
    )


# --- teams ----------------------------------------------------------------------------------


def team_item(app_id: str, org_id: str, team_id: str, name: str, description: str | None, now: str) -> Item:
    return {
        **keys.team(app_id, org_id, team_id),
        "entity": "TEAM",
        "app_id": app_id,
        "org_id": org_id,
        "id": team_id,
        "name": name,
        "name_key": name_key(name),
        "description": description,
        "member_count": 0,
        "created_at": now,
        "updated_at": now,
    }


def to_team(item: Item) -> Team:
    from orgplane.models.teams import Team

    return Team(
        id=item["id"],
        org_id=item["org_id"],
        name=item["name"],
        description=item.get("description"),
        member_count=int(item.get("member_count", 0)),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def team_name_claim_item(app_id: str, org_id: str, name: str, team_id: str) -> Item:
    """Makes a team name unique per org, case-insensitively (``name_key``)."""
    return {
        **keys.team_name_claim(app_id, org_id, name_key(name)),
        "entity": "TEAMNAME",
        "app_id": app_id,
        "org_id": org_id,
        "team_id": team_id,
    }


def team_member_item(app_id: str, org_id: str, team_id: str, user_id: str, role: str, now: str) -> Item:
    return {
        **keys.team_member(app_id, org_id, team_id, user_id),
        **keys.team_membership_gsi1(app_id, org_id, team_id, user_id),
        "entity": "TEAM_MEMBER",
        "app_id": app_id,
        "org_id": org_id,
        "team_id": team_id,
        "user_id": user_id,
        "role": role,
        "added_at": now,
        "updated_at": now,
    }


def to_team_member(item: Item) -> TeamMember:
    from orgplane.models.teams import TeamMember

    return TeamMember(team_id=item["team_id"], user_id=item["user_id"], role=item["role"],
                      added_at=item["added_at"])


def member_teams(membership: Item | None) -> dict[str, str]:
    """The ``teams`` map of an org membership item: {team_id: team role} (empty for older items)."""
    teams = (membership or {}).get("teams") or {}
    return {str(k): str(v) for k, v in teams.items()}


# --- invitations ------------------------------------------------------------------------------


def delivery_queued() -> Item:
    """The delivery state of a send that has not been attempted yet (the stream filter matches it)."""
    return {"status": "queued", "attempts": 0, "last_attempt_at": None}


def invitation_item(app_id: str, org_id: str, invitation_id: str, *, email: str, role: str, team_ids: list[str],
                    invited_by: str, inviter_email: str | None, org_name: str, ttl_seconds: int,
                    expires_epoch: int, expires_at: str, nonce: str, send_id: str, now: str) -> Item:
    """A pending invitation: in the org's partition, on the invitee's email view (GSI1) and, while
    pending, on the org's pending list (GSI2) and the sparse expiry index (GSI3). ``nonce`` keys the
    link's token; the token is never stored."""
    return {
        **keys.invitation(app_id, org_id, invitation_id),
        **keys.invitation_gsi1(app_id, email_key(email), invitation_id),
        **keys.pending_invitation_gsi2(app_id, org_id, invitation_id),
        **keys.expiry_gsi3(expires_epoch, app_id, invitation_id),
        "entity": "INVITE",
        "app_id": app_id,
        "org_id": org_id,
        "id": invitation_id,
        "email": email,
        "email_key": email_key(email),
        "role": role,
        "team_ids": team_ids,
        "status": "pending",
        "ttl_seconds": ttl_seconds,
        "expires_epoch": expires_epoch,
        "expires_at": expires_at,
        "invited_by": invited_by,
        "inviter_email": inviter_email,
        "org_name": org_name,
        "nonce": nonce,
        "send_id": send_id,
        "delivery": delivery_queued(),
        "created_at": now,
        "updated_at": now,
    }


def invitation_status(item: Item, now_epoch: float) -> str:
    """A pending invitation (or ownership transfer) past its expiry reads as ``expired`` before the job
    has marked it."""
    status = str(item["status"])
    if status == "pending" and int(item["expires_epoch"]) <= now_epoch:
        return "expired"
    return status


def to_invitation(item: Item, now_epoch: float) -> Invitation:
    from orgplane.models.invitations import Delivery, Invitation

    delivery = item.get("delivery") or delivery_queued()
    shown = delivery.get("status", "queued")
    return Invitation(
        id=item["id"],
        org_id=item["org_id"],
        email=item["email"],
        role=item["role"],
        team_ids=list(item.get("team_ids") or []),
        status=invitation_status(item, now_epoch),  # type: ignore[arg-type]
        expires_at=item["expires_at"],
        invited_by=item["invited_by"],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        delivery=Delivery(status="queued" if shown in {"sending", "retry"} else shown,
                          attempts=int(delivery.get("attempts", 0)),
                          last_attempt_at=delivery.get("last_attempt_at")),
    )


def transfer_item(app_id: str, org_id: str, transfer_id: str, *, from_user_id: str, to_user_id: str,
                  expires_epoch: int, expires_at: str, now: str) -> Item:
    """A pending ownership transfer, on the sparse expiry index while it is pending."""
    return {
        **keys.ownership_transfer(app_id, org_id, transfer_id),
        **keys.transfer_expiry_gsi3(expires_epoch, app_id, transfer_id),
        "entity": "TRANSFER",
        "app_id": app_id,
        "org_id": org_id,
        "id": transfer_id,
        "from_user_id": from_user_id,
        "to_user_id": to_user_id,
        "status": "pending",
        "expires_epoch": expires_epoch,
        "expires_at": expires_at,
        "created_at": now,
        "updated_at": now,
    }


def pending_transfer_item(transfer: Item) -> Item:
    """The org's claim on its one pending transfer; it names the transfer and both users."""
    return {
        **keys.pending_transfer(transfer["app_id"], transfer["org_id"]),
        "entity": "PENDING_TRANSFER",
        **{name: transfer[name] for name in ("app_id", "org_id", "from_user_id", "to_user_id", "expires_epoch")},
        "transfer_id": transfer["id"],
    }


def to_transfer(item: Item, now_epoch: float) -> OwnershipTransfer:
    from orgplane.models.ownership import OwnershipTransfer

    return OwnershipTransfer(
        id=item["id"],
        org_id=item["org_id"],
        from_user_id=item["from_user_id"],
        to_user_id=item["to_user_id"],
        status=invitation_status(item, now_epoch),  # type: ignore[arg-type]
        expires_at=item["expires_at"],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def org_cleanup_job(app_id: str, org_id: str, now: str) -> Item:
    """The job item whose stream record starts the purge of an org's partition (``services.cleanup``)."""
    return {**keys.cleanup(app_id, org_id), "entity": "CLEANUP", "app_id": app_id, "org_id": org_id, "batches": 0,
            "removed": 0, "requested_at": now}


def deleted_org_item(org: Item, *, deleted_at: str, deleted_by: str, purge_epoch: int, purge_at: str) -> Item:
    """A soft-deleted org: its org item's attributes (``org``), listed for support and due for purge."""
    app_id, org_id = str(org["app_id"]), str(org["id"])
    return {
        **keys.deleted_org(app_id, org_id),
        **keys.deleted_org_gsi2(app_id, deleted_at, org_id),
        **keys.purge_gsi3(purge_epoch, app_id, org_id),
        "entity": "DELETED_ORG",
        "app_id": app_id,
        "org_id": org_id,
        "org": keys.strip(org),
        "deleted_at": deleted_at,
        "deleted_by": deleted_by,
        "purge_epoch": purge_epoch,
        "purge_at": purge_at,
    }


def restored_org_item(deleted: Item, slug: str, now: str) -> Item:
    """The org item again, from its soft-deleted copy, with its (possibly new) slug."""
    org = dict(deleted["org"])
    app_id, org_id = str(deleted["app_id"]), str(deleted["org_id"])
    return {**org, **keys.org(app_id, org_id), **keys.org_listing_gsi5(app_id, name_key(str(org["name"])), org_id),
            "entity": "ORG", "slug": slug, "updated_at": now}


def to_deleted_org(item: Item) -> DeletedOrg:
    from orgplane.models.orgs import DeletedOrg

    return DeletedOrg(**to_org(item["org"]).model_dump(), deleted_at=item["deleted_at"], purge_at=item["purge_at"])
