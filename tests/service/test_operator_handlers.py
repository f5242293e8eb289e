"""The operator routes at the HTTP edge, and the support principal's reach: its own app, nowhere else."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from devserver import loader, template
from devserver.events import api_event
from orgplane import keys
from orgplane.models.orgs import CreateOrg
from orgplane.services import invitation_links, orgs
from orgplane.store import table
from tests.support import world

FUNCTIONS = {f.name: f for f in template.functions()}
ROUTES = sorted((r.method, r.path, f.name) for f in template.functions() for r in f.routes)
ALICE = {"app_id": "demo", "sub": "alice", "email": "alice@example.com"}
SAM = {"app_id": "demo", "sub": "sam", "email": "sam@example.com", "support": True}
OLGA = {"app_id": "other", "sub": "olga", "email": "olga@other.test", "support": True}
ADMIN_ROUTES = [(m, p, n) for m, p, n in ROUTES if p.startswith("/admin/")]


def call(name: str, method: str, path: str, identity: dict[str, Any] | None = SAM,
         **kwargs: Any) -> tuple[int, Any]:
    """Invoke ``name``'s handler the way API Gateway does; ``path`` is concrete, the resource comes from it."""
    resource = next(p for m, p, n in ROUTES if n == name and m == method)
    params = _match(resource, path)
    response = loader.load_handler(FUNCTIONS[name])(
        api_event(method, resource, path, identity=identity, path_params=params or None, **kwargs),
        loader.LambdaContext(name))
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def _match(resource: str, path: str) -> dict[str, str]:
    pattern = "^" + re.sub(r"\\{([a-z_]+)\\}", r"(?P<\1>[^/]+)", re.escape(resource)) + "$"
    found = re.match(pattern, path)
    assert found, (resource, path)
    return found.groupdict()


# --- support only -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "name"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p, _ in ADMIN_ROUTES])
def test_admin_routes_are_403_forbidden_for_everyone_but_support(method: str, path: str, name: str) -> None:
    orgs.create(world.caller("alice"), CreateOrg(name="Acme", slug="acme"))
    concrete = path.replace("{user_id}", "alice")
    body = BODIES.get((method, path))  # a valid body: authorization is judged, not the input
    status, problem = call(name, method, concrete, identity=ALICE, body=body)
    assert status == 403 and problem["code"] == "forbidden"
    assert world.items_of(keys.settings("demo")["PK"]) == []


def test_get_settings_shows_every_setting_with_its_default() -> None:
    status, body = call("get_settings", "GET", "/admin/settings")
    assert status == 200
    assert body == {"invitation_ttl_seconds": 604800, "max_members_per_org": None, "max_orgs_per_user": None,
                    "max_teams_per_org": None, "roles": {},
                    "invitation_email": {"from": None, "subject": None, "accept_url": None},
                    "audit_retention_days": 365, "invitations_per_org_per_hour": 100,
                    "invitation_sends_per_address_per_hour": 3, "org_token_ttl_seconds": 300,
                    "org_restore_days": 30}


def test_update_settings_changes_what_is_given_and_answers_with_the_whole_settings() -> None:
    status, body = call("update_settings", "PATCH", "/admin/settings", body={
        "max_members_per_org": 25, "roles": {"auditor": {"permissions": ["org:read", "audit:read"]}},
        "invitation_email": {"from": "Acme <hello@acme.test>", "accept_url": "https://acme.test/j/{token}"}})
    assert status == 200 and body["max_members_per_org"] == 25 and body["max_orgs_per_user"] is None
    assert body["roles"] == {"auditor": {"permissions": ["org:read", "audit:read"]}}
    assert body["invitation_email"]["from"] == "Acme <hello@acme.test>"
    assert call("get_settings", "GET", "/admin/settings")[1] == body


@pytest.mark.parametrize("payload", [
    {"roles": {"owner": {"permissions": ["org:read"]}}},
    {"roles": {"x": {"permissions": ["everything"]}}},
    {"invitation_email": {"accept_url": "http://evil.test/{token}"}},
    {"max_members_per_org": -1},
    {"max_members_per_org": "10"},
    {},
])
def test_invalid_settings_are_400_and_change_nothing(payload: dict[str, Any]) -> None:
    status, problem = call("update_settings", "PATCH", "/admin/settings", body=payload)
    assert status == 400 and problem["code"] == "validation_error" and problem["errors"]
    assert world.items_of(keys.settings("demo")["PK"]) == []


def test_deleting_a_role_in_use_is_409_role_in_use() -> None:
    call("update_settings", "PATCH", "/admin/settings", body={"roles": {"auditor": {"permissions": ["org:read"]}}})
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org_id, "bob", role="auditor")
    status, problem = call("update_settings", "PATCH", "/admin/settings", body={"roles": {}})
    assert status == 409 and problem["code"] == "role_in_use" and "auditor" in problem["detail"]


