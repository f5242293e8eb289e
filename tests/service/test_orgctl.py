"""orgctl against the real handlers, in process: the transport hands each request to its function."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from devserver import loader, template
from devserver.events import api_event
from orgctl.cli import main
from orgplane.models.orgs import CreateOrg
from orgplane.services import orgs
from tests.support import world

ROUTES = [(r.method, r.path, f) for f in template.functions() for r in f.routes]
#: token → the authorizer context it stands for (the authorizer itself is tested elsewhere)
TOKENS: dict[str, dict[str, Any]] = {
    "support-token": {"app_id": "demo", "sub": "sam", "email": "sam@example.com", "support": True},
    "alice-token": {"app_id": "demo", "sub": "alice", "email": "alice@example.com"},
    "other-support-token": {"app_id": "other", "sub": "olga", "email": "olga@other.test", "support": True},
}
BASE = "https://api.example.test/v1"


def _route(method: str, segments: list[str]) -> tuple[str, template.Function, dict[str, str]] | None:
    for route_method, resource, function in ROUTES:
        pattern = resource.strip("/").split("/")
        if route_method == method and len(pattern) == len(segments) and all(
                p.startswith("{") or p == s for p, s in zip(pattern, segments, strict=True)):
            return resource, function, {p[1:-1]: s for p, s in zip(pattern, segments, strict=True) if p[0] == "{"}
    return None


def handlers(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
    """The transport: API Gateway's routing and the authorizer's context, then the route's handler."""
    parts = urlsplit(url)
    assert url.startswith(BASE)
    segments = [unquote(s) for s in parts.path[len(urlsplit(BASE).path):].strip("/").split("/")]
    found = _route(method, segments)
    if found is None:
        return 404, json.dumps({"code": "not_found", "detail": "No such route."}).encode()
    resource, function, params = found
    token = headers["Authorization"].removeprefix("Bearer ")
    if token not in TOKENS:
        return 401, json.dumps({"code": "unauthorized", "detail": "A valid bearer token is required."}).encode()
    event = api_event(method, resource, "/" + "/".join(segments), identity=TOKENS[token],
                      path_params=params or None, query=dict(parse_qsl(parts.query)) or None,
                      raw_body=body.decode() if body else None)
    response = loader.load_handler(function)(event, loader.LambdaContext(function.name))
    return int(response["statusCode"]), (response.get("body") or "").encode()


def orgctl(*argv: str, token: str = "support-token") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), env={"ORGCTL_URL": BASE, "ORGCTL_TOKEN": token}, transport=handlers,
                stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def org_id() -> str:
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme Corp", slug="acme")).id
    world.add_member(org_id, "bob")
    return org_id


def test_orgs_search_prints_a_table_of_matching_orgs(org_id: str) -> None:
    orgs.create(world.caller("carol"), CreateOrg(name="Globex", slug="globex"))
    code, out, _ = orgctl("orgs", "search", "acme")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "NAME", "SLUG", "MEMBERS", "TEAMS", "CREATED"]
    assert len(lines) == 2 and org_id in lines[1] and "Acme Corp" in lines[1] and "Globex" not in out


def test_orgs_search_follows_cursors_up_to_the_limit() -> None:
    for n in range(5):
        orgs.create(world.caller("alice"), CreateOrg(name=f"Org {n}", slug=f"org-{n}"))
    code, out, _ = orgctl("orgs", "search", "org", "--limit", "3", "--json")
    assert code == 0 and [o["name"] for o in json.loads(out)["data"]] == ["Org 0", "Org 1", "Org 2"]
    code, out, _ = orgctl("--json", "orgs", "search", "org", "--all")
    assert code == 0 and len(json.loads(out)["data"]) == 5


def test_orgs_show_prints_the_org(org_id: str) -> None:
    code, out, _ = orgctl("orgs", "show", org_id)
    assert code == 0 and re.search(r"^slug\s+acme$", out, re.M) and re.search(r"^member_count\s+2$", out, re.M)


def test_orgs_deleted_and_restore(org_id: str) -> None:
    orgs.delete(world.caller("alice"), org_id)
    orgs.create(world.caller("carol"), CreateOrg(name="Squatter", slug="acme"))
    code, out, _ = orgctl("orgs", "deleted")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "NAME", "SLUG", "MEMBERS", "DELETED", "PURGE"]
    assert len(lines) == 2 and org_id in lines[1]
    code, _, err = orgctl("orgs", "restore", org_id)
    assert code != 0 and "slug_taken" in err
    code, out, _ = orgctl("orgs", "restore", org_id, "--slug", "acme-2", "--json")
    assert code == 0 and (json.loads(out)["id"], json.loads(out)["slug"]) == (org_id, "acme-2")
    code, out, _ = orgctl("orgs", "deleted", "--json")
    assert code == 0 and json.loads(out)["data"] == []
    code, _, err = orgctl("orgs", "restore", org_id, token="alice-token")
    assert code != 0 and "forbidden" in err


