"""Every mutation leaves exactly one audit event, written with it: action, actor, target, time, request id."""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orgplane import keys
from orgplane.caller import Caller
from orgplane.errors import DomainError
from orgplane.models.members import UpdateMember
from orgplane.models.orgs import CreateOrg, UpdateOrg
from orgplane.models.provisioning import PutMember
from orgplane.models.settings import UpdateSettings
from orgplane.services import members, orgs, provisioning, settings_admin
from tests.support import onboarding_walk, world

SERVICES = Path(__file__).resolve().parents[2] / "layers" / "orgplane" / "orgplane" / "services"
HAS_TEAMS = importlib.util.find_spec("orgplane.services.teams") is not None

alice = world.caller("alice")
bob = world.caller("bob")
sam = world.caller("sam", support=True)


MEMBERSHIP_PATHS = {"invitation.accepted": "invitation", "invite_link.accepted": "invite_link",
                    "join_request.approved": "join_request"}
"""Actions that create a membership, with the ``via`` of the ``member.added`` they also record."""


def events_of(partition: str) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in world.items_of(partition) if item.get("entity") == "AUDIT"}


def audited(partition: str, caller: Caller, action: str, target: tuple[str, str | None],
            change: Callable[[], Any]) -> dict[str, Any]:
    """Run ``change`` and return the one audit event it added to ``partition``, checked field by field."""
    before = events_of(partition)
    change()
    added = sorted((event for event_id, event in events_of(partition).items() if event_id not in before),
                   key=lambda event: event["sequence"])
    joins = action in MEMBERSHIP_PATHS
    assert len(added) == 1 + joins, f"{action}: {len(added)} audit events"
    event = added[0]
    last = max((e["sequence"] for e in before.values()), default=0)
    assert [e["sequence"] for e in added] == list(range(last + 1, last + 1 + len(added))), "a gap in the sequence"
    if joins:  # and whoever joined is announced as member.added, naming the path
        assert added[1]["action"] == "member.added" and added[1]["details"]["via"] == MEMBERSHIP_PATHS[action]
    assert event["action"] == action
    assert event["actor"] == {"type": "user", "user_id": caller.user_id, "email": caller.email,
                              "support": caller.support}
    assert event["target"]["type"] == target[0] and target[1] in (None, event["target"]["id"])  # None: a new id
    assert event["request_id"] == caller.request_id and event["at"].endswith("Z")
    assert isinstance(event["details"], dict) and len(str(event["details"])) < 2000
    assert event["ttl"] > 0
    return event