def test_admin_list_orgs_searches_with_q() -> None:
    orgs.create(world.caller("alice"), CreateOrg(name="Acme", slug="acme"))
    orgs.create(world.caller("alice"), CreateOrg(name="Globex", slug="globex"))
    status, body = call("admin_list_orgs", "GET", "/admin/orgs", query={"q": "glo"})
    assert status == 200 and [o["slug"] for o in body["data"]] == ["globex"] and body["next_cursor"] is None


def test_admin_get_user_and_admin_find_users_describe_users() -> None:
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme", slug="acme")).id
    status, body = call("admin_get_user", "GET", "/admin/users/alice")
    assert status == 200 and [m["org_id"] for m in body["memberships"]] == [org_id]
    assert set(body) == {"user_id", "emails", "memberships", "team_memberships", "invitations"}
    status, body = call("admin_find_users", "GET", "/admin/users", query={"email": "ALICE@"})
    assert status == 200 and body["data"] == [{"user_id": "alice", "email": "alice@example.com",
                                               "org_ids": [org_id]}]


def test_admin_list_audit_and_list_org_audit_list_events_newest_first() -> None:
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme", slug="acme")).id
    call("update_settings", "PATCH", "/admin/settings", body={"max_orgs_per_user": 4})
    status, body = call("admin_list_audit", "GET", "/admin/audit")
    assert status == 200 and [e["action"] for e in body["data"]] == ["settings.updated", "member.added", "org.created"]
    assert set(body["data"][0]) == {"id", "org_id", "action", "actor", "target", "at", "request_id", "details"}
    status, body = call("list_org_audit", "GET", f"/orgs/{org_id}/audit", identity=ALICE)
    assert status == 200 and [e["action"] for e in body["data"]] == ["member.added", "org.created"]
    status, problem = call("list_org_audit", "GET", f"/orgs/{org_id}/audit", identity=ALICE,
                           query={"action": "DROP TABLE"})
    assert status == 400 and problem["errors"][0]["field"] == "action"


# --- the support principal ----------------------------------------------------------------------


def _demo_world() -> dict[str, str]:
    """One org of app ``demo`` with a member, a custom role, a pending invitation and (where teams exist)
    a team: every id a route names is real, so another app's 404 is the app boundary, not a miss."""
    from orgplane.models.invitations import CreateInvitation
    from orgplane.services import invitations

    alice = world.caller("alice")
    world.put_settings("demo", roles={"auditor": {"permissions": ["org:read"]}}, max_orgs_per_user=7)
    org = orgs.create(alice, CreateOrg(name="Secret Acme", slug="secret-acme"))
    world.add_member(org.id, "bob", role="auditor")
    # addressed to the very email of the other app's operator: only the app tells them apart
    invitation = invitations.create(alice, org.id, CreateInvitation(email="olga@other.test", role="auditor"))
    from orgplane.models.ownership import CreateOwnershipTransfer
    from orgplane.services import ownership

    transfer = ownership.request(alice, org.id, CreateOwnershipTransfer(to_user_id="bob"))
    names = {"org_id": org.id, "user_id": "bob", "team_id": "team_01JD0000000000000000000000",
             "invitation_id": invitation.id, "transfer_id": transfer.id}
    try:
        from orgplane.models.teams import CreateTeam
        from orgplane.services import teams
    except ImportError:
        return names
    names["team_id"] = teams.create(alice, org.id, CreateTeam(name="Secret Team")).id
    return names


