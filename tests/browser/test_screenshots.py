"""Screenshots of the console's main pages for the README: ``make console-screenshots`` writes them to
docs/console/. Without ``CONSOLE_SCREENSHOTS`` (a folder) the pages are still walked and checked, and
nothing is written."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.console import add_member, assert_accessible, confirm, open_org, sign_in, token
from tests.http.client import Client
from tests.support.receiver import Receiver

TARGET = os.environ.get("CONSOLE_SCREENSHOTS")


def shoot(page: Page, name: str) -> None:
    expect(page.locator(".loading")).to_have_count(0)
    assert_accessible(page, name)
    if TARGET:
        Path(TARGET).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(TARGET) / f"{name}.png"), full_page=True, animations="disabled",
                        caret="hide")


def test_main_pages(page: Page, phone: Page, server: Client, receiver: Receiver) -> None:
    created = server.post("/orgs", token=token(server, "alice"),
                          json={"name": "Acme Robotics", "slug": "acme-robotics-shots"})
    org = created.json if created.status == 201 else next(
        o for o in server.get("/orgs?limit=100", token=token(server, "alice")).json["data"]
        if o["slug"] == "acme-robotics-shots")
    if "bob" not in _members(server, org["id"]):
        add_member(server, org["id"], "alice", "bob")

    page.goto("/console/")
    expect(page.get_by_role("button", name="Sign in as alice")).to_be_visible()
    shoot(page, "sign-in")

    page.get_by_role("button", name="Sign in as alice").click()
    expect(page.get_by_role("heading", name="Your orgs")).to_be_visible()
    open_org(page, org["id"], "invite")
    page.get_by_label("Email addresses").fill("dana@example.com\nerik@example.com, not-an-address")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_role("table", name="Invitation results").locator("tbody tr")).to_have_count(3)
    shoot(page, "portal-invite")

    open_org(page, org["id"], "teams")
    if page.get_by_role("button", name="Open the team Platform").count() == 0:
        page.get_by_label("Team name").fill("Platform")
        page.get_by_label("Description (optional)").fill("Builds and runs the platform")
        page.get_by_role("button", name="Create team").click()
        expect(page.locator(".team-panel")).to_be_visible()
    else:
        page.get_by_role("button", name="Open the team Platform").click()
    shoot(page, "portal-teams")

    sign_in(page, "sam")
    page.get_by_label("Org name or slug starts with").fill("acme")
    page.get_by_role("search", name="Find orgs").get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Acme Robotics")).to_be_visible()
    shoot(page, "support-search")

    open_org(page, org["id"], "members")
    shoot(page, "support-members")
    page.get_by_role("row", name="bob@example.com").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    shoot(page, "support-confirm")
    confirm(page, "Cancel")

    open_org(page, org["id"], "activity")
    shoot(page, "support-activity")

    old = server.post("/orgs", token=token(server, "alice"), json={"name": "Old Ventures"})
    if old.status == 201:
        server.delete(f"/orgs/{old.json['id']}", token=token(server, "alice"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deleted orgs").click()
    expect(page.get_by_role("button", name="Restore Old Ventures").first).to_be_visible()
    shoot(page, "support-deleted-orgs")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill(f"http://127.0.0.1:{receiver.port}/billing")
    page.get_by_label("Event types (optional)").fill("member.added, member.removed, webhook.test")
    page.get_by_label("Description (optional)").fill("Billing seats")
    page.get_by_role("button", name="Add endpoint").click()
    billing = f"http://127.0.0.1:{receiver.port}/billing"
    page.get_by_role("row", name=billing).get_by_role("button", name="Send a test event").click()
    log = page.get_by_role("table", name=f"Deliveries to {billing}")
    expect(log.get_by_role("row", name="webhook.test").locator(".badge")).to_have_text("delivered")
    shoot(page, "support-webhooks")

    page.get_by_role("link", name="App settings").click()
    expect(page.get_by_role("button", name="Save settings")).to_be_visible()
    page.get_by_label("New role name").fill("billing")  # shown, not saved
    page.get_by_role("button", name="Add role").click()
    for permission in ("org:read", "member:read", "audit:read"):
        page.get_by_role("group", name="Role billing").get_by_label(permission).check()
    shoot(page, "support-settings")

    sign_in(phone, "bob")
    phone.get_by_role("link", name="Acme Robotics").click()
    expect(phone.get_by_role("table", name="Members of Acme Robotics")).to_be_visible()
    shoot(phone, "portal-member-phone")


def _members(server: Client, org_id: str) -> set[str]:
    response = server.get(f"/orgs/{org_id}/members", token=token(server, "alice"))
    return {m["user_id"] for m in response.json["data"]}
