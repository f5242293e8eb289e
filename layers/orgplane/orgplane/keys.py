"""Every key of the single table is built here and nowhere else.

Table ``PK``/``SK``; ``GSI1`` is the per-user view (memberships, team memberships, invitations by
email, audit by actor); ``GSI2`` holds the listings (app-wide: slugs, app audit, webhooks, deleted orgs;
per org: its pending invitations); ``GSI3`` is the sparse expiry index of pending invitations (and ownership transfers);
``GSI4`` lists an org's members by role; ``GSI5`` holds support's searches (orgs by name, member emails)
with a narrow projection, so the org counters and a member's ``teams`` change without rewriting an entry.
Every item also carries ``entity`` (its type) so stream filters and readers can tell them apart.
"""

from __future__ import annotations

import zlib
from typing import Any

Key = dict[str, str]

SEP = "#"


def _join(*parts: str) -> str:
    return SEP.join(parts)


def app(app_id: str) -> str:
    return _join("APP", app_id)


# --- primary keys ---------------------------------------------------------------------------


def org_pk(app_id: str, org_id: str) -> str:
    return _join("APP", app_id, "ORG", org_id)


def org(app_id: str, org_id: str) -> Key:
    return {"PK": org_pk(app_id, org_id), "SK": "ORG"}


def slug(app_id: str, slug_value: str) -> Key:
    return {"PK": _join("APP", app_id, "SLUG", slug_value), "SK": "SLUG"}


def member(app_id: str, org_id: str, user_id: str) -> Key:
    return {"PK": org_pk(app_id, org_id), "SK": _join("MEMBER", user_id)}


MEMBER_PREFIX = "MEMBER" + SEP
INVITE_PREFIX = "INVITE" + SEP
EMAIL_INVITE_PREFIX = INVITE_PREFIX
TEAM_PREFIX = "TEAM" + SEP


def invitation(app_id: str, org_id: str, invitation_id: str) -> Key:
    return {"PK": org_pk(app_id, org_id), "SK": _join("INVITE", invitation_id)}


INVITE_LINK_PREFIX = "LINK" + SEP
DOMAIN_PREFIX = "DOMAIN" + SEP


def org_domain(app_id: str, org_id: str, domain: str) -> Key:
    """A domain an org added (pending, then verified), by its A-label."""
    return {"PK": org_pk(app_id, org_id), "SK": _join("DOMAIN", domain)}


JOIN_REQUEST_PREFIX = "JOINREQ" + SEP


def join_request(app_id: str, org_id: str, request_id: str) -> Key:
    return {"PK": org_pk(app_id, org_id), "SK": _join("JOINREQ", request_id)}


def pending_join(app_id: str, org_id: str, user_id: str) -> Key:
    """The one pending join request of a user to an org: a unique key holding its id."""
    return {"PK": org_pk(app_id, org_id), "SK": _join("JOINPENDING", user_id)}


def join_request_gsi1(app_id: str, user_id: str, request_id: str) -> dict[str, str]:
    """A join request on its requester's view (``GET /me/join-requests``)."""
    return {"GSI1PK": user_pk(app_id, user_id), "GSI1SK": _join("JOINREQ", request_id)}


def domain_claim(app_id: str, domain: str) -> Key:
    """The one org of an app that verified ``domain``: a unique key, written at verification."""
    return {"PK": _join("APP", app_id, "DOMAIN", domain), "SK": "DOMAIN"}


def invite_link(app_id: str, org_id: str, link_id: str) -> Key:
    """A shareable invite link of an org (its token is stored only as a hash)."""
    return {"PK": org_pk(app_id, org_id), "SK": _join("LINK", link_id)}


def email_claim(app_id: str, org_id: str, email_key: str) -> Key:
    """Who holds an email address in an org: a member, or one pending invitation (never both)."""
    return {"PK": org_pk(app_id, org_id), "SK": _join("EMAIL", email_key)}


def team(app_id: str, org_id: str, team_id: str) -> Key:
    return {"PK": org_pk(app_id, org_id), "SK": _join("TEAM", team_id)}


def team_name_claim(app_id: str, org_id: str, name_key: str) -> Key:
    return {"PK": org_pk(app_id, org_id), "SK": _join("TEAMNAME", name_key)}


def team_member(app_id: str, org_id: str, team_id: str, user_id: str) -> Key:
    """``TEAMMEMBER#t#u``, not ``TEAM#t#MEMBER#u``: ``begins_with(SK, "TEAM#")`` then lists teams only."""
    return {"PK": org_pk(app_id, org_id), "SK": _join("TEAMMEMBER", team_id, user_id)}


