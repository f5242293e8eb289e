"""The org admin portal: an org admin invites, builds teams; a plain member sees no admin controls."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.console import (
    add_member,
    assert_accessible,
    create_org,
    invitations,
    open_org,
    sign_in,
    token,
)
from tests.http.client import Client


def test_alice_invites_three_people_in_one_paste(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Paste {unique}")
    sign_in(page, "alice")
    open_org(page, org["id"], "invite")
    emails = [f"p{n}-{unique}@example.com" for n in range(3)]
    page.get_by_label("Email addresses").fill(f"{emails[0]}\n{emails[1]}, {emails[2]}")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("3 of 3 invited.")).to_be_visible()
    results = page.get_by_role("table", name="Invitation results")
    for email in emails:
        expect(results.get_by_role("row", name=f"{email} Invited")).to_be_visible()
    assert_accessible(page, "invite results")
    assert invitations(server, org["id"], "pending") == dict.fromkeys(emails, "pending")


def test_alice_creates_a_team_and_adds_a_member(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Teams {unique}")
    add_member(server, org["id"], "alice", "bob")
    sign_in(page, "alice")
    open_org(page, org["id"], "teams")
    page.get_by_label("Team name").fill(f"Platform {unique}")
    page.get_by_label("Description (optional)").fill("Runs the platform")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text(f"The team Platform {unique} was created.")).to_be_visible()
    panel = page.locator(".team-panel")
    expect(panel.get_by_role("option", name="bob@example.com (bob)")).to_be_attached()
    panel.get_by_label("Org member").select_option("bob")
    panel.get_by_label("Team role").select_option("maintainer")
    panel.get_by_role("button", name="Add to team").click()
    expect(panel.get_by_role("row", name="bob@example.com bob maintainer")).to_be_visible()
    assert_accessible(page, "teams")

    teams = server.get(f"/orgs/{org['id']}/teams", token=token(server, "alice")).json["data"]
    assert [t["name"] for t in teams] == [f"Platform {unique}"]
    team_members = server.get(f"/orgs/{org['id']}/teams/{teams[0]['id']}/members", token=token(server, "alice"))
    assert [(m["user_id"], m["role"]) for m in team_members.json["data"]] == [("bob", "maintainer")]


def test_bob_a_plain_member_sees_the_members_and_no_admin_controls(page: Page, server: Client,
                                                                     unique: str) -> None:
    org = create_org(server, "alice", f"Plain {unique}")
    add_member(server, org["id"], "alice", "bob")
    sign_in(page, "bob")
    expect(page.get_by_role("link", name=f"Plain {unique}")).to_be_visible()
    page.get_by_role("link", name=f"Plain {unique}").click()
    members = page.get_by_role("table", name=f"Members of Plain {unique}")
    expect(members.get_by_role("row", name="alice@example.com alice owner")).to_be_visible()
    expect(members.get_by_role("row", name="bob@example.com bob member")).to_be_visible()
    # no control to change, remove or invite; no areas a member may not read
    expect(page.locator("main select.role-select")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    areas = page.get_by_role("navigation", name="Org areas").get_by_role("link")
    expect(areas).to_have_text(["Members", "Teams"])
    assert_accessible(page, "members as a plain member")
    open_org(page, org["id"], "teams")
    expect(page.get_by_role("button", name="Create team")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    # and the API still refuses what is not shown
    refused = server.patch(f"/orgs/{org['id']}/members/alice", token=token(server, "bob"), json={"role": "member"})
    assert refused.status == 403 and refused.code == "forbidden"


def test_switching_org_and_creating_one_from_the_portal(page: Page, server: Client, unique: str) -> None:
    sign_in(page, "carol")
    expect(page.get_by_role("heading", name="Your orgs")).to_be_visible()
    assert_accessible(page, "your orgs")
    page.get_by_label("New org name").fill(f"Carol One {unique}")
    page.get_by_role("button", name="Create org").click()
    expect(page.get_by_role("heading", name=f"Carol One {unique}", level=1)).to_be_visible()
    page.goto("/console/#/orgs")  # same document: the in-memory session stays
    page.get_by_label("New org name").fill(f"Carol Two {unique}")
    page.get_by_role("button", name="Create org").click()
    expect(page.get_by_role("heading", name=f"Carol Two {unique}", level=1)).to_be_visible()
    page.get_by_label("Switch org").select_option(label=f"Carol One {unique} (owner)")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", name=f"Carol One {unique}", level=1)).to_be_visible()
    names = {o["name"] for o in server.get("/orgs?limit=100", token=token(server, "carol")).json["data"]}
    assert {f"Carol One {unique}", f"Carol Two {unique}"} <= names


def test_bob_accepts_an_invitation_from_the_portal(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Welcome {unique}")
    invited = server.post(f"/orgs/{org['id']}/invitations", token=token(server, "alice"),
                          json={"email": "bob@example.com", "role": "admin"})
    assert invited.status == 201
    sign_in(page, "bob")
    invitations = page.get_by_role("table", name="Invitations for you")
    expect(invitations.get_by_role("row", name=f"Welcome {unique} admin")).to_be_visible()
    assert_accessible(page, "invitations for you")
    page.get_by_role("button", name=f"Accept the invitation to Welcome {unique}").click()
    expect(page.get_by_text(f"You joined Welcome {unique}.")).to_be_visible()
    expect(page.get_by_role("link", name=f"Welcome {unique}")).to_be_visible()
    expect(invitations.get_by_role("row", name=f"Welcome {unique} admin")).to_have_count(0)
    members = server.get(f"/orgs/{org['id']}/members", token=token(server, "alice")).json["data"]
    assert {m["user_id"]: m["role"] for m in members}["bob"] == "admin"


def test_a_custom_role_shows_exactly_what_its_permissions_allow(page: Page, server: Client, unique: str) -> None:
    role = f"viewer{unique}"
    support = token(server, "sam", support=True)
    roles = server.get("/admin/settings", token=support).json["roles"]
    patched = server.patch("/admin/settings", token=support, json={"roles": {
        **roles, role: {"permissions": ["org:read", "member:read", "invitation:read", "audit:read"]}}})
    assert patched.status == 200, patched
    org = create_org(server, "alice", f"Viewer {unique}")
    add_member(server, org["id"], "alice", "carol", role=role)
    server.post(f"/orgs/{org['id']}/invitations", token=token(server, "alice"), json={"email": f"v-{unique}@example.com"})

    sign_in(page, "carol")
    open_org(page, org["id"], "members")
    areas = page.get_by_role("navigation", name="Org areas").get_by_role("link")
    expect(areas).to_have_text(["Members", "Invitations", "Invite links", "Teams", "Activity"])
    expect(page.get_by_text(f"your role: {role}")).to_be_visible()
    expect(page.locator("main select.role-select")).to_have_count(0)
    open_org(page, org["id"], "invitations")
    expect(page.get_by_role("row", name=f"v-{unique}@example.com")).to_be_visible()
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
    expect(page.get_by_role("button", name="Resend")).to_have_count(0)
    open_org(page, org["id"], "activity")
    expect(page.get_by_role("row", name="invitation.accepted")).to_contain_text("carol@example.com")
    assert_accessible(page, "activity as a custom role")
    refused = server.delete(f"/orgs/{org['id']}/invitations/{invitations_ids(server, org['id'])[0]}",
                            token=token(server, "carol"))
    assert refused.status == 403


def invitations_ids(server: Client, org_id: str) -> list[str]:
    response = server.get(f"/orgs/{org_id}/invitations?status=pending", token=token(server, "alice"))
    return [i["id"] for i in response.json["data"]]


def test_alice_renames_a_team(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Rename {unique}")
    team = server.post(f"/orgs/{org['id']}/teams", token=token(server, "alice"),
                       json={"name": "Ops", "description": "on call"}).json
    sign_in(page, "alice")
    open_org(page, org["id"], "teams")
    page.get_by_role("button", name="Open the team Ops").click()
    panel = page.locator(".team-panel")
    panel.get_by_label("Name", exact=True).fill(f"Operations {unique}")
    panel.get_by_label("Description", exact=True).fill("")
    panel.get_by_role("button", name="Save team").click()
    expect(page.get_by_text(f"The team Operations {unique} was saved.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Open the team Operations {unique}")).to_be_visible()
    saved = server.get(f"/orgs/{org['id']}/teams/{team['id']}", token=token(server, "alice")).json
    assert (saved["name"], saved["description"]) == (f"Operations {unique}", "")
