"""The support console: find orgs and users, change access, read the activity, edit app settings."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.console import (
    add_member,
    assert_accessible,
    confirm,
    create_org,
    invitations,
    members,
    open_org,
    sign_in,
    token,
)
from tests.http.client import Client


def test_support_finds_an_org_changes_a_role_revokes_an_invitation_and_sees_both(
        page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Support {unique}")
    add_member(server, org["id"], "alice", "bob")
    invite = server.post(f"/orgs/{org['id']}/invitations", token=token(server, "alice"),
                         json={"email": f"dave-{unique}@example.com"})
    assert invite.status == 201

    sign_in(page, "sam")
    expect(page.get_by_role("heading", name="Support console")).to_be_visible()
    page.get_by_label("Org name or slug starts with").fill(f"support {unique}")
    page.get_by_role("search", name="Find orgs").get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Support {unique}").click()

    members_table = page.get_by_role("table", name=f"Members of Support {unique}")
    expect(members_table.get_by_role("row", name="bob@example.com")).to_be_visible()
    assert_accessible(page, "org members as support")
    page.get_by_label("Role of bob@example.com").select_option("admin")
    members_table.get_by_role("row", name="bob@example.com").get_by_role("button", name="Change role").click()
    confirm(page, "Change role")
    expect(page.get_by_text("bob@example.com is now admin.")).to_be_visible()
    assert members(server, org["id"])["bob"] == "admin"

    page.get_by_role("navigation", name="Org areas").get_by_role("link", name="Invitations").click()
    row = page.get_by_role("row", name=f"dave-{unique}@example.com")
    expect(row).to_be_visible()
    assert_accessible(page, "invitations as support")
    row.get_by_role("button", name="Revoke").click()
    confirm(page, "Revoke invitation")
    expect(page.get_by_text(f"The invitation to dave-{unique}@example.com was revoked.")).to_be_visible()
    assert invitations(server, org["id"])[f"dave-{unique}@example.com"] == "revoked"

    page.get_by_role("navigation", name="Org areas").get_by_role("link", name="Activity").click()
    activity = page.get_by_role("table", name=f"Activity in Support {unique}")
    expect(activity.get_by_role("row", name="member.role_changed")).to_contain_text("sam@support.example.com (support)")
    expect(activity.get_by_role("row", name="invitation.revoked")).to_contain_text("sam@support.example.com (support)")
    assert_accessible(page, "activity")


def test_support_resends_an_invitation_and_removes_a_member(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Remove {unique}")
    add_member(server, org["id"], "alice", "bob")
    server.post(f"/orgs/{org['id']}/invitations", token=token(server, "alice"), json={"email": f"erin-{unique}@example.com"})
    sign_in(page, "sam")
    open_org(page, org["id"], "invitations")
    page.get_by_role("row", name=f"erin-{unique}@example.com").get_by_role("button", name="Resend").click()
    confirm(page, "Resend")
    expect(page.get_by_text(f"The invitation to erin-{unique}@example.com was sent again.")).to_be_visible()
    open_org(page, org["id"], "members")
    page.get_by_role("row", name="bob@example.com").get_by_role("button", name="Remove").click()
    confirm(page, "Remove member")
    expect(page.get_by_text("bob@example.com was removed.")).to_be_visible()
    expect(page.get_by_role("row", name="bob@example.com")).to_have_count(0)
    assert "bob" not in members(server, org["id"])
    actions = [e["action"] for e in server.get(f"/orgs/{org['id']}/audit", token=token(server, "alice")).json["data"]]
    assert "invitation.resent" in actions and "member.removed" in actions

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    page.get_by_label("Org id").fill(org["id"])
    page.get_by_role("button", name="Filter").click()
    app_activity = page.get_by_role("table", name="Activity in this app")
    expect(app_activity.get_by_role("row", name="member.removed")).to_contain_text(org["id"])
    expect(app_activity.get_by_role("row", name="invitation.resent")).to_contain_text("sam@support.example.com (support)")
    expect(app_activity.locator("tbody tr")).to_have_count(len(actions))
    assert_accessible(page, "app activity")


def test_an_api_refusal_is_shown_in_words_with_its_code(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Owner {unique}")
    sign_in(page, "sam")
    open_org(page, org["id"], "members")
    page.get_by_label("Role of alice@example.com").select_option("member")
    page.get_by_role("row", name="alice@example.com").get_by_role("button", name="Change role").click()
    confirm(page, "Change role")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("last_owner")
    assert_accessible(page, "an error")
    assert members(server, org["id"])["alice"] == "owner"


def test_cancelling_a_confirmation_changes_nothing(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Cancel {unique}")
    add_member(server, org["id"], "alice", "bob")
    sign_in(page, "sam")
    open_org(page, org["id"], "members")
    page.get_by_role("row", name="bob@example.com").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert "bob" in members(server, org["id"])


def test_support_looks_up_a_user_by_email(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Lookup {unique}")
    add_member(server, org["id"], "alice", "bob")
    sign_in(page, "sam")
    page.get_by_label("Email starts with").fill("bob@")
    page.get_by_role("search", name="Find users").get_by_role("button", name="Search").click()
    page.get_by_role("link", name="bob@example.com").click()
    expect(page.get_by_role("heading", name="User bob", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=f"Lookup {unique}")).to_be_visible()
    assert_accessible(page, "user lookup")


def test_support_adds_a_custom_role_as_a_permission_checklist(page: Page, server: Client, unique: str) -> None:
    role = f"auditor{unique}"
    sign_in(page, "sam")
    page.get_by_role("link", name="App settings").click()
    expect(page.get_by_role("heading", name="App settings")).to_be_visible()
    page.get_by_label("New role name").fill(role)
    page.get_by_role("button", name="Add role").click()
    group = page.get_by_role("group", name=f"Role {role}")
    group.get_by_label("audit:read").check()
    group.get_by_label("member:read").check()
    assert_accessible(page, "settings")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    settings = server.get("/admin/settings", token=token(server, "sam", support=True)).json
    assert sorted(settings["roles"][role]["permissions"]) == ["audit:read", "member:read"]
    # the role now shows in an org's role choices
    org = create_org(server, "alice", f"Roles {unique}")
    open_org(page, org["id"], "members")
    expect(page.get_by_label("Role of alice@example.com").get_by_role("option", name=role)).to_be_attached()
    # and removing it again
    page.get_by_role("link", name="App settings").click()
    page.get_by_role("button", name=f"Remove role {role}").click()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    assert role not in server.get("/admin/settings", token=token(server, "sam", support=True)).json["roles"]


def test_support_staff_of_another_app_see_nothing_of_demo(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Hidden {unique}")
    sign_in(page, "otto")
    page.get_by_label("Org name or slug starts with").fill(f"hidden {unique}")
    page.get_by_role("search", name="Find orgs").get_by_role("button", name="Search").click()
    expect(page.get_by_text(f"No org's name or slug starts with “hidden {unique}”.")).to_be_visible()
    page.get_by_label("Email starts with").fill("alice@")
    page.get_by_role("search", name="Find users").get_by_role("button", name="Search").click()
    expect(page.get_by_text("No user's email starts with “alice@”.")).to_be_visible()
    open_org_error = f"#/orgs/{org['id']}"
    page.evaluate("hash => { location.hash = hash; }", open_org_error)
    expect(page.get_by_role("alert")).to_contain_text("org_not_found")
    expect(page.get_by_text("alice@example.com")).to_have_count(0)
    assert_accessible(page, "another app's org")


def test_support_restores_a_deleted_org_under_a_new_slug_when_its_own_was_taken(
        page: Page, server: Client, unique: str) -> None:
    slug = f"gone-{unique}"
    alice = token(server, "alice")
    gone = server.post("/orgs", token=alice, json={"name": f"Gone {unique}", "slug": slug}).json
    add_member(server, gone["id"], "alice", "bob")
    assert server.delete(f"/orgs/{gone['id']}", token=alice).status == 204
    assert server.post("/orgs", token=alice, json={"name": f"Squatter {unique}", "slug": slug}).status == 201

    sign_in(page, "sam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deleted orgs").click()
    page.get_by_label("Name or slug starts with").fill(f"gone {unique}")
    page.get_by_role("search", name="Find deleted orgs").get_by_role("button", name="Search").click()
    row = page.get_by_role("row", name=f"Gone {unique}")
    expect(row).to_be_visible()
    assert_accessible(page, "deleted orgs")
    page.get_by_role("button", name=f"Restore Gone {unique}").click()
    confirm(page, "Restore org")
    expect(page.get_by_role("alert")).to_contain_text("slug_taken")
    page.get_by_label(f"New slug for Gone {unique} (optional)").fill(f"back-{unique}")
    page.get_by_role("button", name=f"Restore Gone {unique}").click()
    confirm(page, "Restore org")
    expect(page.get_by_text(f"Gone {unique} was restored.")).to_be_visible()
    expect(row).to_have_count(0)
    page.get_by_role("link", name=f"Open Gone {unique}").click()
    expect(page.get_by_role("heading", name=f"Gone {unique}", level=1)).to_be_visible()

    restored = server.get(f"/orgs/{gone['id']}", token=alice)
    assert restored.status == 200 and restored.json["slug"] == f"back-{unique}"
    assert members(server, gone["id"]) == {"alice": "owner", "bob": "member"}