def team_member_prefix(team_id: str) -> str:
    return _join("TEAMMEMBER", team_id, "")


def rate_window(app_id: str, org_id: str, counter: str, window_start: int) -> Key:
    """One fixed window of a rate counter of an org (``counter`` names what is counted)."""
    return {"PK": org_pk(app_id, org_id), "SK": _join("RATE", counter, str(window_start))}


def user(app_id: str, user_id: str) -> Key:
    """Per-user counters (orgs the user belongs to)."""
    return {"PK": _join("APP", app_id, "USER", user_id), "SK": "USER"}


def settings(app_id: str) -> Key:
    return {"PK": app(app_id), "SK": "SETTINGS"}


def audit_pk(app_id: str, org_id: str) -> str:
    return _join("APP", app_id, "ORG", org_id, "AUDIT")


def audit(app_id: str, org_id: str, event_id: str) -> Key:
    return {"PK": audit_pk(app_id, org_id), "SK": event_id}


def app_audit(app_id: str, event_id: str) -> Key:
    """An app-level audit event (no org: settings changes). Its own partition; same GSI views."""
    return {"PK": app_audit_pk(app_id), "SK": event_id}


def event_sequence(app_id: str, org_id: str | None) -> Key:
    """The event counter of an org (in its partition), or of the app for app-level events (settings):
    ``sequence`` (the last number given) and ``last_id`` (the last event id, so ids rise with it)."""
    return {"PK": org_pk(app_id, org_id) if org_id else app(app_id), "SK": "EVENTSEQ"}


def webhook(app_id: str, webhook_id: str) -> Key:
    """A webhook endpoint of an app; its deliveries share its partition."""
    return {"PK": _join("APP", app_id, "WEBHOOK", webhook_id), "SK": "WEBHOOK"}


def webhook_delivery(app_id: str, webhook_id: str, delivery_id: str) -> Key:
    return {"PK": _join("APP", app_id, "WEBHOOK", webhook_id), "SK": _join("DELIVERY", delivery_id)}


DELIVERY_PREFIX = "DELIVERY" + SEP


def webhook_count(app_id: str) -> Key:
    """How many webhook endpoints the app has (a create checks the limit against it atomically)."""
    return {"PK": _join("APP", app_id, "WEBHOOKS"), "SK": "COUNT"}


def webhooks_pk(app_id: str) -> str:
    """GSI2: an app's webhook endpoints (few: the fan-out reads them all for each event)."""
    return _join("APP", app_id, "WEBHOOKS")


def webhook_listing_gsi2(app_id: str, webhook_id: str) -> dict[str, str]:
    return {"GSI2PK": webhooks_pk(app_id), "GSI2SK": webhook_id}


def role_usage(app_id: str, role: str) -> Key:
    """The holder counter of one custom role (members + pending invitations); exists while it is defined."""
    return {"PK": _join("APP", app_id, "ROLE", role), "SK": "ROLE"}


def cleanup(app_id: str, org_id: str) -> Key:
    """The job item that drives the asynchronous cleanup of a deleted org (outside its partition)."""
    return {"PK": _join("APP", app_id, "CLEANUP", org_id), "SK": "CLEANUP"}


def cleanup_pk(app_id: str, org_id: str) -> str:
    """The partition of an org's cleanup jobs (the org's own job and its team cascades)."""
    return _join("APP", app_id, "CLEANUP", org_id)


def team_cleanup(app_id: str, org_id: str, team_id: str) -> Key:
    """The job that removes a deleted team's memberships (too many for the delete's transaction)."""
    return {"PK": cleanup_pk(app_id, org_id), "SK": _join("TEAM", team_id)}


def member_teams_cleanup(app_id: str, org_id: str, user_id: str, job_id: str) -> Key:
    """The job that removes a departed member's team memberships (one per departure)."""
    return {"PK": cleanup_pk(app_id, org_id), "SK": _join("MEMBER", user_id, job_id)}


def ownership_transfer(app_id: str, org_id: str, transfer_id: str) -> Key:
    return {"PK": org_pk(app_id, org_id), "SK": _join("TRANSFER", transfer_id)}


TRANSFER_PREFIX = "TRANSFER" + SEP


