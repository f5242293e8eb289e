"""The org admin portal: an org admin invites, builds teams; a plain member sees no admin controls."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.console import (
    add_member, assert_accessible, create_org, invitations, open_org, sign_in, token,
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
