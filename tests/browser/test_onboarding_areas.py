"""An org's onboarding areas in the console: invite links (the URL shown once, revoke), domains (the TXT
record to publish, verify, remove), join requests (listed by status)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.console import assert_accessible, confirm, create_org, open_org, sign_in, token
from tests.http.client import Client


def test_an_owner_creates_and_revokes_an_invite_link(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Links {unique}")
    sign_in(page, "alice")
    open_org(page, org["id"], "invite-links")
    expect(page.get_by_text("No invite links yet.")).to_be_visible()
    page.get_by_label("Most uses (optional)").fill("2")
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_label("Invite link URL")).to_have_value(re.compile(r"\S+"))
    row = page.get_by_role("table", name=f"Invite links of Links {unique}").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("0 of 2")
    assert_accessible(page, "invite links")
    row.get_by_role("button", name="Revoke").click()
    confirm(page, "Revoke link")
    expect(page.get_by_text("The invite link was revoked.")).to_be_visible()
    expect(row.locator(".badge")).to_have_text("revoked")
    links = server.get(f"/orgs/{org['id']}/invite-links", token=token(server, "alice")).json["data"]
    assert [link["status"] for link in links] == ["revoked"]


def test_an_owner_adds_verifies_and_removes_a_domain(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Domains {unique}")
    domain = f"acme-{unique}.com"
    sign_in(page, "alice")
    open_org(page, org["id"], "domains")
    page.get_by_label("Domain", exact=True).fill(domain)
    page.get_by_role("button", name="Add domain").click()
    row = page.get_by_role("table", name=f"Domains of Domains {unique}").get_by_role("row", name=domain)
    expect(row.locator(".badge")).to_have_text("pending")
    assert_accessible(page, "domains")
    page.get_by_role("button", name=f"Verify {domain}").click()
    expect(page.get_by_role("alert")).to_contain_text("domain_not_verified")
    record = server.get(f"/orgs/{org['id']}/domains/{domain}", token=token(server, "alice")).json["verification"]
    assert record["value"] in row.inner_text()
    published = server.post("/_local/dns", json={"name": record["name"], "type": "TXT", "value": record["value"]})
    assert published.status in (200, 201, 204), published
    page.get_by_role("button", name=f"Verify {domain}").click()
    expect(page.get_by_text(f"{domain} is verified.")).to_be_visible()
    expect(row.locator(".badge")).to_have_text("verified")
    page.get_by_role("button", name=f"Remove {domain}").click()
    confirm(page, "Remove domain")
    expect(page.get_by_text(f"{domain} was removed.")).to_be_visible()
    expect(row).to_have_count(0)


def test_join_requests_are_listed_by_status(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Joins {unique}")
    sign_in(page, "alice")
    open_org(page, org["id"], "join-requests")
    expect(page.get_by_text("No pending join requests.")).to_be_visible()
    page.get_by_label("Filter by status").select_option("")
    expect(page.get_by_text("No join requests yet.")).to_be_visible()
    assert_accessible(page, "join requests")


def test_an_owner_lets_a_domain_ask_to_join_and_approves_a_request(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Asks {unique}")
    alice = token(server, "alice")
    domain = f"asks-{unique}.com"
    record = server.post(f"/orgs/{org['id']}/domains", token=alice, json={"domain": domain}).json["verification"]
    server.post("/_local/dns", json={"name": record["name"], "type": "TXT", "value": record["value"]})
    assert server.post(f"/orgs/{org['id']}/domains/{domain}/verify", token=alice).status == 200

    sign_in(page, "alice")
    open_org(page, org["id"], "domains")
    page.get_by_label("People with a verified email of a verified domain").select_option("request")
    page.get_by_role("button", name="Save join policy").click()
    expect(page.get_by_text("The join policy was saved.")).to_be_visible()
    assert server.get(f"/orgs/{org['id']}", token=alice).json["domain_join"]["mode"] == "request"

    joiner = server.token(sub=f"j{unique}", email=f"jo@{domain}")
    asked = server.post(f"/orgs/{org['id']}/join", token=joiner)
    assert asked.status == 202, asked
    open_org(page, org["id"], "join-requests")
    page.get_by_role("button", name=f"Approve jo@{domain}").click()
    confirm(page, "Approve")
    expect(page.get_by_text(f"jo@{domain}'s request was approved.")).to_be_visible()
    expect(page.get_by_text("No pending join requests.")).to_be_visible()
    assert_accessible(page, "join requests after approval")
    members = server.get(f"/orgs/{org['id']}/members", token=alice).json["data"]
    assert {m["user_id"]: m["role"] for m in members}[f"j{unique}"] == "member"
