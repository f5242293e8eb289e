"""Part 1: per operation, the DynamoDB requests it makes, their capacity, and its latency.

Every operation is called ``samples + 1`` times in a row by one client; the first call is a warm-up
(the container's first request of that route: module-level caches, the JWKS fetch) and is not
counted. Fresh state per sample where the operation consumes it (a new invitation to accept, a
new member to remove, a new org to delete), built by unmeasured calls through the same API.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Api, Call


@dataclass
class OpResult:
    name: str
    route: str
    calls: list[Call]
    note: str = ""
    background: dict[str, Any] | None = None  # stream consumers' DynamoDB work per sample, if any
    kind: str = "read"  # "read" | "write" | "accept"


@dataclass
class Run:
    results: list[OpResult] = field(default_factory=list)
    members_in_org: int = 0
    orgs_of_owner: int = 0


def _link_tokens(api: Api) -> dict[str, str]:
    """recipient email -> the token of the newest invitation mail sent to it (from the local outbox)."""
    mails = api.call("GET", "/_local/outbox").response.json["data"]
    found: dict[str, str] = {}
    for mail in mails:
        match = re.search(r"token=([^\s\"&<]+)", mail.get("text") or "")
        if match:
            for recipient in mail.get("to") or []:
                found[str(recipient).casefold()] = match.group(1)
    return found


def _per_sample(background: dict[str, Any], count: int) -> dict[str, Any]:
    return {"requests": {k: v / count for k, v in background.get("requests", {}).items()},
            "rcu": background.get("rcu", 0) / count, "wcu": background.get("wcu", 0) / count}


def run(api: Api, samples: int, log: Callable[[str], None] | None = None) -> Run:
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    total = samples + 1
    tag = uuid.uuid4().hex[:6]
    out = Run()

    def measure(name: str, route: str, call: Callable[[int], Call], kind: str = "read",
                note: str = "") -> list[Call]:
        calls = [call(i) for i in range(total)]
        out.results.append(OpResult(name, route, calls[1:], note=note, kind=kind))
        say(f"  {name}: {samples} samples")
        return calls

    owner_sub = f"bench-owner-{tag}"
    owner = api.token(owner_sub)
    support = api.token(f"bench-support-{tag}", groups=("support",))

    measure("who am I (no DynamoDB: authorizer + HTTP floor)", "GET /me",
            lambda i: api.call("GET", "/me", token=owner))

    # ---------------------------------------------------------------- orgs
    created = measure("create org", "POST /orgs",
                      lambda i: api.call("POST", "/orgs", token=owner, json_body={"name": f"Bench {tag} {i}"},
                                         expect=201), kind="write")
    doomed = [str(c.response.json["id"]) for c in created]
    main = str(api.call("POST", "/orgs", token=owner, json_body={"name": f"Bench main {tag}"},
                        expect=201).response.json["id"])
    org = f"/orgs/{main}"
    out.orgs_of_owner = total + 1
    measure("get org", "GET /orgs/{org_id}", lambda i: api.call("GET", org, token=owner))
    measure("list my orgs (first page)", "GET /orgs", lambda i: api.call("GET", "/orgs", token=owner),
            note=f"caller in {total + 1} orgs, page of 50")
    measure("update org (rename)", "PATCH /orgs/{org_id}",
            lambda i: api.call("PATCH", org, token=owner, json_body={"name": f"Bench main {tag} v{i}"}),
            kind="write")
    measure("get my permissions", "GET /orgs/{org_id}/permissions",
            lambda i: api.call("GET", f"{org}/permissions", token=owner))

    # ---------------------------------------------------------------- invitations
    def invite(email: str) -> Call:
        return api.call("POST", f"{org}/invitations", token=owner, json_body={"email": email}, expect=201)

    a_subs = [f"bench-a-{tag}-{i}" for i in range(total)]
    b_subs = [f"bench-b-{tag}-{i}" for i in range(total)]
    d_subs = [f"bench-d-{tag}-{i}" for i in range(total)]
    e_subs = [f"bench-e-{tag}-{i}" for i in range(total)]
    api.drain()
    api.background()  # reset: what follows is delivery work for the invitations created below
    measure("create invitation", "POST /orgs/{org_id}/invitations",
            lambda i: invite(f"{a_subs[i]}@example.com"), kind="write",
            note="delivery runs afterwards on the stream (see background)")
    b_ids = [str(invite(f"{s}@example.com").response.json["id"]) for s in b_subs]
    for s in d_subs:
        invite(f"{s}@example.com")
    e_ids = [str(invite(f"{s}@example.com").response.json["id"]) for s in e_subs]
    r_ids = [str(invite(f"bench-r-{tag}-{i}@example.com").response.json["id"]) for i in range(total)]
    x_sub = f"bench-x-{tag}"
    x_id = str(invite(f"{x_sub}@example.com").response.json["id"])
    api.drain()
    delivered = api.background()
    out.results[-1].background = _per_sample(delivered, 5 * total + 1)
    links = _link_tokens(api)

    measure("resend invitation", "POST /orgs/{org_id}/invitations/{invitation_id}/resend",
            lambda i: api.call("POST", f"{org}/invitations/{x_id}/resend", token=owner), kind="write")
    measure("get invitation", "GET /orgs/{org_id}/invitations/{invitation_id}",
            lambda i: api.call("GET", f"{org}/invitations/{x_id}", token=owner))
    measure("list org invitations (first page)", "GET /orgs/{org_id}/invitations",
            lambda i: api.call("GET", f"{org}/invitations", token=owner),
            note=f"{5 * total + 1} invitations in the org, page of 50")
    measure("list org pending invitations (first page)", "GET /orgs/{org_id}/invitations?status=pending",
            lambda i: api.call("GET", f"{org}/invitations?status=pending", token=owner),
            note=f"{5 * total + 1} pending, page of 50")
    x_token = api.token(x_sub)
    measure("list my invitations", "GET /invitations", lambda i: api.call("GET", "/invitations", token=x_token),
            note="caller has 1 pending invitation")

    a_tokens = [api.token(s) for s in a_subs]
    measure("accept invitation by token", "POST /invitations/accept",
            lambda i: api.call("POST", "/invitations/accept", token=a_tokens[i],
                               json_body={"token": links[f"{a_subs[i]}@example.com"]}), kind="accept")
    b_tokens = [api.token(s) for s in b_subs]
    measure("accept invitation by id", "POST /invitations/{invitation_id}/accept",
            lambda i: api.call("POST", f"/invitations/{b_ids[i]}/accept", token=b_tokens[i]), kind="accept")
    d_tokens = [api.token(s) for s in d_subs]
    measure("decline invitation by token", "POST /invitations/decline",
            lambda i: api.call("POST", "/invitations/decline", token=d_tokens[i],
                               json_body={"token": links[f"{d_subs[i]}@example.com"]}, expect=204), kind="write")
    e_tokens = [api.token(s) for s in e_subs]
    measure("decline invitation by id", "POST /invitations/{invitation_id}/decline",
            lambda i: api.call("POST", f"/invitations/{e_ids[i]}/decline", token=e_tokens[i], expect=204),
            kind="write")
    measure("revoke invitation", "DELETE /orgs/{org_id}/invitations/{invitation_id}",
            lambda i: api.call("DELETE", f"{org}/invitations/{r_ids[i]}", token=owner, expect=204), kind="write")

    # ---------------------------------------------------------------- members and teams
    out.members_in_org = 1 + 2 * total
    measure("list members (first page)", "GET /orgs/{org_id}/members",
            lambda i: api.call("GET", f"{org}/members", token=owner),
            note=f"{1 + 2 * total} members, page of 50")
    measure("list members ?role=owner (first page)", "GET /orgs/{org_id}/members?role=owner",
            lambda i: api.call("GET", f"{org}/members?role=owner", token=owner),
            note=f"1 owner among {1 + 2 * total} members")
    measure("get member", "GET /orgs/{org_id}/members/{user_id}",
            lambda i: api.call("GET", f"{org}/members/{a_subs[i]}", token=owner))
    measure("update member role", "PATCH /orgs/{org_id}/members/{user_id}",
            lambda i: api.call("PATCH", f"{org}/members/{a_subs[i]}", token=owner, json_body={"role": "admin"}),
            kind="write", note="member -> admin")
    teams = measure("create team", "POST /orgs/{org_id}/teams",
                    lambda i: api.call("POST", f"{org}/teams", token=owner, json_body={"name": f"Team {tag} {i}"},
                                       expect=201), kind="write")
    team = str(teams[0].response.json["id"])
    measure("put team member (add)", "PUT /orgs/{org_id}/teams/{team_id}/members/{user_id}",
            lambda i: api.call("PUT", f"{org}/teams/{team}/members/{a_subs[i]}", token=owner, json_body={}),
            kind="write")
    for b_sub in b_subs:
        api.call("PUT", f"{org}/teams/{team}/members/{b_sub}", token=owner, json_body={})
    measure("remove team member", "DELETE /orgs/{org_id}/teams/{team_id}/members/{user_id}",
            lambda i: api.call("DELETE", f"{org}/teams/{team}/members/{b_subs[i]}", token=owner, expect=204),
            kind="write")
    measure("get team", "GET /orgs/{org_id}/teams/{team_id}",
            lambda i: api.call("GET", f"{org}/teams/{team}", token=owner))
    measure("update team (rename)", "PATCH /orgs/{org_id}/teams/{team_id}",
            lambda i: api.call("PATCH", f"{org}/teams/{team}", token=owner, json_body={"name": f"Team {tag} v{i}"}),
            kind="write")
    measure("list teams (first page)", "GET /orgs/{org_id}/teams",
            lambda i: api.call("GET", f"{org}/teams", token=owner))
    measure("list team members (first page)", "GET /orgs/{org_id}/teams/{team_id}/members",
            lambda i: api.call("GET", f"{org}/teams/{team}/members", token=owner))
    measure("org audit log (first page)", "GET /orgs/{org_id}/audit",
            lambda i: api.call("GET", f"{org}/audit", token=owner))
    measure("remove member", "DELETE /orgs/{org_id}/members/{user_id}",
            lambda i: api.call("DELETE", f"{org}/members/{b_subs[i]}", token=owner, expect=204), kind="write",
            note="member on no team")
    measure("remove member on 1 team", "DELETE /orgs/{org_id}/members/{user_id}",
            lambda i: api.call("DELETE", f"{org}/members/{a_subs[i]}", token=owner, expect=204), kind="write",
            note="the team membership goes in the same transaction")
    team_ids = [str(c.response.json["id"]) for c in teams]
    measure("delete team", "DELETE /orgs/{org_id}/teams/{team_id}",
            lambda i: api.call("DELETE", f"{org}/teams/{team_ids[i]}", token=owner, expect=204), kind="write",
            note="a team with at most its last member's membership")

    # ---------------------------------------------------------------- operators, deletion
    measure("admin: list orgs (first page)", "GET /admin/orgs",
            lambda i: api.call("GET", "/admin/orgs", token=support))
    measure("admin: look up a user", "GET /admin/users/{user_id}",
            lambda i: api.call("GET", f"/admin/users/{owner_sub}", token=support),
            note=f"a user in {total + 1} orgs")
    measure("admin: find users by email prefix", "GET /admin/users?email=",
            lambda i: api.call("GET", f"/admin/users?email=bench-a-{tag}", token=support))
    measure("admin: app activity log (first page)", "GET /admin/audit",
            lambda i: api.call("GET", "/admin/audit", token=support))
    measure("admin: read settings", "GET /admin/settings",
            lambda i: api.call("GET", "/admin/settings", token=support))
    measure("admin: change settings", "PATCH /admin/settings",
            lambda i: api.call("PATCH", "/admin/settings", token=support,
                               json_body={"audit_retention_days": 365 - i % 2}), kind="write")
    api.drain()
    api.background()
    measure("delete org", "DELETE /orgs/{org_id}",
            lambda i: api.call("DELETE", f"/orgs/{doomed[i]}", token=owner, expect=204), kind="write",
            note="cleanup of the partition runs afterwards on the stream (see background)")
    api.drain()
    out.results[-1].background = _per_sample(api.background(), total)
    # leave no pending invitation behind: the expiry scenarios count what the index holds
    api.call("DELETE", f"{org}/invitations/{x_id}", token=owner, expect=204)
    return out