def deleted_org(app_id: str, org_id: str) -> Key:
    """A deleted org kept for restore: its org item's snapshot, in its own partition (nothing reads it as live)."""
    return {"PK": org_pk(app_id, org_id), "SK": "DELETED"}


def lifecycle_job(app_id: str, org_id: str, kind: str) -> Key:
    """The job that walks a soft-deleted org's partition to hide it (``HIDE``) or to bring it back (``UNHIDE``)."""
    return {"PK": cleanup_pk(app_id, org_id), "SK": kind.upper()}


def pending_transfer(app_id: str, org_id: str) -> Key:
    """The org's one pending ownership transfer: put on the condition that none exists (``transfer_pending``)."""
    return {"PK": org_pk(app_id, org_id), "SK": "PENDING_TRANSFER"}


def idempotency(app_id: str, user_id: str, route: str, key: str) -> Key:
    return {"PK": _join("APP", app_id, "IDEMPOTENCY", user_id), "SK": _join(route, key)}


# --- GSI1: the user's view --------------------------------------------------------------------

GSI1 = "GSI1"


def user_pk(app_id: str, user_id: str) -> str:
    return _join("APP", app_id, "USER", user_id)


def membership_gsi1(app_id: str, org_id: str, user_id: str) -> dict[str, str]:
    return {"GSI1PK": user_pk(app_id, user_id), "GSI1SK": _join("ORG", org_id)}


USER_ORG_PREFIX = "ORG" + SEP


def team_membership_gsi1(app_id: str, org_id: str, team_id: str, user_id: str) -> dict[str, str]:
    return {"GSI1PK": user_pk(app_id, user_id), "GSI1SK": _join("TEAM", org_id, team_id)}


def user_team_prefix(org_id: str | None = None) -> str:
    return _join("TEAM", org_id, "") if org_id else "TEAM" + SEP


def email_pk(app_id: str, email: str) -> str:
    return _join("APP", app_id, "EMAIL", email)


def invitation_gsi1(app_id: str, email: str, invitation_id: str) -> dict[str, str]:
    """An invitation on its invitee's view: ``email`` is the case-folded address (``records.email_key``)."""
    return {"GSI1PK": email_pk(app_id, email), "GSI1SK": invitation_email_sk(invitation_id)}


def invitation_email_sk(invitation_id: str) -> str:
    """A pending invitation on its invitee's view (``GET /invitations`` lists this prefix)."""
    return _join("INVITE", invitation_id)


def answered_invitation_email_sk(invitation_id: str) -> str:
    """An invitation no longer pending moves aside on the invitee's view, so the pending list never reads
    the history, and the in-app accept of an answered one still finds it (to say 409, not 404)."""
    return _join("ANSWERED", invitation_id)


def actor_pk(app_id: str, user_id: str) -> str:
    return _join("APP", app_id, "ACTOR", user_id)


# --- GSI2: listings (app-wide, and an org's pending invitations) ---------------------------------

GSI2 = "GSI2"


def slug_listing_gsi2(app_id: str, slug_value: str) -> dict[str, str]:
    return {"GSI2PK": _join("APP", app_id, "SLUGS"), "GSI2SK": slug_value}


def slug_listing_pk(app_id: str) -> str:
    return _join("APP", app_id, "SLUGS")


def pending_invitations_pk(app_id: str, org_id: str) -> str:
    """An org's pending invitations (``?status=pending``), apart from its answered history."""
    return _join("APP", app_id, "ORG", org_id, "PENDING_INVITES")


def pending_invitation_gsi2(app_id: str, org_id: str, invitation_id: str) -> dict[str, str]:
    return {"GSI2PK": pending_invitations_pk(app_id, org_id), "GSI2SK": invitation_id}


def deleted_orgs_pk(app_id: str) -> str:
    """The app's deleted orgs still restorable (``GET /admin/orgs?deleted=true``), by deletion time."""
    return _join("APP", app_id, "DELETED_ORGS")


def deleted_org_gsi2(app_id: str, deleted_at: str, org_id: str) -> dict[str, str]:
    return {"GSI2PK": deleted_orgs_pk(app_id), "GSI2SK": _join(deleted_at, org_id)}


def app_audit_pk(app_id: str) -> str:
    return _join("APP", app_id, "AUDIT")


# --- GSI3: sparse index of pending invitations by expiry ---------------------------------------

GSI3 = "GSI3"
EXPIRY_SHARDS = 8
"""Pending invitations spread over this many index partitions, so no single partition key carries
every invitation write of every app; the expiry job reads each shard's due range (a constant
number of queries, each returning only due invitations)."""


