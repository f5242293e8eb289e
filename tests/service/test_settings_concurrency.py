"""Settings and custom-role holder counts under real threads (also run against DynamoDB Local)."""

from __future__ import annotations

from collections.abc import Callable

from orgplane.models.members import UpdateMember
from orgplane.models.orgs import CreateOrg
from orgplane.models.settings import UpdateSettings
from orgplane.services import members, orgs, role_usage, settings_admin
from tests.support import world
from tests.support.race import race

alice = world.caller("alice")
sam = world.caller("sam", support=True)
AUDITOR = {"auditor": {"permissions": ["org:read", "audit:read"]}}


def assign(org_id: str, user_id: str, role: str) -> Callable[[], object]:
    return lambda: members.update_member(alice, org_id, user_id, UpdateMember(role=role))


def test_a_role_deleted_while_it_is_assigned_never_leaves_a_member_holding_an_undefined_role() -> None:
    for round_ in range(4):
        settings_admin.patch(sam, UpdateSettings.model_validate({"roles": AUDITOR}))
        org = orgs.create(alice, CreateOrg(name=f"Acme {round_}", slug=f"acme-{round_}"))
        world.add_member(org.id, "bob")
        results = race(lambda: settings_admin.patch(sam, UpdateSettings.model_validate({"roles": {}})),
                       assign(org.id, "bob", "auditor"))
        outcomes = ["ok" if not isinstance(r, str) else r for r in results]
        assert outcomes in (["ok", "validation_error"], ["role_in_use", "ok"]), outcomes
        defined = "auditor" in settings_admin.get(sam).roles
        held = members.get_member(alice, org.id, "bob").role == "auditor"
        assert defined == held
        assert role_usage.holders("demo", "auditor") == (1 if held else None)
        if held:
            members.update_member(alice, org.id, "bob", UpdateMember(role="member"))


def test_racing_assignments_of_a_custom_role_are_all_counted() -> None:
    settings_admin.patch(sam, UpdateSettings.model_validate({"roles": AUDITOR}))
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    users = [f"user{n}" for n in range(6)]
    for user in users:
        world.add_member(org.id, user)
    results = race(*[assign(org.id, user, "auditor") for user in users])
    assert all(not isinstance(r, str) for r in results), results
    assert role_usage.holders("demo", "auditor") == len(users)


def test_racing_patches_of_different_settings_both_apply() -> None:
    results = race(lambda: settings_admin.patch(sam, UpdateSettings(max_orgs_per_user=4)),
                   lambda: settings_admin.patch(sam, UpdateSettings(max_members_per_org=9)))
    assert all(not isinstance(r, str) for r in results), results
    current = settings_admin.get(sam)
    assert (current.max_orgs_per_user, current.max_members_per_org) == (4, 9)
