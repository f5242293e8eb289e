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
    # the bench sends more invitations (and resends to one address) than the default hourly limits allow
    api.call("PATCH", "/admin/settings", token=support,
             json_body={"invitations_per_org_per_hour": None, "invitation_sends_per_address_per_hour": None})

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
    measure("restore org", "POST /admin/orgs/{org_id}/restore",
            lambda i: api.call("POST", f"/admin/orgs/{doomed[i]}/restore", token=support, json_body={}),
            kind="write", note="support; the unhide walk runs afterwards on the stream")
    api.drain()
    # leave no pending invitation behind: the expiry scenarios count what the index holds
    api.call("DELETE", f"{org}/invitations/{x_id}", token=owner, expect=204)
    part_two(api, total, tag, measure, owner, support)
    return out


def part_two(api: Api, total: int, tag: str, measure: Callable[..., list[Call]], owner: str, support: str) -> None:
    """Part two's routes: a backend's service principal, onboarding, webhooks, lifecycle, events."""
    backend = api.service_token()
    reader = api.service_token("orgplane/read")

    # ---------------------------------------------------------------- a backend (service principal)
    measure("service: create org with owner", "POST /orgs (service, owner)",
            lambda i: api.call("POST", "/orgs", token=backend, expect=201,
                               json_body={"name": f"Svc {tag} {i}",
                                          "owner": {"user_id": f"svc-o-{tag}-{i}",
                                                    "email": f"svc-o-{tag}-{i}@example.com"}}), kind="write")
    svc = str(api.call("POST", "/orgs", token=backend, expect=201, json_body={
        "name": f"Svc main {tag}", "owner": {"user_id": f"svc-owner-{tag}",
                                             "email": f"svc-owner-{tag}@example.com"}}).response.json["id"])
    measure("service: put member (add)", "PUT /orgs/{org_id}/members/{user_id} (service)",
            lambda i: api.call("PUT", f"/orgs/{svc}/members/svc-m-{tag}-{i}", token=backend, expect=201,
                               json_body={"role": "member", "email": f"svc-m-{tag}-{i}@example.com"}), kind="write")
    checks = [{"user_id": f"svc-m-{tag}-{i % total}", "org_id": svc, "permission": p}
              for i, p in enumerate(["org:read", "member:read", "member:invite", "org:delete", "audit:read"] * 2)]
    measure("service: authz check (10 rows)", "POST /authz/check",
            lambda i: api.call("POST", "/authz/check", token=backend, json_body={"checks": checks}),
            note="10 checks of one org")
    member_token = api.token(f"svc-m-{tag}-0")
    measure("org token", "POST /orgs/{org_id}/token",
            lambda i: api.call("POST", f"/orgs/{svc}/token", token=member_token),
            note="signed by KMS (locally a key file): 1 KMS Sign per token when deployed")
    measure("service: read events (first page)", "GET /events",
            lambda i: api.call("GET", "/events", token=reader))

    # ---------------------------------------------------------------- webhooks (support)
    def create_hook(i: int) -> Call:
        created = api.call("POST", "/admin/webhooks", token=support, expect=201, json_body={
            "url": f"http://127.0.0.1:9/bench/{tag}/{i}", "types": ["org.deleted"]})
        api.call("DELETE", f"/admin/webhooks/{created.response.json['id']}", token=support, expect=204)
        return created

    measure("webhook: create", "POST /admin/webhooks", create_hook, kind="write",
            note="each deleted again (unmeasured): an app holds at most 20")
    hook = str(api.call("POST", "/admin/webhooks", token=support, expect=201, json_body={
        "url": f"http://127.0.0.1:9/bench/{tag}", "types": ["org.deleted"]}).response.json["id"])
    measure("webhook: update", "PATCH /admin/webhooks/{webhook_id}",
            lambda i: api.call("PATCH", f"/admin/webhooks/{hook}", token=support,
                               json_body={"description": f"bench {i}"}), kind="write")
    measure("webhook: rotate secret", "POST /admin/webhooks/{webhook_id}/rotate-secret",
            lambda i: api.call("POST", f"/admin/webhooks/{hook}/rotate-secret", token=support), kind="write")
    api.call("DELETE", f"/admin/webhooks/{hook}", token=support, expect=204)

    # ---------------------------------------------------------------- onboarding
    main = str(api.call("POST", "/orgs", token=owner, json_body={"name": f"Onboard {tag}"},
                        expect=201).response.json["id"])
    org = f"/orgs/{main}"
    measure("bulk invitations (10 rows)", "POST /orgs/{org_id}/invitations/bulk",
            lambda i: api.call("POST", f"{org}/invitations/bulk", token=owner, json_body={"invitations": [
                {"email": f"bulk-{tag}-{i}-{n}@example.com"} for n in range(10)]}), kind="write",
            note="one mutation of 10 rows")
    measure("invite link: create", "POST /orgs/{org_id}/invite-links",
            lambda i: api.call("POST", f"{org}/invite-links", token=owner, json_body={}, expect=201), kind="write")
    link = str(api.call("POST", f"{org}/invite-links", token=owner, json_body={},
                        expect=201).response.json["token"])
    link_tokens = [api.token(f"link-{tag}-{i}") for i in range(total)]
    measure("invite link: accept", "POST /invite-links/accept",
            lambda i: api.call("POST", "/invite-links/accept", token=link_tokens[i], json_body={"token": link}),
            kind="accept")

    # one org per sample: domains (20 per org at most) and ownership transfers
    orgs = [str(api.call("POST", "/orgs", token=owner, json_body={"name": f"Pair {tag} {i}"},
                         expect=201).response.json["id"]) for i in range(total)]
    heirs = [f"heir-{tag}-{i}" for i in range(total)]
    for org_id, heir in zip(orgs, heirs, strict=True):
        api.call("PUT", f"/orgs/{org_id}/members/{heir}", token=backend, expect=201,
                 json_body={"role": "admin", "email": f"{heir}@example.com"})
    domains = [f"d{i}-{tag}.bench.test" for i in range(total)]
    added = measure("domain: add", "POST /orgs/{org_id}/domains",
                    lambda i: api.call("POST", f"/orgs/{orgs[i]}/domains", token=owner,
                                       json_body={"domain": domains[i]}, expect=201), kind="write")
    for call in added:
        record = call.response.json["verification"]
        api.call("POST", "/_local/dns", json_body={"name": record["name"], "type": "TXT", "value": record["value"]},
                 expect=201)
    measure("domain: verify", "POST /orgs/{org_id}/domains/{domain}/verify",
            lambda i: api.call("POST", f"/orgs/{orgs[i]}/domains/{domains[i]}/verify", token=owner), kind="write",
            note="one DNS TXT lookup (local resolver)")
    api.call("PATCH", f"/orgs/{orgs[0]}", token=owner, json_body={"domain_join": {"mode": "request"}})
    joiners = [api.token(f"joiner-{tag}-{i}", email=f"joiner-{tag}-{i}@{domains[0]}") for i in range(total)]
    asked = measure("join request: create", "POST /orgs/{org_id}/join",
                    lambda i: api.call("POST", f"/orgs/{orgs[0]}/join", token=joiners[i], expect=202), kind="write",
                    note="join policy `request`, the caller's verified email at the org's domain")
    request_ids = [str(c.response.json["id"]) for c in asked]
    measure("join request: approve", "POST /orgs/{org_id}/join-requests/{request_id}/approve",
            lambda i: api.call("POST", f"/orgs/{orgs[0]}/join-requests/{request_ids[i]}/approve", token=owner),
            kind="write")

    # ---------------------------------------------------------------- ownership transfer
    started = measure("ownership transfer: start", "POST /orgs/{org_id}/ownership-transfers",
                      lambda i: api.call("POST", f"/orgs/{orgs[i]}/ownership-transfers", token=owner, expect=201,
                                         json_body={"to_user_id": heirs[i]}), kind="write")
    transfer_ids = [str(c.response.json["id"]) for c in started]
    heir_tokens = [api.token(h) for h in heirs]
    measure("ownership transfer: accept", "POST /orgs/{org_id}/ownership-transfers/{transfer_id}/accept",
            lambda i: api.call("POST", f"/orgs/{orgs[i]}/ownership-transfers/{transfer_ids[i]}/accept",
                               token=heir_tokens[i]), kind="write")
    api.drain()