def test_members_list_set_role_and_remove(org_id: str) -> None:
    code, out, _ = orgctl("members", "list", org_id)
    assert code == 0 and {line.split()[0] for line in out.splitlines()[1:]} == {"alice", "bob"}
    code, out, _ = orgctl("members", "set-role", org_id, "bob", "admin", "--json")
    assert code == 0 and json.loads(out)["role"] == "admin"
    code, out, _ = orgctl("members", "list", org_id, "--role", "admin")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == ["bob"]
    code, out, _ = orgctl("members", "remove", org_id, "bob")
    assert code == 0 and "removed bob" in out
    code, out, _ = orgctl("members", "list", org_id, "--json")
    assert [m["user_id"] for m in json.loads(out)["data"]] == ["alice"]


def test_errors_exit_non_zero_with_the_problem_code_on_stderr(org_id: str) -> None:
    code, out, err = orgctl("members", "remove", org_id, "nobody")
    assert code == 1 and out == "" and err.startswith("member_not_found:")
    code, _, err = orgctl("members", "set-role", org_id, "bob", "emperor")
    assert code == 1 and err.startswith("validation_error:") and "role" in err
    code, _, err = orgctl("orgs", "search", "acme", token="alice-token")
    assert code == 1 and err.startswith("forbidden:")
    code, _, err = orgctl("orgs", "show", org_id, token="nope")
    assert code == 1 and err.startswith("unauthorized:")


def test_support_of_another_app_cannot_reach_this_apps_org(org_id: str) -> None:
    code, _, err = orgctl("members", "remove", org_id, "bob", token="other-support-token")
    assert code == 1 and err.startswith("org_not_found:")
    code, out, _ = orgctl("orgs", "search", "acme", token="other-support-token")
    assert code == 0 and out.strip() == "(none)"


def test_ids_cannot_escape_their_path_segment(org_id: str) -> None:
    code, _, err = orgctl("members", "remove", org_id, "../../orgs")
    assert code == 1 and err.split(":")[0] in {"member_not_found", "not_found"}
    code, out, _ = orgctl("members", "list", org_id, "--json")
    assert [m["user_id"] for m in json.loads(out)["data"]] == ["alice", "bob"]


def test_users_show_prints_memberships_teams_and_invitations(org_id: str) -> None:
    code, out, _ = orgctl("users", "show", "bob")
    assert code == 0 and "memberships" in out and "pending invitations" in out
    assert re.search(rf"^{org_id}\s+Acme Corp\s+acme\s+member\s+bob@example.com", out, re.M)


def test_users_find_lists_users_by_email_prefix(org_id: str) -> None:
    code, out, _ = orgctl("users", "find", "bo", "--json")
    assert code == 0 and json.loads(out)["data"] == [{"user_id": "bob", "email": "bob@example.com",
                                                      "org_ids": [org_id]}]


def test_audit_filters_by_org_actor_and_action(org_id: str) -> None:
    orgctl("members", "set-role", org_id, "bob", "admin")
    code, out, _ = orgctl("audit", "--org", org_id, "--action", "member.role_changed")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and "member.role_changed" in lines[1] and "sam (support)" in lines[1]
    code, out, _ = orgctl("audit", "--actor", "alice", "--json")
    assert code == 0 and [e["action"] for e in json.loads(out)["data"]] == ["member.added", "org.created"]


def test_invitations_list_resend_and_revoke(org_id: str) -> None:
    from orgplane.models.invitations import CreateInvitation
    from orgplane.services import invitations

    invitation_id = invitations.create(world.caller("alice"), org_id, CreateInvitation(email="dan@example.com")).id
    code, out, _ = orgctl("invitations", "list", org_id)
    assert code == 0 and invitation_id in out and "dan@example.com" in out and "pending" in out
    before = invitations.get(world.caller("alice"), org_id, invitation_id)
    code, out, _ = orgctl("invitations", "resend", org_id, invitation_id)
    assert code == 0 and invitation_id in out and "pending" in out
    assert invitations.get(world.caller("alice"), org_id, invitation_id).delivery.status == "queued"
    assert (invitations.get(world.caller("alice"), org_id, invitation_id).expires_at
            >= before.expires_at)
    code, out, _ = orgctl("invitations", "revoke", org_id, invitation_id)
    assert code == 0 and f"revoked {invitation_id}" in out
    code, out, _ = orgctl("invitations", "list", org_id, "--status", "pending")
    assert code == 0 and out.strip() == "(none)"
    code, _, err = orgctl("invitations", "revoke", org_id, invitation_id)
    assert code == 1 and err.startswith("invitation_not_pending:")


def test_settings_show_prints_the_settings() -> None:
    code, out, _ = orgctl("settings", "show")
    assert code == 0 and re.search(r"^audit_retention_days\s+365$", out, re.M)


def test_missing_configuration_is_a_usage_error() -> None:
    err = io.StringIO()
    assert main(["orgs", "search", "x"], env={}, transport=handlers, stderr=err) == 2
    assert "ORGCTL_URL" in err.getvalue()
    assert main(["orgs", "search", "x", "--url", "ftp://x", "--token", "t"], env={}, stderr=err) == 2


def test_unknown_commands_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["orgs", "explode"], env={"ORGCTL_URL": BASE, "ORGCTL_TOKEN": "t"}) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_an_unreachable_api_exits_3() -> None:
    err = io.StringIO()
    code = main(["orgs", "search", "x", "--url", "http://127.0.0.1:9", "--token", "t", "--timeout", "2"],
                env={}, stderr=err)
    assert code == 3 and "cannot reach" in err.getvalue()
