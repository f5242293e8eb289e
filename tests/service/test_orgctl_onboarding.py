"""orgctl's onboarding commands (domains, join requests, invite links) against the real handlers."""

from __future__ import annotations

import json

from orgplane.models.orgs import CreateOrg, DomainJoin, UpdateOrg
from orgplane.services import orgs
from tests.service.test_domains import publish, resolver  # noqa: F401  (the DNS fixture)
from tests.service.test_joining import requested
from tests.service.test_orgctl import orgctl
from tests.support import world


def test_domains_add_verify_list_and_remove_through_orgctl() -> None:
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme")).id
    code, out, _ = orgctl("--json", "domains", "add", org_id, "acme.test")
    assert code == 0
    added = json.loads(out)
    code, _, err = orgctl("domains", "verify", org_id, "acme.test")
    assert code == 1 and err.startswith("domain_not_verified:")
    publish(added["verification"]["name"], added["verification"]["value"])
    code, out, _ = orgctl("domains", "verify", org_id, "acme.test")
    assert code == 0 and "verified" in out
    code, out, _ = orgctl("domains", "list", org_id)
    assert code == 0 and out.splitlines()[0].split()[:2] == ["DOMAIN", "STATUS"] and "acme.test" in out
    code, out, _ = orgctl("domains", "remove", org_id, "acme.test")
    assert code == 0 and "removed acme.test" in out
    code, _, err = orgctl("domains", "add", org_id, "gmail.com")
    assert code == 1 and err.startswith("domain_not_allowed:")


def test_join_requests_list_approve_and_deny_through_orgctl() -> None:
    alice = world.caller("alice")
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    code, out, _ = orgctl("--json", "domains", "add", org_id, "acme.test")
    added = json.loads(out)
    publish(added["verification"]["name"], added["verification"]["value"])
    orgctl("domains", "verify", org_id, "acme.test")
    orgs.update(alice, org_id, UpdateOrg(domain_join=DomainJoin(mode="request")))
    kim = requested(world.caller("kim", email="kim@acme.test"), org_id)
    lee = requested(world.caller("lee", email="lee@acme.test"), org_id)
    code, out, _ = orgctl("join-requests", "list", org_id, "--status", "pending")
    assert code == 0 and kim.id in out and lee.id in out
    code, out, _ = orgctl("--json", "join-requests", "approve", org_id, kim.id, "--role", "admin")
    assert code == 0 and json.loads(out)["role"] == "admin"
    code, out, _ = orgctl("join-requests", "deny", org_id, lee.id)
    assert code == 0 and f"denied {lee.id}" in out


def test_links_create_list_and_revoke_through_orgctl() -> None:
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme")).id
    code, out, _ = orgctl("--json", "links", "create", org_id, "--max-uses", "5", "--domain", "acme.test")
    link = json.loads(out)
    assert code == 0 and link["max_uses"] == 5 and link["allowed_domains"] == ["acme.test"] and link["token"]
    code, out, _ = orgctl("links", "create", org_id)
    assert code == 0 and "url (shown only now):" in out
    code, out, _ = orgctl("links", "list", org_id)
    assert code == 0 and link["id"] in out and link["token"] not in out
    code, out, _ = orgctl("links", "revoke", org_id, link["id"])
    assert code == 0 and f"revoked {link['id']}" in out