def walk() -> set[str]:
    """Call every mutating service once; returns the actions it saw audited."""
    seen: set[str] = set()

    def check(partition: str, caller: Caller, action: str, target: tuple[str, str],
              change: Callable[[], Any]) -> dict[str, Any]:
        seen.add(action)
        return audited(partition, caller, action, target, change)

    created: dict[str, str] = {}

    def create() -> None:
        created["id"] = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id

    # orgs: a new org's first event opens its audit partition
    create()
    org_id = created["id"]
    org_partition = keys.audit_pk("demo", org_id)
    first, owner = sorted(events_of(org_partition).values(), key=lambda event: event["sequence"])
    assert (first["action"], first["target"], first["actor"]["user_id"], first["sequence"]) == (
        "org.created", {"type": "org", "id": org_id}, "alice", 1)
    assert (owner["action"], owner["target"], owner["details"]["via"], owner["sequence"]) == (
        "member.added", {"type": "member", "id": "alice"}, "org_created", 2)
    seen |= {"org.created", "member.added"}
    check(org_partition, alice, "org.updated", ("org", org_id),
          lambda: orgs.update(alice, org_id, UpdateOrg(name="Acme 2")))
    # members
    world.add_member(org_id, "bob")
    world.add_member(org_id, "carol")
    check(org_partition, alice, "member.role_changed", ("member", "bob"),
          lambda: members.update_member(alice, org_id, "bob", UpdateMember(role="admin")))
    check(org_partition, sam, "member.removed", ("member", "carol"),
          lambda: members.remove_member(sam, org_id, "carol"))
    check(org_partition, sam, "member.added", ("member", "dave"),  # directly, without an invitation
          lambda: provisioning.put_member(sam, org_id, "dave", PutMember()))
    # settings (app level)
    check(keys.app_audit_pk("demo"), sam, "settings.updated", ("settings", "demo"),
          lambda: settings_admin.patch(sam, UpdateSettings(max_teams_per_org=5)))
    # teams, where they exist
    if HAS_TEAMS:
        from orgplane.models.teams import CreateTeam, PutTeamMember, UpdateTeam
        from orgplane.services import team_members, teams

        team_id = teams.create(alice, org_id, CreateTeam(name="Core")).id
        seen.add("team.created")
        assert any(e["action"] == "team.created" and e["target"]["id"] == team_id
                   for e in events_of(org_partition).values())
        check(org_partition, alice, "team.updated", ("team", team_id),
              lambda: teams.update(alice, org_id, team_id, UpdateTeam(name="Core 2")))
        check(org_partition, alice, "team.member_added", ("team", team_id),
              lambda: team_members.put_member(alice, org_id, team_id, "bob", PutTeamMember(role="member")))
        check(org_partition, alice, "team.member_role_changed", ("team", team_id),
              lambda: team_members.put_member(alice, org_id, team_id, "bob", PutTeamMember(role="maintainer")))
        check(org_partition, bob, "team.member_left", ("team", team_id),
              lambda: team_members.remove_member(bob, org_id, team_id, "me"))
        team_members.put_member(alice, org_id, team_id, "bob", PutTeamMember())
        check(org_partition, alice, "team.member_removed", ("team", team_id),
              lambda: team_members.remove_member(alice, org_id, team_id, "bob"))
        check(org_partition, alice, "team.deleted", ("team", team_id),
              lambda: teams.delete(alice, org_id, team_id))
    seen |= _walk_invitations(check, org_partition, org_id)
    seen |= onboarding_walk.walk(check, org_partition, org_id, alice)
    seen |= _walk_ownership(check, org_partition, org_id)
    _walk_webhooks(check)
    check(org_partition, bob, "member.left", ("member", "bob"), lambda: members.remove_member(bob, org_id, "me"))
    check(org_partition, alice, "org.deleted", ("org", org_id), lambda: orgs.delete(alice, org_id))
    seen |= _walk_lifecycle(check, org_partition, org_id)
    return seen


def test_every_mutating_service_call_writes_its_audit_event() -> None:
    seen = walk()
    assert {"org.created", "org.updated", "org.deleted", "member.role_changed", "member.removed",
            "member.left", "settings.updated"} <= seen


def test_every_audited_action_in_the_services_is_walked() -> None:
    """A new mutation (its ``audit.record`` call) must join the walk above."""
    seen = walk()
    recorded: set[str] = set()
    for path in SERVICES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            recorded |= {a for a in _action_literals(node) if "." in a}
    assert recorded, "no audit.record calls found: has the audit API moved?"
    assert recorded - seen == set(), f"audited actions no test walks: {sorted(recorded - seen)}"


def test_the_audit_event_commits_with_its_change_or_not_at_all() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    before = events_of(keys.audit_pk("demo", org_id))
    with pytest.raises(DomainError) as refused:  # the last owner cannot step down
        members.update_member(alice, org_id, "me", UpdateMember(role="admin"))
    assert refused.value.code == "last_owner"
    assert events_of(keys.audit_pk("demo", org_id)) == before


def _walk_lifecycle(check: Callable[..., dict[str, Any]], partition: str, org_id: str) -> set[str]:
    """Restore the deleted org (support), delete it again, and let the job purge it after the window."""
    from orgplane import clock
    from orgplane.models.orgs import RestoreOrg
    from orgplane.services import expiry, lifecycle

    check(partition, sam, "org.restored", ("org", org_id), lambda: lifecycle.restore(sam, org_id, RestoreOrg()))
    check(partition, alice, "org.deleted", ("org", org_id), lambda: orgs.delete(alice, org_id))
    clock.advance(31 * 86400)
    before = events_of(partition)
    assert expiry.run_purges() == 1
    (event,) = [e for i, e in events_of(partition).items() if i not in before]
    assert (event["action"], event["target"]["id"], event["actor"]["user_id"]) == (
        "org.purged", org_id, lifecycle.PURGE_ACTOR)
    return {"org.purged"}


