"""orgctl over real HTTP against the local server: urllib, the real authorizer, the support group."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from orgctl.cli import main
from tests.http.client import Client

ROOT = Path(__file__).resolve().parents[2]


def orgctl(api: Client, token: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--url", api.base_url, "--token", token], env={}, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def new_org(api: Client, owner: str) -> dict[str, str]:
    slug = f"cli-{uuid.uuid4().hex[:10]}"
    response = api.post("/orgs", token=api.token(sub=owner), json={"name": f"CLI {slug}", "slug": slug})
    assert response.status == 201, response
    return dict(response.json)


def test_orgctl_finds_an_org_and_changes_a_role_as_support(api: Client) -> None:
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    org = new_org(api, owner)
    support = api.token(sub="sam-cli", groups=["support"])
    code, out, err = orgctl(api, support, "orgs", "search", org["slug"])
    assert code == 0, err
    assert org["id"] in out and org["slug"] in out
    code, out, err = orgctl(api, support, "members", "set-role", org["id"], owner, "admin", "--json")
    assert code == 1 and err.startswith("last_owner:")
    code, out, err = orgctl(api, support, "--json", "audit", "--org", org["id"])
    assert code == 0, err
    assert [e["action"] for e in json.loads(out)["data"]] == ["member.added", "org.created"]


def test_orgctl_without_the_support_group_is_refused(api: Client) -> None:
    code, out, err = orgctl(api, api.token(sub="mallory"), "orgs", "search", "cli")
    assert code == 1 and out == "" and err.startswith("forbidden:")


def test_orgctl_with_a_bad_token_is_unauthorized(api: Client) -> None:
    code, _, err = orgctl(api, "not-a-jwt", "users", "show", "alice")
    assert code == 1 and err.startswith("unauthorized:")


def test_support_of_another_app_sees_nothing_through_orgctl(api: Client) -> None:
    org = new_org(api, f"owner-{uuid.uuid4().hex[:8]}")
    other = api.token(app="other", sub="olga", groups=["support"])
    code, out, _ = orgctl(api, other, "orgs", "search", org["slug"])
    assert code == 0 and out.strip() == "(none)"
    code, _, err = orgctl(api, other, "orgs", "show", org["id"])
    assert code == 1 and err.startswith("org_not_found:")


def test_python_m_orgctl_runs_with_the_environment_configuration(api: Client) -> None:
    org = new_org(api, f"owner-{uuid.uuid4().hex[:8]}")
    env = {**os.environ, "ORGCTL_URL": api.base_url, "ORGCTL_TOKEN": api.token(sub="sam-cli", groups=["support"]),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers" / "orgplane")])}
    done = subprocess.run([sys.executable, "-m", "orgctl", "--json", "orgs", "show", org["id"]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["slug"] == org["slug"]
    missing = subprocess.run([sys.executable, "-m", "orgctl", "orgs", "show", "org_x"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 1 and missing.stderr.startswith("org_not_found:")


def test_support_finds_lists_changes_removes_and_revokes_and_each_is_audited_as_support(api: Client) -> None:
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    org = new_org(api, owner)
    owner_token = api.token(sub=owner)
    bob = f"bob-{uuid.uuid4().hex[:8]}"
    invited = api.post(f"/orgs/{org['id']}/invitations", token=owner_token, json={"email": f"{bob}@example.com"})
    assert api.post(f"/invitations/{invited.json['id']}/accept", token=api.token(sub=bob)).status == 200
    pending = api.post(f"/orgs/{org['id']}/invitations", token=owner_token, json={"email": "carol@example.com"})
    assert pending.status == 201, pending
    support = api.token(sub="sam-cli", groups=["support"])

    code, out, err = orgctl(api, support, "orgs", "search", org["slug"][:12])
    assert code == 0 and org["id"] in out, err
    code, out, err = orgctl(api, support, "members", "list", org["id"])
    assert code == 0 and bob in out, err
    assert orgctl(api, support, "members", "set-role", org["id"], bob, "admin")[0] == 0
    assert orgctl(api, support, "members", "remove", org["id"], bob)[0] == 0
    assert orgctl(api, support, "invitations", "revoke", org["id"], pending.json["id"])[0] == 0

    code, out, err = orgctl(api, support, "--json", "audit", "--org", org["id"])
    assert code == 0, err
    by_support = [(e["action"], e["actor"]["user_id"]) for e in json.loads(out)["data"] if e["actor"]["support"]]
    assert by_support == [("invitation.revoked", "sam-cli"), ("member.removed", "sam-cli"),
                          ("member.role_changed", "sam-cli")]

    other = api.token(app="other", sub="sam-cli", groups=["support"])
    assert orgctl(api, other, "orgs", "search", org["slug"][:12])[1].strip() == "(none)"
    code, out, _ = orgctl(api, other, "--json", "audit", "--org", org["id"])
    assert code == 0 and json.loads(out)["data"] == []
    code, _, err = orgctl(api, other, "members", "list", org["id"])
    assert code == 1 and err.startswith("org_not_found:")