def expiry_pk(shard: int) -> str:
    return _join("PENDING_INVITES", str(shard))


def expiry_shards() -> list[str]:
    return [expiry_pk(shard) for shard in range(EXPIRY_SHARDS)]


def expiry_gsi3(expires_at_epoch: int, app_id: str, invitation_id: str) -> dict[str, str]:
    shard = zlib.crc32(invitation_id.encode()) % EXPIRY_SHARDS
    return {"GSI3PK": expiry_pk(shard), "GSI3SK": _join(f"{expires_at_epoch:012d}", app_id, invitation_id)}


def _due_shards(family: str) -> list[str]:
    return [_join(family, str(shard)) for shard in range(EXPIRY_SHARDS)]


def _due_gsi3(family: str, due_epoch: int, app_id: str, item_id: str) -> dict[str, str]:
    shard = zlib.crc32(item_id.encode()) % EXPIRY_SHARDS
    return {"GSI3PK": _join(family, str(shard)), "GSI3SK": _join(f"{due_epoch:012d}", app_id, item_id)}


def transfer_expiry_shards() -> list[str]:
    return _due_shards("PENDING_TRANSFERS")


def transfer_expiry_gsi3(expires_at_epoch: int, app_id: str, transfer_id: str) -> dict[str, str]:
    """A pending ownership transfer on the same sparse expiry index, in partitions of its own."""
    return _due_gsi3("PENDING_TRANSFERS", expires_at_epoch, app_id, transfer_id)


def purge_shards() -> list[str]:
    return _due_shards("PENDING_PURGES")


def purge_gsi3(purge_epoch: int, app_id: str, org_id: str) -> dict[str, str]:
    """A deleted org waiting for its purge, by the time its restore window closes."""
    return _due_gsi3("PENDING_PURGES", purge_epoch, app_id, org_id)


def domain_check_shards() -> list[str]:
    return _due_shards("DOMAIN_CHECKS")


def domain_check_gsi3(due_epoch: int, app_id: str, domain: str) -> dict[str, str]:
    """A verified domain's claim on the sparse index GSI3, due for its DNS re-check at ``due_epoch``."""
    return _due_gsi3("DOMAIN_CHECKS", due_epoch, app_id, domain)


PENDING_INVITATION_INDEXES = ("GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")
"""Index attributes an invitation holds only while pending: an answer removes them, so the org's
pending list and the expiry job never read the history."""


def expiry_upper_bound(now_epoch: int) -> str:
    return f"{now_epoch:012d}" + SEP + "~"


# --- GSI5: support's searches (projects only what they match on) ----------------------------------

GSI5 = "GSI5"


def org_listing_pk(app_id: str) -> str:
    return _join("APP", app_id, "ORGS")


def org_listing_gsi5(app_id: str, name_key: str, org_id: str) -> dict[str, str]:
    """An org in the app's listing by name (``GET /admin/orgs``); the page's orgs are then read by key."""
    return {"GSI5PK": org_listing_pk(app_id), "GSI5SK": _join(name_key, org_id)}


def member_email_pk(app_id: str) -> str:
    return _join("APP", app_id, "EMAILS")


def member_email_gsi5(app_id: str, email: str, user_id: str, org_id: str) -> dict[str, str]:
    """A membership with an email, in the app's search by email prefix (``GET /admin/users?email=``)."""
    return {"GSI5PK": member_email_pk(app_id), "GSI5SK": _join(email, user_id, org_id)}


# --- GSI4: an org's members by role ----------------------------------------------------------------

GSI4 = "GSI4"


def members_with_role_pk(app_id: str, org_id: str, role: str) -> str:
    """The members of an org holding ``role`` (``GET .../members?role=``), in user id order."""
    return _join("APP", app_id, "ORG", org_id, "ROLE", role)


def member_role_gsi4(app_id: str, org_id: str, role: str, user_id: str) -> dict[str, str]:
    return {"GSI4PK": members_with_role_pk(app_id, org_id, role), "GSI4SK": user_id}


def strip(item: dict[str, Any]) -> dict[str, Any]:
    """An item without its key and index attributes."""
    return {k: v for k, v in item.items() if k not in _KEY_ATTRIBUTES}


_KEY_ATTRIBUTES = frozenset(
    {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "GSI4PK", "GSI4SK", "GSI5PK", "GSI5SK",
     "entity", "ttl"}
)

TABLE_KEY_SCHEMA = ("PK", "SK")
