"""Trust rules through the local server: a look-alike email gets nothing, an unverified email is no
email (with the token command's --unverified), mail limits answer 429 with Retry-After, hostile text
and over-long path ids are 400."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.http.client import Client
from tests.http.conftest import ROOT, server_env
from tests.http.expect import assert_problem, ok, unique


@pytest.fixture
def org(api: Client) -> tuple[str, str]:
    owner = api.token(sub=unique("owner"))
    created = ok(api.post("/orgs", token=owner, json={"name": "Acme", "slug": unique("acme")}), 201)
    return owner, created["id"]


def test_a_kelvin_sign_look_alike_neither_lists_nor_accepts_the_invitation(api: Client, org: tuple[str, str]) -> None:
    owner, org_id = org
    local = unique("kelly")
    invitation = ok(api.post(f"/orgs/{org_id}/invitations", token=owner, json={"email": f"{local}@example.com"}), 201)
    mallory = api.token(sub=unique("mallory"), email=f"\u212a{local[1:]}@example.com")  # K: the Kelvin sign
    assert ok(api.get("/invitations", token=mallory))["data"] == []
    assert_problem(api.post(f"/invitations/{invitation['id']}/accept", token=mallory), 404, "invitation_not_found")
    assert ok(api.get(f"/orgs/{org_id}/invitations/{invitation['id']}", token=owner))["status"] == "pending"


def test_the_token_command_mints_an_unverified_email_that_counts_as_no_email(api: Client) -> None:
    sub = unique("carol")
    minted = subprocess.run(
        [sys.executable, "-m", "devserver", "token", "--app", "demo", "--sub", sub, "--email",
         "ceo@bigcorp.example", "--unverified", "--now", str(api.now())],
        cwd=ROOT, env=server_env(), capture_output=True, text=True, check=True, timeout=60)
    token = minted.stdout.strip()
    assert ok(api.get("/me", token=token))["email"] is None
    org_id = ok(api.post("/orgs", token=token, json={"name": "Bigcorp", "slug": unique("bigcorp")}), 201)["id"]
    assert ok(api.get(f"/orgs/{org_id}/members/me", token=token))["email"] is None


def test_a_fourth_mail_to_one_address_within_the_hour_is_429_with_retry_after(api: Client,
                                                                             org: tuple[str, str]) -> None:
    owner, org_id = org
    invitation = ok(api.post(f"/orgs/{org_id}/invitations", token=owner,
                             json={"email": f"{unique('bob')}@example.com"}), 201)
    for _ in range(2):
        ok(api.post(f"/orgs/{org_id}/invitations/{invitation['id']}/resend", token=owner))
    refused = api.post(f"/orgs/{org_id}/invitations/{invitation['id']}/resend", token=owner)
    assert_problem(refused, 429, "rate_limited")
    assert 0 < int(refused.headers["retry-after"]) <= 3600


@pytest.mark.parametrize("body", [{"name": "\u3164\u3164"}, {"name": "Acme\u2028Corp"}, {"name": "\u2800"}])
def test_an_org_name_of_invisible_or_multi_line_text_is_400(api: Client, body: dict[str, str]) -> None:
    assert_problem(api.post("/orgs", token=api.token(sub=unique("owner")), json=body), 400, "validation_error", "name")


@pytest.mark.parametrize("description", ["bidi \u202e override", "nul \u0000 byte", "zero\u200bwidth"])
def test_a_team_description_with_invisible_or_control_characters_is_400(api: Client, org: tuple[str, str],
                                                                        description: str) -> None:
    owner, org_id = org
    assert_problem(api.post(f"/orgs/{org_id}/teams", token=owner, json={"name": "Core", "description": description}),
                   400, "validation_error", "description")
    assert ok(api.get(f"/orgs/{org_id}/teams", token=owner))["data"] == []


def test_a_team_description_may_hold_line_breaks(api: Client, org: tuple[str, str]) -> None:
    owner, org_id = org
    team = ok(api.post(f"/orgs/{org_id}/teams", token=owner, json={"name": "Core", "description": "a\r\nb\tc"}), 201)
    assert team["description"] == "a\r\nb\tc"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_user_id_longer_than_any_subject_is_400_not_a_database_error(api: Client, org: tuple[str, str],
                                                                       method: str) -> None:
    owner, org_id = org
    response = api.request(method, f"/orgs/{org_id}/members/{'u' * 1100}", token=owner,
                           json={"role": "member"} if method == "PATCH" else None)
    assert_problem(response, 400, "validation_error", "path.user_id")