def _walk_ownership(check: Callable[..., dict[str, Any]], partition: str, org_id: str) -> set[str]:
    """Request, decline, cancel and accept an ownership transfer (and back), expire one by the job; returns
    the actions checked here without ``check``. Needs ``dan`` a member (his invitation was accepted)."""
    from orgplane import clock
    from orgplane.models.ownership import CreateOwnershipTransfer
    from orgplane.services import expiry, ownership

    dan = world.caller("dan")

    def request(by: Caller, to: str) -> str:
        before = events_of(partition)
        transfer_id = ownership.request(by, org_id, CreateOwnershipTransfer(to_user_id=to)).id
        (event,) = [e for i, e in events_of(partition).items() if i not in before]
        assert (event["action"], event["target"]["id"], event["actor"]["user_id"]) == (
            "ownership.transfer_requested", transfer_id, by.user_id)
        return transfer_id

    declined = request(alice, "dan")
    check(partition, dan, "ownership.transfer_declined", ("ownership_transfer", declined),
          lambda: ownership.decline(dan, org_id, declined))
    cancelled = request(alice, "dan")
    check(partition, alice, "ownership.transfer_cancelled", ("ownership_transfer", cancelled),
          lambda: ownership.cancel(alice, org_id, cancelled))
    expired = request(alice, "dan")
    clock.advance(7 * 86400 + 1)
    before = events_of(partition)
    assert expiry.run_transfers() == 1
    (event,) = [e for i, e in events_of(partition).items() if i not in before]
    assert (event["action"], event["target"]["id"], event["actor"]["user_id"]) == (
        "ownership.transfer_expired", expired, ownership.SYSTEM_ACTOR)
    accepted = request(alice, "dan")
    check(partition, dan, "ownership.transferred", ("ownership_transfer", accepted),
          lambda: ownership.accept(dan, org_id, accepted))
    back = request(dan, "alice")  # and back, so alice may delete the org below
    check(partition, alice, "ownership.transferred", ("ownership_transfer", back),
          lambda: ownership.accept(alice, org_id, back))
    return {"ownership.transfer_requested", "ownership.transfer_expired"}


def _strings(node: ast.AST | None) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)} \
        if node is not None else set()


