"""The catalogue of event types: what each announces and the fields of its ``data``.

An event is the audit record of a change (:mod:`orgplane.services.audit`), so its type is the audit
action and its ``data`` the audit details. This catalogue is the one list of them: the README's event
table and the OpenAPI document are generated from it, and a test checks that every action the
services record is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EventType:
    summary: str
    target: str
    data: dict[str, str] = field(default_factory=dict)


VIA = ("how the membership came to be: `org_created` (the creator, as owner), `invitation`, `direct` "
       "(`PUT /orgs/{org_id}/members/{user_id}`), `domain_join` (automatic join by a verified domain), "
       "`invite_link`, `join_request` (an approved request), `restore` (a deleted org restored: each of its "
       "members, after `org.restored`)")

CATALOGUE: dict[str, EventType] = {
    "org.created": EventType("an org was created", "org", {"name": "its name", "slug": "its slug"}),
    "org.updated": EventType("an org's name, slug or metadata changed", "org", {
        "name": "the new name (when it changed)", "slug": "the new slug (when it changed)",
        "metadata_changed": "`true` when metadata changed"}),
    "org.deleted": EventType("an org was deleted", "org", {"name": "its name", "slug": "its slug"}),
    "org.restored": EventType("a deleted org was restored (a `member.added`, via `restore`, follows for each member)", "org", {
        "slug": "its slug", "deleted_at": "when it was deleted", "deleted_by": "who deleted it"}),
    "org.purged": EventType("a deleted org's restore window closed: its data is being removed", "org", {
        "name": "its name", "deleted_at": "when it was deleted"}),
    "ownership.transfer_requested": EventType("an owner offered the org to a member", "ownership_transfer", {
        "from_user_id": "the owner", "to_user_id": "the member", "expires_at": "when the offer lapses"}),
    "ownership.transferred": EventType("the member accepted: now owner, the initiator admin", "ownership_transfer", {
        "from_user_id": "the former owner", "to_user_id": "the new owner", "previous_role": "the new owner's "
        "previous role", "from_new_role": "the former owner's new role"}),
    "ownership.transfer_declined": EventType("the member declined the offer", "ownership_transfer", {
        "from_user_id": "the owner", "to_user_id": "the member"}),
    "ownership.transfer_cancelled": EventType("the offer was cancelled", "ownership_transfer", {
        "from_user_id": "the owner", "to_user_id": "the member"}),
    "ownership.transfer_expired": EventType("the offer lapsed unanswered", "ownership_transfer", {
        "from_user_id": "the owner", "to_user_id": "the member"}),
    "member.added": EventType("someone became a member, by whatever path", "member", {
        "user_id": "the new member", "role": "their role", "via": VIA,
        "invitation_id": "the invitation accepted (`via` `invitation`)",
        "invite_link_id": "the link used (`via` `invite_link`)",
        "join_request_id": "the request approved (`via` `join_request`)",
        "domain": "the verified domain (`via` `domain_join`)"}),
    "member.role_changed": EventType("a member's role changed", "member", {"from": "old role", "to": "new role"}),
    "member.removed": EventType("a member was removed by someone else", "member", {
        "role": "the role they held", "team_ids": "the teams they left with it"}),
    "member.left": EventType("a member left on their own", "member", {
        "role": "the role they held", "team_ids": "the teams they left with it"}),
    "invite_link.created": EventType("an invite link was made", "invite_link", {
        "role": "the role it grants", "max_uses": "uses allowed (`null`: unlimited)", "expires_at": "its expiry",
        "allowed_domains": "email domains it admits (empty: any)"}),
    "invite_link.revoked": EventType("an invite link was revoked", "invite_link", {"role": "the role it granted"}),
    "invite_link.accepted": EventType("someone joined by an invite link (a `member.added` follows)", "invite_link", {
        "user_id": "who joined", "role": "the role granted"}),
    "domain.added": EventType("an org added a domain to verify", "domain", {"domain": "the A-label domain"}),
    "domain.verified": EventType("the domain's TXT record was found: verified for this org", "domain", {
        "domain": "the A-label domain"}),
    "domain.unverified": EventType("the re-check no longer found the record: the domain is pending again",
                                   "domain", {"domain": "the A-label domain"}),
    "domain.removed": EventType("an org removed a domain", "domain", {"domain": "the A-label domain",
                                                                      "status": "its status then"}),
    "join_request.created": EventType("a user asked to join by their verified domain", "join_request", {
        "user_id": "who asked", "email": "their verified email", "domain": "the verified domain it matched"}),
    "join_request.approved": EventType("a join request was approved (a `member.added` follows)", "join_request", {
        "user_id": "who asked", "role": "the role granted"}),
    "join_request.denied": EventType("a join request was denied", "join_request", {"user_id": "who asked"}),
    "join_request.cancelled": EventType("the user withdrew their join request", "join_request", {
        "user_id": "who asked"}),
    "invitation.created": EventType("an invitation was sent", "invitation", {
        "email": "the invitee", "role": "the role offered", "team_ids": "teams offered",
        "expires_at": "when it expires"}),
    "invitation.resent": EventType("an invitation was sent again (new link, new expiry)", "invitation", {
        "email": "the invitee", "expires_at": "the new expiry"}),
    "invitation.accepted": EventType("an invitation was accepted (a `member.added` follows)", "invitation", {
        "user_id": "who accepted", "role": "the role granted", "team_ids": "teams joined"}),
    "invitation.declined": EventType("the invitee declined", "invitation", {"email": "the invitee"}),
    "invitation.revoked": EventType("an invitation was revoked", "invitation", {
        "email": "the invitee", "role": "the role it offered"}),
    "invitation.expired": EventType("an invitation passed its expiry unanswered", "invitation", {
        "email": "the invitee", "expires_at": "when it expired"}),
    "team.created": EventType("a team was created", "team", {"name": "its name"}),
    "team.updated": EventType("a team's name or description changed", "team", {
        "name": "the new name (when it changed)", "previous_name": "the old name (when it changed)",
        "description_changed": "`true` when the description changed"}),
    "team.deleted": EventType("a team was deleted", "team", {
        "name": "its name", "member_count": "members it had"}),
    "team.member_added": EventType("a member joined a team", "team", {"user_id": "the member", "role": "team role"}),
    "team.member_role_changed": EventType("a team member's team role changed", "team", {
        "user_id": "the member", "from": "old team role", "to": "new team role"}),
    "team.member_removed": EventType("a member was taken off a team", "team", {
        "user_id": "the member", "role": "the team role they had"}),
    "team.member_left": EventType("a member left a team", "team", {
        "user_id": "the member", "role": "the team role they had"}),
    "settings.updated": EventType("the app's settings changed (an app-level event: `org_id` null)", "settings", {
        "<field>": "`{from, to}` for each setting that changed"}),
    "webhook.created": EventType("a webhook endpoint was registered (app-level)", "webhook", {
        "url": "its URL's origin (`https://host[:port]`: a path or query may hold the receiver's own secret, and"
               " every other endpoint gets this event)", "types": "the types it takes (empty: all)"}),
    "webhook.updated": EventType("a webhook endpoint changed (app-level)", "webhook", {
        "url": "the new URL's origin (when the URL changed)", "types": "the new types (when they changed)",
        "enabled": "the new state (when it changed)"}),
    "webhook.deleted": EventType("a webhook endpoint was deleted (app-level)", "webhook", {"url": "its URL's origin"}),
    "webhook.secret_rotated": EventType("a webhook endpoint's signing secret was rotated (app-level)", "webhook", {
        "previous_valid_until": "until when the previous secret also signs"}),
    "webhook.disabled": EventType("an endpoint failing for 5 days was disabled (app-level)", "webhook", {
        "reason": "why", "failing_since": "when its deliveries began to fail"}),
}

TEST_EVENT = EventType("sent only to one endpoint by `POST /admin/webhooks/{webhook_id}/test`", "webhook")


def render_markdown() -> str:
    """The README's event table (between its markers), generated from :data:`CATALOGUE`."""
    lines = ["| type | when | target | `data` fields |", "|---|---|---|---|"]
    for name, spec in CATALOGUE.items():
        fields = "; ".join(f"`{key}`: {text}" for key, text in spec.data.items())
        lines.append(f"| `{name}` | {spec.summary} | {spec.target} | {fields} |")
    lines.append(f"| `webhook.test` | {TEST_EVENT.summary} | {TEST_EVENT.target} |  |")
    return "\n".join(lines) + "\n"


def openapi_extension() -> dict[str, dict[str, object]]:
    """The catalogue as the OpenAPI document's ``x-event-types``: each type's summary, target and ``data`` fields."""
    return {name: {"summary": spec.summary, "target": spec.target, "data": dict(spec.data)}
            for name, spec in CATALOGUE.items()}