def _items_of_app(app_id: str) -> list[dict[str, Any]]:
    """Every item of one app, sorted: the whole of its state, to prove a request changed none of it."""
    client, items, start = table.client(), [], None
    while True:
        page = client.scan(TableName=table.table_name(), ConsistentRead=True,
                           **({"ExclusiveStartKey": start} if start else {}))
        items += [table.deserialize(raw) for raw in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    mine = [i for i in items if i["PK"] == keys.app(app_id) or i["PK"].startswith(keys.app(app_id) + keys.SEP)]
    return sorted(mine, key=lambda i: (i["PK"], i["SK"]))


BODIES = {
    ("POST", "/orgs"): {"name": "Olga's"},
    ("PATCH", "/orgs/{org_id}"): {"name": "Hijacked"},
    ("PATCH", "/orgs/{org_id}/members/{user_id}"): {"role": "member"},
    ("POST", "/orgs/{org_id}/invitations"): {"email": "olga@other.test"},
    ("POST", "/orgs/{org_id}/invitations/bulk"): {"invitations": [{"email": "olga@other.test"}]},
    ("POST", "/orgs/{org_id}/domains"): {"domain": "hijack.test"},
    ("POST", "/orgs/{org_id}/teams"): {"name": "Hijack"},
    ("PATCH", "/orgs/{org_id}/teams/{team_id}"): {"name": "Hijacked"},
    ("PUT", "/orgs/{org_id}/teams/{team_id}/members/{user_id}"): {"role": "maintainer"},
    ("PATCH", "/admin/settings"): {"max_orgs_per_user": 1},
    ("POST", "/orgs/{org_id}/ownership-transfers"): {"to_user_id": "bob"},
    ("POST", "/admin/webhooks"): {"url": "https://hooks.example.com/in"},
    ("PATCH", "/admin/webhooks/{webhook_id}"): {"enabled": False},
}


def test_support_of_another_app_sees_nothing() -> None:
    names = _demo_world()
    secrets = [names["org_id"], "Secret Acme", "secret-acme", "bob@example.com", "auditor", names["team_id"],
               names["invitation_id"], "Secret Team"]
    # the control: every id is real and reachable in app demo, by its support staff and by the invitee
    org_id, invitation_id = names["org_id"], names["invitation_id"]
    assert org_id in json.dumps(call("admin_list_orgs", "GET", "/admin/orgs", query={"q": "secret"})[1])
    for path, field, value in [(f"/orgs/{org_id}/invitations/{invitation_id}", "id", invitation_id),
                               (f"/orgs/{org_id}/members/bob", "user_id", "bob"),
                               (f"/orgs/{org_id}/teams/{names['team_id']}", "id", names["team_id"])]:
        name = next(n for m, p, n in ROUTES if m == "GET" and _fits(p, path))
        status, answer = call(name, "GET", path, identity=SAM)
        assert status == 200 and answer[field] == value, (path, answer)
    demo_invitee = {**OLGA, "app_id": "demo", "support": False}
    status, mine = call("list_my_invitations", "GET", "/invitations", identity=demo_invitee)
    assert status == 200 and [(i["id"], i["status"]) for i in mine["data"]] == [(invitation_id, "pending")]
    # the invitee's own link too: the other app's operator brings it back to their app
    nonce = (table.get(keys.invitation("demo", org_id, invitation_id)) or {})["nonce"]
    link = {"token": invitation_links.token("demo", org_id, invitation_id, nonce)}
    by_link = {("POST", "/invitations/accept"): link, ("POST", "/invitations/decline"): link}
    demo_items = _items_of_app("demo")
    assert any(i["SK"] == keys.invitation("demo", org_id, invitation_id)["SK"] and i["status"] == "pending"
               for i in demo_items)

    for method, path, name in ROUTES:
        concrete = re.sub(r"\{([a-z_]+)\}", lambda m: names.get(m.group(1), "x"), path)
        body = {**BODIES, **by_link}.get((method, path), {} if method in {"POST", "PUT", "PATCH"} else None)
        query = {"q": "secret", "email": "bob", "org_id": names["org_id"], "actor": "alice"}
        status, answer = call(name, method, concrete, identity=OLGA, body=body, query=query)
        text = json.dumps(answer)
        assert not any(secret in text for secret in secrets), f"{method} {path} leaks: {text}"
        if path == "/users/{user_id}/orgs":  # a user of this app is nobody in that one: no orgs
            assert status == 200 and answer == {"data": [], "next_cursor": None}, f"{method} {path}: {text}"
        elif "{" in path or (method, path) in by_link:  # naming this app's org, user, team or invitation
            assert status == 404, f"{method} {path}: {status} {text}"
        elif method == "GET" and isinstance(answer, dict) and "data" in answer:
            assert status == 200 and answer["data"] == [], f"{method} {path}: {text}"
    assert _items_of_app("demo") == demo_items
    # and the link was a live one: in its own app, its invitee joins with it
    status, member = call("accept_invitation", "POST", "/invitations/accept", identity=demo_invitee, body=link)
    assert status == 200 and member["org_id"] == org_id and member["role"] == "auditor"


def test_support_staff_pass_every_org_check_in_their_own_app() -> None:
    names = _demo_world()
    org_id = names["org_id"]
    for method, path in [("GET", f"/orgs/{org_id}"), ("GET", f"/orgs/{org_id}/members"),
                         ("GET", f"/orgs/{org_id}/audit"), ("GET", f"/orgs/{org_id}/permissions")]:
        name = next(n for m, p, n in ROUTES if m == method and _fits(p, path))
        status, answer = call(name, method, path, identity=SAM)
        assert status == 200, (path, answer)
    status, member = call("update_member", "PATCH", f"/orgs/{org_id}/members/bob", identity=SAM,
                          body={"role": "admin"})
    assert status == 200 and member["role"] == "admin"
    events = call("list_org_audit", "GET", f"/orgs/{org_id}/audit", identity=SAM,
                  query={"action": "member.role_changed"})[1]["data"]
    assert events[0]["actor"] == {"type": "user", "user_id": "sam", "client_id": None,
                                  "email": "sam@example.com", "support": True}


def _fits(resource: str, path: str) -> bool:
    pattern = "^" + re.sub(r"\\{([a-z_]+)\\}", r"[^/]+", re.escape(resource)) + "$"
    return re.match(pattern, path) is not None
