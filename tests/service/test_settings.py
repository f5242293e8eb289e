"""App settings: support-only reads and changes, validation, custom roles and their exact holder counts."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from orgplane import clock, keys
from orgplane.models.audit import AppAuditQuery
from orgplane.models.invitations import CreateInvitation, ListInvitationsQuery
from orgplane.models.members import ListMembersQuery, UpdateMember
from orgplane.models.orgs import CreateOrg
from orgplane.models.settings import UpdateSettings
from orgplane.services import audit_queries, cleanup, invitations, members, orgs, role_usage, settings_admin
from orgplane.services import settings as app_settings
from orgplane.store import records, table
from tests.support import world
from tests.support.world import code_of

alice = world.caller("alice")
bob = world.caller("bob")
sam = world.caller("sam", support=True)
AUDITOR = {"auditor": {"permissions": ["org:read", "member:read", "audit:read"]}}



def patch(**values: Any) -> Any:
    return settings_admin.patch(sam, UpdateSettings.model_validate(values))


def invalid_fields(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        UpdateSettings.model_validate(values)
    return [".".join(str(p) for p in e["loc"]) for e in caught.value.errors()]


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id


def test_settings_of_an_unconfigured_app_are_the_defaults() -> None:
    current = settings_admin.get(sam)
    assert current.invitation_ttl_seconds == 7 * 24 * 3600 and current.audit_retention_days == 365
    assert current.max_members_per_org is None and current.max_orgs_per_user is None
    assert current.max_teams_per_org is None and current.roles == {}


def test_only_support_staff_read_or_change_settings() -> None:
    assert code_of(lambda: settings_admin.get(alice)) == "forbidden"
    assert code_of(lambda: settings_admin.patch(alice, UpdateSettings(max_orgs_per_user=1))) == "forbidden"
    assert settings_admin.get(sam).max_orgs_per_user is None


def test_patch_changes_only_the_fields_given() -> None:
    patch(max_members_per_org=10, invitation_ttl_seconds=3600)
    patch(max_orgs_per_user=3)
    current = settings_admin.get(sam)
    assert (current.max_members_per_org, current.max_orgs_per_user, current.invitation_ttl_seconds) == (10, 3, 3600)


def test_a_null_limit_means_unlimited_again() -> None:
    patch(max_members_per_org=10)
    patch(max_members_per_org=None)
    assert settings_admin.get(sam).max_members_per_org is None


def test_invitation_email_fields_merge_and_null_restores_the_default() -> None:
    patch(invitation_email={"from": "Acme <no-reply@acme.test>", "subject": "Join us"})
    patch(invitation_email={"accept_url": "https://app.acme.test/accept?token={token}", "subject": None})
    email = settings_admin.get(sam).invitation_email
    assert email.from_ == "Acme <no-reply@acme.test>" and email.subject is None
    assert email.accept_url == "https://app.acme.test/accept?token={token}"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, ""),
        ({"invitation_ttl_seconds": 10}, "invitation_ttl_seconds"),
        ({"invitation_ttl_seconds": None}, ""),
        ({"invitation_ttl_seconds": "3600"}, "invitation_ttl_seconds"),
        ({"max_members_per_org": 0}, "max_members_per_org"),
        ({"max_orgs_per_user": True}, "max_orgs_per_user"),
        ({"max_teams_per_org": 10_000_000}, "max_teams_per_org"),
        ({"audit_retention_days": 0}, "audit_retention_days"),
        ({"audit_retention_days": 5000}, "audit_retention_days"),
        ({"roles": None}, ""),
        ({"roles": {"owner": {"permissions": ["org:read"]}}}, "roles"),
        ({"roles": {"member": {"permissions": []}}}, "roles"),
        ({"roles": {"auditor": {"permissions": ["org:read", "root:everything"]}}}, "roles"),
        ({"roles": {"auditor": {"permissions": ["org:read", "org:read"]}}}, "roles"),
        ({"roles": {"Auditor": {"permissions": ["org:read"]}}}, "roles"),
        ({"roles": {"auditor": {"permissions": ["org:read"], "extra": 1}}}, "roles"),
        ({"roles": {f"r{n}": {"permissions": []} for n in range(41)}}, "roles"),
        ({"invitation_email": {"accept_url": "http://app.acme.test/accept?token={token}"}}, "invitation_email"),
        ({"invitation_email": {"accept_url": "https://app.acme.test/accept"}}, "invitation_email"),
        ({"invitation_email": {"accept_url": "javascript:alert(1)//{token}"}}, "invitation_email"),
        ({"invitation_email": {"from": "not an address"}}, "invitation_email"),
        ({"invitation_email": {"reply_to": "x@acme.test"}}, "invitation_email"),
        ({"unknown_setting": 1}, "unknown_setting"),
    ],
)
def test_invalid_settings_are_refused_field_by_field(values: dict[str, Any], field: str) -> None:
    assert any(f.startswith(field) for f in invalid_fields(values))


@pytest.mark.parametrize("url", ["http://localhost:3000/accept?token={token}",
                                 "http://127.0.0.1/accept/{token}", "https://app.acme.test/a?t={token}"])
def test_accept_url_is_https_or_local_http_with_a_token_slot(url: str) -> None:
    assert patch(invitation_email={"accept_url": url}).invitation_email.accept_url == url


def test_a_settings_change_is_audited_at_app_level_with_what_changed() -> None:
    patch(max_orgs_per_user=5, roles=AUDITOR)
    events = audit_queries.list_for_app(sam, AppAuditQuery(action="settings.updated")).data
    assert len(events) == 1
    event = events[0]
    assert event.org_id is None and event.target.type == "settings" and event.target.id == "demo"
    assert event.actor.user_id == "sam" and event.actor.support is True
    assert event.details["max_orgs_per_user"] == {"from": None, "to": 5}
    assert event.details["roles"] == {"added": ["auditor"], "removed": [], "changed": []}


def test_a_patch_that_changes_nothing_writes_nothing() -> None:
    patch(max_orgs_per_user=5)
    patch(max_orgs_per_user=5)
    assert len(audit_queries.list_for_app(sam, AppAuditQuery()).data) == 1


def test_audit_events_expire_after_the_retention_setting() -> None:
    patch(audit_retention_days=30)
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    event = world.items_of(keys.audit_pk("demo", org.id))[0]
    assert 29 * 86400 < event["ttl"] - clock.timestamp() <= 30 * 86400


def test_functions_read_settings_through_the_cache_and_a_patch_refreshes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETTINGS_CACHE_SECONDS", "300")
    from orgplane import config

    config.reset()
    app_settings.forget()
    assert app_settings.load("demo").max_orgs_per_user is None
    table.put({**keys.settings("demo"), "entity": "SETTINGS", "max_orgs_per_user": 9})
    assert app_settings.load("demo").max_orgs_per_user is None  # a write behind the cache is not seen yet
    patch(max_orgs_per_user=2)
    assert app_settings.load("demo").max_orgs_per_user == 2


def test_settings_of_one_app_are_not_another_apps() -> None:
    patch(max_orgs_per_user=1, roles=AUDITOR)
    other_support = world.caller("olga", app_id="other", support=True)
    assert settings_admin.get(other_support).max_orgs_per_user is None
    assert settings_admin.get(other_support).roles == {}


# --- custom roles -------------------------------------------------------------------------------


def test_built_in_roles_cannot_be_redefined() -> None:
    assert "roles" in invalid_fields({"roles": {"admin": {"permissions": ["org:read"]}}})


def test_a_custom_role_works_like_a_built_in_one(org_id: str) -> None:
    patch(roles=AUDITOR)
    world.add_member(org_id, "bob")
    assert members.update_member(alice, org_id, "bob", UpdateMember(role="auditor")).role == "auditor"
    view = members.permissions(bob, org_id)
    assert view.role == "auditor" and view.permissions == ["org:read", "member:read", "audit:read"]
    assert [m.user_id for m in members.list_members(bob, org_id, ListMembersQuery(role="auditor")).data] == ["bob"]
    assert code_of(lambda: members.remove_member(bob, org_id, "alice")) == "forbidden"


def test_a_custom_role_cannot_be_used_to_escalate(org_id: str) -> None:
    patch(roles={"remover": {"permissions": ["org:read", "member:read", "member:update", "member:remove"]},
                 "deleter": {"permissions": ["org:read", "org:delete"]}})
    world.add_member(org_id, "bob", role="remover")
    world.add_member(org_id, "carol")
    assert code_of(lambda: members.update_member(bob, org_id, "carol", UpdateMember(role="deleter"))) == "forbidden"
    assert code_of(lambda: members.update_member(bob, org_id, "carol", UpdateMember(role="admin"))) == "forbidden"
    assert members.update_member(bob, org_id, "carol", UpdateMember(role="remover")).role == "remover"


RECRUITING = {
    "recruiter": {"permissions": ["org:read", "member:read", "invitation:read", "member:invite"]},
    "viewer": {"permissions": ["org:read"]},
    **AUDITOR,  # org:read, member:read and audit:read: one permission a recruiter lacks
}


@pytest.mark.parametrize("role", ["auditor", "admin", "owner"])
def test_a_custom_role_that_may_invite_cannot_invite_to_a_role_above_it(org_id: str, role: str) -> None:
    patch(roles=RECRUITING)
    world.add_member(org_id, "bob", role="recruiter")
    org_before = table.get(keys.org("demo", org_id))
    holders_before = {name: role_usage.holders("demo", name) for name in RECRUITING}
    refused = code_of(lambda: invitations.create(bob, org_id, CreateInvitation(email="dave@example.com", role=role)))
    assert refused == "forbidden"
    assert invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data == []
    assert table.get(keys.email_claim("demo", org_id, records.email_key("dave@example.com"))) is None
    assert table.get(keys.org("demo", org_id)) == org_before
    assert {name: role_usage.holders("demo", name) for name in RECRUITING} == holders_before
    assert [e["action"] for e in world.items_of(keys.audit_pk("demo", org_id))] == ["org.created", "member.added"]


@pytest.mark.parametrize("role", ["member", "viewer", "recruiter"])
def test_a_custom_role_that_may_invite_invites_to_a_role_within_its_permissions(org_id: str, role: str) -> None:
    patch(roles=RECRUITING)
    world.add_member(org_id, "bob", role="recruiter")
    invitation = invitations.create(bob, org_id, CreateInvitation(email="dave@example.com", role=role))
    assert invitation.role == role and invitation.status == "pending" and invitation.invited_by == "bob"
    assert [i.id for i in invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data] == [invitation.id]
    if role in RECRUITING:  # the pending invitation holds its custom role
        assert role_usage.holders("demo", role) == (2 if role == "recruiter" else 1)


def test_a_custom_role_without_member_invite_cannot_invite_at_all(org_id: str) -> None:
    patch(roles=RECRUITING)
    world.add_member(org_id, "bob", role="auditor")
    assert code_of(lambda: invitations.create(bob, org_id, CreateInvitation(email="dave@example.com",
                                                                            role="member"))) == "forbidden"
    assert invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data == []


def test_a_custom_role_that_may_invite_cannot_resend_an_invitation_to_a_role_above_it(org_id: str) -> None:
    patch(roles=RECRUITING)
    world.add_member(org_id, "bob", role="recruiter")
    above = invitations.create(alice, org_id, CreateInvitation(email="dave@example.com", role="auditor"))
    within = invitations.create(alice, org_id, CreateInvitation(email="erin@example.com", role="viewer"))
    nonce = (table.get(keys.invitation("demo", org_id, above.id)) or {})["nonce"]
    assert code_of(lambda: invitations.resend(bob, org_id, above.id)) == "forbidden"
    assert (table.get(keys.invitation("demo", org_id, above.id)) or {})["nonce"] == nonce
    assert invitations.get(alice, org_id, above.id).expires_at == above.expires_at
    assert invitations.resend(bob, org_id, within.id).status == "pending"


def test_role_holder_counts_follow_every_assignment_and_release(org_id: str) -> None:
    patch(roles=AUDITOR)
    assert role_usage.holders("demo", "auditor") == 0
    world.add_member(org_id, "bob", role="auditor")
    world.add_member(org_id, "carol")
    members.update_member(alice, org_id, "carol", UpdateMember(role="auditor"))
    assert role_usage.holders("demo", "auditor") == 2
    members.update_member(alice, org_id, "carol", UpdateMember(role="admin"))
    members.remove_member(bob, org_id, "me")
    assert role_usage.holders("demo", "auditor") == 0


def test_a_role_in_use_cannot_be_deleted(org_id: str) -> None:
    patch(roles=AUDITOR)
    world.add_member(org_id, "bob", role="auditor")
    assert code_of(lambda: patch(roles={}, max_orgs_per_user=3)) == "role_in_use"
    current = settings_admin.get(sam)
    assert "auditor" in current.roles and current.max_orgs_per_user is None


def test_a_role_nobody_holds_any_more_can_be_deleted(org_id: str) -> None:
    patch(roles=AUDITOR)
    world.add_member(org_id, "bob", role="auditor")
    members.update_member(alice, org_id, "bob", UpdateMember(role="member"))
    assert patch(roles={}).roles == {}
    assert role_usage.holders("demo", "auditor") is None
    assert code_of(lambda: members.update_member(alice, org_id, "bob", UpdateMember(role="auditor"))) == \
        "validation_error"


def test_redefining_a_held_role_keeps_its_holder_count(org_id: str) -> None:
    patch(roles=AUDITOR)
    world.add_member(org_id, "bob", role="auditor")
    patch(roles={"auditor": {"permissions": ["org:read"]}, "viewer": {"permissions": ["org:read"]}})
    assert role_usage.holders("demo", "auditor") == 1 and role_usage.holders("demo", "viewer") == 0
    assert members.permissions(bob, org_id).permissions == ["org:read"]


def test_assigning_a_role_deleted_behind_a_stale_cache_is_refused(org_id: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    patch(roles=AUDITOR)
    world.add_member(org_id, "bob")
    stale = app_settings.load("demo")
    patch(roles={})
    # a function whose cached settings still define the role: the counter guard refuses at write time
    monkeypatch.setattr(app_settings, "load", lambda app_id: stale)
    assert code_of(lambda: members.update_member(alice, org_id, "bob", UpdateMember(role="auditor"))) == \
        "validation_error"
    assert members.get_member(alice, org_id, "bob").role == "member"


def test_cleanup_of_a_deleted_org_releases_its_members_roles(org_id: str) -> None:
    patch(roles=AUDITOR, org_restore_days=0)
    world.add_member(org_id, "bob", role="auditor")
    orgs.delete(alice, org_id)
    assert code_of(lambda: patch(roles={})) == "role_in_use"
    while cleanup.run_batch("demo", org_id) > 0:
        pass
    assert role_usage.holders("demo", "auditor") == 0
    assert patch(roles={}).roles == {}


def test_cleanup_releases_the_roles_of_pending_invitations(org_id: str) -> None:
    patch(roles=AUDITOR, org_restore_days=0)
    # a pending invitation holding the role, written the way the invitations service does
    from orgplane.store.transaction import Transaction

    tx = Transaction()
    tx.put({**keys.invitation("demo", org_id, "inv_01JD0000000000000000000000"), "entity": "INVITE",
            "status": "pending", "role": "auditor", "org_id": org_id, "email": "dave@example.com"})
    role_usage.hold(tx, "demo", "auditor", +1)
    tx.commit()
    assert code_of(lambda: patch(roles={})) == "role_in_use"
    orgs.delete(alice, org_id)
    while cleanup.run_batch("demo", org_id) > 0:
        pass
    assert role_usage.holders("demo", "auditor") == 0


def _policy(org_id: str, mode: str, role: str = "member") -> None:
    from orgplane.models.orgs import DomainJoin, UpdateOrg

    orgs.update(alice, org_id, UpdateOrg(domain_join=DomainJoin(mode=mode, role=role)))  # type: ignore[arg-type]


def test_a_role_an_orgs_domain_join_policy_grants_cannot_be_deleted_until_the_policy_lets_go(org_id: str) -> None:
    patch(roles={**AUDITOR, "viewer": {"permissions": ["org:read"]}})
    _policy(org_id, "request", "auditor")
    assert role_usage.holders("demo", "auditor") == 1
    assert code_of(lambda: patch(roles={"viewer": {"permissions": ["org:read"]}})) == "role_in_use"
    _policy(org_id, "auto", "auditor")  # the same role, another mode: counted once
    assert role_usage.holders("demo", "auditor") == 1
    _policy(org_id, "auto", "viewer")  # the hold moves with the role
    assert (role_usage.holders("demo", "auditor"), role_usage.holders("demo", "viewer")) == (0, 1)
    _policy(org_id, "off", "viewer")  # an off policy grants nothing: it holds nothing
    assert role_usage.holders("demo", "viewer") == 0
    assert patch(roles={}).roles == {}


def test_a_policy_whose_role_was_deleted_meanwhile_is_refused(org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    patch(roles=AUDITOR)
    stale = app_settings.load("demo")
    patch(roles={})
    monkeypatch.setattr(app_settings, "load", lambda app_id: stale)  # a function whose cache still has it
    assert code_of(lambda: _policy(org_id, "auto", "auditor")) == "validation_error"
    assert orgs.get(alice, org_id).domain_join.mode == "off"


def test_a_deleted_orgs_policy_holds_its_role_while_restorable_and_lets_go_when_purged(org_id: str) -> None:
    from orgplane.services import expiry

    patch(roles=AUDITOR, org_restore_days=1)
    _policy(org_id, "auto", "auditor")
    orgs.delete(alice, org_id)
    assert code_of(lambda: patch(roles={})) == "role_in_use"  # a restore brings the policy back
    clock.advance(86401)
    assert expiry.run_purges() == 1
    assert role_usage.holders("demo", "auditor") == 0


def test_deleting_an_org_with_no_restore_window_lets_go_of_its_policys_role(org_id: str) -> None:
    patch(roles=AUDITOR, org_restore_days=0)
    _policy(org_id, "request", "auditor")
    orgs.delete(alice, org_id)
    assert role_usage.holders("demo", "auditor") == 0


def test_a_policy_set_before_policies_were_counted_releases_nothing_it_never_held(org_id: str) -> None:
    patch(roles=AUDITOR)
    world.add_member(org_id, "bob", role="auditor")
    org_key = keys.org("demo", org_id)
    table.put({**(table.get(org_key) or {}), "domain_join": {"mode": "auto", "role": "auditor"}})  # as of old
    _policy(org_id, "off")
    assert role_usage.holders("demo", "auditor") == 1  # bob's hold, untouched
    assert code_of(lambda: patch(roles={})) == "role_in_use"


def test_move_between_built_in_roles_touches_no_counter(org_id: str) -> None:
    world.add_member(org_id, "bob")
    members.update_member(alice, org_id, "bob", UpdateMember(role="admin"))
    assert table.get(keys.role_usage("demo", "admin")) is None
    assert table.get(keys.role_usage("demo", "member")) is None


def test_the_stacks_audit_retention_is_the_default_of_apps_without_their_own() -> None:
    import os

    from orgplane import config

    os.environ["AUDIT_RETENTION_DAYS"] = "30"
    config.reset()
    app_settings.forget()
    try:
        assert app_settings.load("demo").audit_retention_days == 30
        world.put_settings("demo", audit_retention_days=90)
        assert app_settings.load("demo").audit_retention_days == 90
    finally:
        os.environ.pop("AUDIT_RETENTION_DAYS")
        config.reset()
        app_settings.forget()