def _action_literals(node: ast.AST) -> set[str]:
    """Action strings of ``audit.record(tx, caller, org_id, <action>, ...)`` and of ``action = ...``."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit" and len(node.args) > 3):
        return _strings(node.args[3])
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == "action":
                return _strings(node.value)
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                return {s for t, v in zip(target.elts, node.value.elts, strict=False)
                        if isinstance(t, ast.Name) and t.id == "action" for s in _strings(v)}
    return set()


def _walk_invitations(check: Callable[..., dict[str, Any]], partition: str, org_id: str) -> set[str]:
    """Invite, resend, revoke, accept and decline (each by id and by the link's token) by users, expire
    by the job (its own actor); returns the actions checked here without ``check`` (their change returns
    no handle to wrap)."""
    from orgplane import clock
    from orgplane.models.invitations import CreateInvitation, InvitationToken
    from orgplane.services import expiry, invitation_links, invitations
    from orgplane.store import table

    dan, erin, hana, ivan = (world.caller(name) for name in ("dan", "erin", "hana", "ivan"))
    ids: dict[str, str] = {}

    def invite(email: str, **fields: Any) -> None:
        ids[email] = invitations.create(alice, org_id, CreateInvitation(email=email, **fields)).id

    def link(email: str) -> InvitationToken:
        """The token of the invitation's email link, as the invitee brings it back."""
        invitation_id = ids[email]
        nonce = (table.get(keys.invitation("demo", org_id, invitation_id)) or {})["nonce"]
        return InvitationToken(token=invitation_links.token("demo", org_id, invitation_id, nonce))

    def only_new(before: dict[str, dict[str, Any]]) -> dict[str, Any]:
        (event,) = [e for i, e in events_of(partition).items() if i not in before]
        return event

    before = events_of(partition)
    invite("dan@example.com")
    created = only_new(before)
    assert (created["action"], created["target"]["id"], created["actor"]["user_id"]) == (
        "invitation.created", ids["dan@example.com"], "alice")
    check(partition, alice, "invitation.resent", ("invitation", ids["dan@example.com"]),
          lambda: invitations.resend(alice, org_id, ids["dan@example.com"]))
    check(partition, dan, "invitation.accepted", ("invitation", ids["dan@example.com"]),
          lambda: invitations.accept_by_id(dan, ids["dan@example.com"]))
    invite("erin@example.com")
    check(partition, erin, "invitation.declined", ("invitation", ids["erin@example.com"]),
          lambda: invitations.decline_by_id(erin, ids["erin@example.com"]))
    # the same two actions by the link's token: the other path of each, with its own event
    invite("hana@example.com")
    check(partition, hana, "invitation.accepted", ("invitation", ids["hana@example.com"]),
          lambda: invitations.accept_by_token(hana, link("hana@example.com")))
    invite("ivan@example.com")
    check(partition, ivan, "invitation.declined", ("invitation", ids["ivan@example.com"]),
          lambda: invitations.decline_by_token(ivan, link("ivan@example.com")))
    invite("frank@example.com")
    check(partition, alice, "invitation.revoked", ("invitation", ids["frank@example.com"]),
          lambda: invitations.revoke(alice, org_id, ids["frank@example.com"]))
    invite("gina@example.com", expires_in_seconds=300)
    clock.advance(301)
    before = events_of(partition)
    assert expiry.run() == 1
    expired = only_new(before)
    assert (expired["action"], expired["target"]["id"], expired["actor"]["user_id"]) == (
        "invitation.expired", ids["gina@example.com"], invitations.EXPIRY_ACTOR)
    return {"invitation.created", "invitation.expired"}


def _walk_webhooks(check: Callable[..., dict[str, Any]]) -> None:
    """Endpoint changes are app-level events; the disabling is the system's, after 5 days failing."""
    from orgplane import clock
    from orgplane.models.webhooks import CreateWebhook, UpdateWebhook
    from orgplane.services import webhooks
    from orgplane.store import table
    from orgplane.webhooks import url_guard
    from orgplane.webhooks.schedule import DISABLE_AFTER_SECONDS

    partition = keys.app_audit_pk("demo")
    real = url_guard.RESOLVER
    url_guard.RESOLVER = lambda host, port: ["93.184.215.14"]
    try:
        created: dict[str, str] = {}

        def create() -> None:
            created["id"] = webhooks.create(sam, CreateWebhook(url="https://hooks.example.com/in")).id

        check(partition, sam, "webhook.created", ("webhook", None), create)
        webhook_id = created["id"]
        check(partition, sam, "webhook.updated", ("webhook", webhook_id),
              lambda: webhooks.update(sam, webhook_id, UpdateWebhook(types=["org.created"])))
        check(partition, sam, "webhook.secret_rotated", ("webhook", webhook_id),
              lambda: webhooks.rotate_secret(sam, webhook_id))
        endpoint = table.get(keys.webhook("demo", webhook_id)) or {}
        endpoint["failing_since"] = int(clock.timestamp()) - DISABLE_AFTER_SECONDS - 1
        system = Caller(app_id="demo", user_id=webhooks.SYSTEM_ACTOR, email=None, email_verified=False,
                        support=False, request_id=f"webhooks-disable-{webhook_id}")
        check(partition, system, "webhook.disabled", ("webhook", webhook_id),
              lambda: webhooks._endpoint_health(endpoint, False, clock.timestamp()))
        check(partition, sam, "webhook.deleted", ("webhook", webhook_id), lambda: webhooks.delete(sam, webhook_id))
    finally:
        url_guard.RESOLVER = real
