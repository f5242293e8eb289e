"""Steps in the console, and API set-up and checks, shared by the browser tests."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.http.client import Client

SERIOUS = ("serious", "critical")
_axe = Axe()


def sign_in(page: Page, user: str) -> None:
    """Open the console and sign in as a demo user from the local sign-in page."""
    page.goto("/console/")
    page.get_by_role("button", name=f"Sign in as {user}", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def open_org(page: Page, org_id: str, area: str = "members") -> None:
    page.evaluate("hash => { location.hash = hash; }", f"#/orgs/{org_id}/{area}")
    expect(page.locator(f"section.area[data-area='{area}'][data-org='{org_id}']")).to_be_visible()
    expect(page.locator(".loading")).to_have_count(0)


def confirm(page: Page, button: str) -> None:
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_have_count(0)


def assert_accessible(page: Page, where: str) -> None:
    """axe-core on the page as it is now: no serious or critical violation."""
    expect(page.locator(".loading")).to_have_count(0)
    results = _axe.run(page)
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
           for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert bad == [], f"{where}: {bad}"


# ---------------------------------------------------------------- API side


def token(api: Client, user: str, app: str = "demo", support: bool = False) -> str:
    emails = {"sam": "sam@support.example.com", "otto": "otto@support.example.com"}
    return api.token(app=app, sub=user, email=emails.get(user, f"{user}@example.com"),
                     groups=("support",) if support else ())


def create_org(api: Client, owner: str, name: str) -> dict[str, Any]:
    response = api.post("/orgs", token=token(api, owner), json={"name": name})
    assert response.status == 201, response
    return dict(response.json)


def add_member(api: Client, org_id: str, inviter: str, user: str, role: str = "member") -> None:
    """Invite ``user`` (``<user>@example.com``) and accept as them: a real membership."""
    invited = api.post(f"/orgs/{org_id}/invitations", token=token(api, inviter),
                       json={"email": f"{user}@example.com", "role": role})
    assert invited.status == 201, invited
    accepted = api.post(f"/invitations/{invited.json['id']}/accept", token=token(api, user))
    assert accepted.status == 200, accepted


def members(api: Client, org_id: str) -> dict[str, str]:
    response = api.get(f"/orgs/{org_id}/members?limit=100", token=token(api, "sam", support=True))
    assert response.status == 200, response
    return {m["user_id"]: m["role"] for m in response.json["data"]}


def invitations(api: Client, org_id: str, status: str | None = None) -> dict[str, str]:
    query = f"&status={status}" if status else ""
    response = api.get(f"/orgs/{org_id}/invitations?limit=100{query}", token=token(api, "sam", support=True))
    assert response.status == 200, response
    return {i["email"]: i["status"] for i in response.json["data"]}
