"""Verified domains: IDNA normalisation, public suffixes and free mail refused, a real DNS TXT lookup
(the local server's dnslib resolver), one verifying org per domain per app, isolation and permissions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devserver import dns
from devserver.local_routes import LocalRequest
from orgplane import keys
from orgplane.models.common import ListQuery
from orgplane.models.domains import AddDomain
from orgplane.models.orgs import CreateOrg
from orgplane.services import domains, orgs
from orgplane.store import table
from tests.service.test_handlers import call
from tests.support import reads, world
from tests.support.race import race
from tests.support.world import code_of

alice = world.caller("alice")


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[dns.LocalDns]:
    server = dns.LocalDns()
    monkeypatch.setenv("DNS_RESOLVER", server.address)
    dns.clear_records(LocalRequest("DELETE", "/_local/dns"))
    try:
        yield server
    finally:
        dns.clear_records(LocalRequest("DELETE", "/_local/dns"))
        server.stop()


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme")).id


def publish(name: str, value: str) -> None:
    assert dns.add_record(LocalRequest("POST", "/_local/dns", json={"name": name, "type": "TXT", "value": value}))[0] == 201


def add(org_id: str, domain: str, who: Any = alice) -> Any:
    return domains.add(who, org_id, AddDomain(domain=domain))


def add_and_publish(org_id: str, domain: str) -> Any:
    added = add(org_id, domain)
    publish(added.verification.name, added.verification.value)
    return added


def test_adding_a_domain_gives_the_txt_record_and_verifying_finds_it_in_dns(org_id: str) -> None:
    added = add(org_id, "Acme.Test")
    assert (added.domain, added.status, added.verified_at) == ("acme.test", "pending", None)
    assert added.verification.type == "TXT" and added.verification.name == "_orgplane-verification.acme.test"
    assert code_of(lambda: domains.verify(alice, org_id, "acme.test")) == "domain_not_verified"
    publish(added.verification.name, "something-else")
    assert code_of(lambda: domains.verify(alice, org_id, "acme.test")) == "domain_not_verified"
    publish(added.verification.name, added.verification.value)
    verified = domains.verify(alice, org_id, "ACME.test")
    assert verified.status == "verified" and verified.verified_at
    assert domains.get(alice, org_id, "acme.test").status == "verified"
    assert [d.domain for d in domains.list_for_org(alice, org_id, ListQuery()).data] == ["acme.test"]
    assert (table.get(keys.domain_claim("demo", "acme.test")) or {})["org_id"] == org_id
    actions = [e["action"] for e in world.items_of(keys.audit_pk("demo", org_id))]
    assert {"domain.added", "domain.verified"} <= set(actions)


def test_internationalised_domains_are_kept_as_their_a_label(org_id: str) -> None:
    assert add(org_id, "Bücher.example").domain == "xn--bcher-kva.example"
    assert code_of(lambda: add(org_id, "xn--bcher-kva.example")) == "domain_taken"  # the same domain


@pytest.mark.parametrize("domain", ["gmail.com", "outlook.com", "co.uk", "github.io", "com", "test"])
def test_public_suffixes_and_free_mail_domains_are_not_allowed(org_id: str, domain: str) -> None:
    assert code_of(lambda: add(org_id, domain)) == "domain_not_allowed"


@pytest.mark.parametrize("domain", ["not a domain", "-acme.test", "acme..test", "*.acme.test", "acme.test/x",
                                    "ａｃｍｅ.test", "a" * 64 + ".test"])
def test_what_is_no_domain_name_is_a_validation_error(org_id: str, domain: str) -> None:
    assert code_of(lambda: add(org_id, domain)) == "validation_error"


def test_a_second_org_cannot_verify_or_add_a_verified_domain(org_id: str) -> None:
    other = orgs.create(alice, CreateOrg(name="Other")).id
    second = add(other, "acme.test")  # before anyone verified: both may add it
    add_and_publish(org_id, "acme.test")
    publish(second.verification.name, second.verification.value)
    domains.verify(alice, org_id, "acme.test")
    assert code_of(lambda: domains.verify(alice, other, "acme.test")) == "domain_taken"
    third = orgs.create(alice, CreateOrg(name="Third")).id
    assert code_of(lambda: add(third, "acme.test")) == "domain_taken"
    domains.remove(alice, org_id, "acme.test")  # frees the name
    assert domains.verify(alice, other, "acme.test").status == "verified"


def test_racing_verifications_of_one_domain_by_two_orgs_leave_one_verified(org_id: str) -> None:
    other = orgs.create(alice, CreateOrg(name="Other")).id
    for org in (org_id, other):
        add_and_publish(org, "acme.test")
    answers = race(lambda: domains.verify(alice, org_id, "acme.test").status,
                   lambda: domains.verify(alice, other, "acme.test").status)
    assert sorted(answers) == ["domain_taken", "verified"]


def test_an_org_holds_at_most_twenty_domains(org_id: str) -> None:
    for i in range(domains.MAX_DOMAINS_PER_ORG):
        add(org_id, f"d{i}.test")
    assert code_of(lambda: add(org_id, "one-more.test")) == "validation_error"
    domains.remove(alice, org_id, "d0.test")
    add(org_id, "one-more.test")


def test_domains_need_domain_manage(org_id: str) -> None:
    world.add_member(org_id, "adam", role="admin")
    world.add_member(org_id, "bob")
    assert add(org_id, "acme.test", who=world.caller("adam")).domain == "acme.test"
    bob = world.caller("bob")
    for action in (lambda: add(org_id, "b.test", who=bob), lambda: domains.list_for_org(bob, org_id, ListQuery()),
                   lambda: domains.get(bob, org_id, "acme.test"), lambda: domains.verify(bob, org_id, "acme.test"),
                   lambda: domains.remove(bob, org_id, "acme.test")):
        assert code_of(action) == "forbidden"


# --- the HTTP edge -----------------------------------------------------------------------------

DOMAINS = "/orgs/{org_id}/domains"
DOMAIN = "/orgs/{org_id}/domains/{domain}"
BOB = {"app_id": "demo", "sub": "bob", "email": "bob@example.com"}


def http(name: str, method: str, org_id: str, domain: str | None = None, suffix: str = "", body: Any = None,
         identity: dict[str, Any] | None = None) -> tuple[int, Any, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    if body is not None:
        kwargs["body"] = body
    if domain is None:
        return call(name, method, DOMAINS, f"/orgs/{org_id}/domains", path_params={"org_id": org_id}, **kwargs)
    return call(name, method, DOMAIN + suffix, f"/orgs/{org_id}/domains/{domain}{suffix}",
                path_params={"org_id": org_id, "domain": domain}, **kwargs)


def every_route(org_id: str, identity: dict[str, Any] | None = None) -> list[tuple[int, Any, str]]:
    return [http("add_domain", "POST", org_id, body={"domain": "new.test"}, identity=identity),
            http("list_domains", "GET", org_id, identity=identity),
            http("get_domain", "GET", org_id, "acme.test", identity=identity),
            http("verify_domain", "POST", org_id, "acme.test", "/verify", identity=identity),
            http("remove_domain", "DELETE", org_id, "acme.test", identity=identity)]


def test_domain_routes_answer_201_200_200_409_and_204(org_id: str) -> None:
    statuses = [status for status, _, _ in every_route(org_id)[:1]]
    added = http("add_domain", "POST", org_id, body={"domain": "acme.test"})
    assert statuses == [201] and added[0] == 201 and added[1]["verification"]["type"] == "TXT"
    assert http("list_domains", "GET", org_id)[1]["data"][0]["domain"] in {"acme.test", "new.test"}
    assert http("get_domain", "GET", org_id, "acme.test")[0] == 200
    assert http("verify_domain", "POST", org_id, "acme.test", "/verify")[1]["code"] == "domain_not_verified"
    publish(added[1]["verification"]["name"], added[1]["verification"]["value"])
    assert http("verify_domain", "POST", org_id, "acme.test", "/verify")[1]["status"] == "verified"
    assert http("remove_domain", "DELETE", org_id, "acme.test")[0] == 204
    assert http("get_domain", "GET", org_id, "acme.test")[1]["code"] == "domain_not_found"


def test_domain_routes_are_404_for_another_org_and_another_app(org_id: str) -> None:
    add(org_id, "acme.test")
    for identity in ({"app_id": "demo", "sub": "stranger"}, {"app_id": "other", "sub": "alice"}):
        for status, problem, _ in every_route(org_id, identity):
            assert status == 404 and problem["code"] == "org_not_found"
    assert [d.domain for d in domains.list_for_org(alice, org_id, ListQuery()).data] == ["acme.test"]


def test_domain_routes_are_403_for_a_plain_member(org_id: str) -> None:
    add(org_id, "acme.test")
    world.add_member(org_id, "bob")
    for status, problem, _ in every_route(org_id, BOB):
        assert status == 403 and problem["code"] == "forbidden"


@pytest.mark.parametrize("body", [{}, {"domain": 5}, {"domain": ["acme.test"]}, {"domain": "acme.test", "x": 1},
                                  {"domain": "ac"}, {"domain": "a" * 300}, {"domain": "acme test"}])
def test_add_domain_refuses_bad_bodies_with_400(org_id: str, body: Any) -> None:
    status, problem, _ = http("add_domain", "POST", org_id, body=body)
    assert status == 400 and problem["code"] == "validation_error"
    assert domains.list_for_org(alice, org_id, ListQuery()).data == []


def test_a_path_that_is_no_domain_is_404(org_id: str) -> None:
    status, problem, _ = http("get_domain", "GET", org_id, "not%20a%20domain")
    assert status == 404 and problem["code"] == "domain_not_found"


def test_adding_a_domain_nobody_claims_is_one_write(org_id: str) -> None:
    add(org_id, "warm.test")  # the container now knows the org's event counter
    with reads.requests_sent() as sent:
        add(org_id, "acme.test")
    assert sent == ["TransactWriteItems"]


def test_a_domain_left_verified_by_a_deleted_org_may_be_added_and_verified_by_another(org_id: str) -> None:
    world.put_settings("demo", org_restore_days=0)  # deleted for good: nothing can bring its claim back
    add_and_publish(org_id, "acme.test")
    domains.verify(alice, org_id, "acme.test")
    other = orgs.create(alice, CreateOrg(name="Other")).id
    orgs.delete(alice, org_id)
    second = add(other, "acme.test")  # the claim fails the one-write attempt; the read path lets it be
    publish(second.verification.name, second.verification.value)
    assert domains.verify(alice, other, "acme.test").status == "verified"


def test_a_restorable_deleted_org_keeps_its_domain_until_it_is_purged(org_id: str) -> None:
    from orgplane import clock
    from orgplane.models.orgs import RestoreOrg
    from orgplane.services import expiry, lifecycle

    world.put_settings("demo", org_restore_days=1)
    add_and_publish(org_id, "acme.test")
    domains.verify(alice, org_id, "acme.test")
    other = orgs.create(alice, CreateOrg(name="Other")).id
    orgs.delete(alice, org_id)
    assert code_of(lambda: add(other, "acme.test")) == "domain_taken"  # support may still restore the first
    sam = world.caller("sam", support=True)
    lifecycle.restore(sam, org_id, RestoreOrg())
    assert [(d.domain, d.status) for d in domains.list_for_org(alice, org_id, ListQuery()).data] == \
        [("acme.test", "verified")]  # restored exactly, its claim still its own
    orgs.delete(alice, org_id)
    clock.advance(86401)
    assert expiry.run_purges() == 1  # gone for good now: the claim is free to take over
    second = add(other, "acme.test")
    publish(second.verification.name, second.verification.value)
    assert domains.verify(alice, other, "acme.test").status == "verified"
