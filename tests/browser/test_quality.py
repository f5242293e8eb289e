"""What every page owes its user: pagination, small screens, the keyboard, and no call to a route
that does not exist (the areas whose API has not landed are absent, not broken)."""

from __future__ import annotations

import base64
import hashlib
import re

from playwright.sync_api import Page, expect

from tests.browser.console import assert_accessible, create_org, open_org, sign_in, token
from tests.http.client import Client


def test_load_more_walks_the_cursor_to_the_end(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Many {unique}")
    emails = [f"m{n:02d}-{unique}@example.com" for n in range(23)]
    for email in emails:
        assert server.post(f"/orgs/{org['id']}/invitations", token=token(server, "alice"), json={"email": email}).status == 201
    sign_in(page, "alice")
    open_org(page, org["id"], "invitations")
    rows = page.get_by_role("table", name=f"Invitations of Many {unique}").locator("tbody tr")
    expect(rows).to_have_count(20)
    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(23)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    shown = set(rows.locator("td:first-child").all_inner_texts())
    assert shown == set(emails)


def test_empty_lists_say_so(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Empty {unique}")
    sign_in(page, "alice")
    open_org(page, org["id"], "teams")
    expect(page.get_by_text("No teams yet.")).to_be_visible()
    open_org(page, org["id"], "invitations")
    expect(page.get_by_text("No pending invitations.")).to_be_visible()


def test_support_sees_every_area_and_page(page: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Slots {unique}")
    sign_in(page, "sam")
    nav = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(nav).to_have_text(["Find orgs and users", "Activity", "Deleted orgs", "Webhooks", "App settings", "Your orgs"])
    open_org(page, org["id"])
    areas = page.get_by_role("navigation", name="Org areas").get_by_role("link")
    expect(areas).to_have_text(["Members", "Invite", "Invitations", "Invite links", "Join requests", "Domains", "Teams", "Activity"])
    for area in ("invite", "invitations", "invite-links", "join-requests", "domains", "teams", "activity"):
        open_org(page, org["id"], area)
        expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_role("link", name="App settings").click()
    expect(page.get_by_role("button", name="Save settings")).to_be_visible()


def test_the_console_works_390_pixels_wide(phone: Page, server: Client, unique: str) -> None:
    org = create_org(server, "alice", f"Phone {unique}")
    sign_in(phone, "alice")
    assert_accessible(phone, "your orgs on a phone")
    for area in ("members", "invite", "teams", "activity"):
        open_org(phone, org["id"], area)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{area}: the page scrolls sideways ({width}px)"
        assert_accessible(phone, f"{area} on a phone")
    open_org(phone, org["id"], "invite")
    phone.get_by_label("Email addresses").fill(f"phone-{unique}@example.com")
    phone.get_by_role("button", name="Send invitations").click()
    expect(phone.get_by_text("1 of 1 invited.")).to_be_visible()


def _tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element's text or label is ``name`` (fails after ``limit`` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            const label = e.labels && e.labels[0] ? e.labels[0].textContent : "";
            return (e.getAttribute("aria-label") || label || e.textContent || "").trim(); }""")
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_signing_in_and_inviting_work_from_the_keyboard_alone(page: Page, server: Client, unique: str) -> None:
    create_org(server, "alice", f"Keys {unique}")
    page.goto("/console/")
    expect(page.get_by_role("button", name="Sign in as alice")).to_be_visible()
    _tab_to(page, "Sign in as alice")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=f"Keys {unique}")).to_be_visible()
    expect(page.get_by_role("heading", name="Your orgs")).to_be_focused()
    _tab_to(page, f"Keys {unique}")
    page.keyboard.press("Enter")
    expect(page.locator(".loading")).to_have_count(0)
    expect(page.get_by_role("heading", name=f"Keys {unique}", level=1)).to_be_focused()
    _tab_to(page, "Invite")
    page.keyboard.press("Enter")
    expect(page.locator("section.area[data-area='invite']")).to_be_visible()  # rendered: focus is on its h1
    expect(page.get_by_role("heading", name=f"Keys {unique}", level=1)).to_be_focused()
    _tab_to(page, "Email addresses")
    page.keyboard.type(f"key-{unique}@example.com")
    _tab_to(page, "Send invitations")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 of 1 invited.")).to_be_visible()
    _tab_to(page, "Invitations")
    page.keyboard.press("Enter")
    row = page.get_by_role("row", name=f"key-{unique}@example.com")
    expect(row).to_be_visible()
    expect(page.get_by_role("heading", name=f"Keys {unique}", level=1)).to_be_focused()
    _tab_to(page, "Revoke")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    _tab_to(page, "Revoke invitation")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"The invitation to key-{unique}@example.com was revoked.")).to_be_visible()


def test_pkce_challenge_is_the_sha256_of_the_verifier(page: Page, server: Client) -> None:
    page.goto("/console/")
    verifier, challenge = page.evaluate("""async () => {
        const auth = await import("./js/auth.js");
        const verifier = auth.randomVerifier();
        return [verifier, await auth.codeChallenge(verifier)];
    }""")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", verifier)
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == expected


def test_an_expired_session_returns_to_sign_in_and_says_why(page: Page, server: Client, unique: str) -> None:
    sign_in(page, "carol")
    expect(page.get_by_role("heading", name="Your orgs")).to_be_visible()
    server.advance_clock(3700)  # past the hour the console's token lives
    page.evaluate("() => { location.hash = '#/orgs/org_01ABCDEFGHJKMNPQRSTVWXYZ00'; }")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("unauthorized")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    sign_in(page, "carol")  # a new token on the moved clock works again


def test_support_pages_tell_a_member_they_are_for_support_staff(page: Page, server: Client) -> None:
    called: list[str] = []
    page.on("request", lambda request: called.append(request.url))
    sign_in(page, "bob")
    page.evaluate("() => { location.hash = '#/support/settings'; }")
    expect(page.get_by_role("heading", name="Support staff only")).to_be_visible()
    assert [u for u in called if "/admin/" in u] == []
