"""The scheduled re-check of verified domains: a record still there keeps the domain verified; one
gone for three checks in a row sends the domain back to pending, frees its name and is audited."""

from __future__ import annotations

from devserver import dns
from devserver.local_routes import LocalRequest
from orgplane import clock, keys
from orgplane.models.orgs import CreateOrg
from orgplane.services import domain_checks, domains, orgs
from orgplane.store import table
from tests.service.test_domains import add_and_publish, resolver  # noqa: F401  (the DNS fixture)
from tests.support import world

alice = world.caller("alice")


def verified_org() -> str:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    add_and_publish(org_id, "acme.test")
    domains.verify(alice, org_id, "acme.test")
    return org_id


def test_nothing_is_due_before_a_day_and_a_record_still_there_keeps_the_domain_verified() -> None:
    org_id = verified_org()
    assert domain_checks.run() == {"ok": 0, "failed": 0, "unverified": 0, "released": 0, "kept": 0}
    clock.advance(domains.RECHECK_SECONDS + 1)
    assert domain_checks.run() == {"ok": 1, "failed": 0, "unverified": 0, "released": 0, "kept": 0}
    assert domain_checks.run()["ok"] == 0  # the next check is a day away again
    assert domains.get(alice, org_id, "acme.test").status == "verified"


def test_a_record_gone_three_checks_in_a_row_unverifies_the_domain_and_frees_its_name() -> None:
    org_id = verified_org()
    dns.clear_records(LocalRequest("DELETE", "/_local/dns"))
    clock.advance(domains.RECHECK_SECONDS + 1)
    assert domain_checks.run()["failed"] == 1
    clock.advance(domain_checks.RETRY_SECONDS + 1)
    assert domain_checks.run()["failed"] == 1
    assert domains.get(alice, org_id, "acme.test").status == "verified"
    clock.advance(domain_checks.RETRY_SECONDS + 1)
    assert domain_checks.run()["unverified"] == 1
    shown = domains.get(alice, org_id, "acme.test")
    assert (shown.status, shown.verified_at) == ("pending", None)
    assert table.get(keys.domain_claim("demo", "acme.test")) is None
    events = [e for e in world.items_of(keys.audit_pk("demo", org_id)) if e["action"] == "domain.unverified"]
    assert [e["actor"]["user_id"] for e in events] == [domain_checks.ACTOR]


def test_a_record_back_before_the_third_failure_resets_the_count() -> None:
    verified_org()
    records = dns.list_records(LocalRequest("GET", "/_local/dns"))[1]["data"]
    dns.clear_records(LocalRequest("DELETE", "/_local/dns"))
    clock.advance(domains.RECHECK_SECONDS + 1)
    domain_checks.run()
    for record in records:
        dns.add_record(LocalRequest("POST", "/_local/dns", json=record))
    clock.advance(domain_checks.RETRY_SECONDS + 1)
    assert domain_checks.run()["ok"] == 1
    assert (table.get(keys.domain_claim("demo", "acme.test")) or {})["failed_checks"] == 0


def test_a_removed_domain_is_no_longer_checked() -> None:
    org_id = verified_org()
    domains.remove(alice, org_id, "acme.test")
    clock.advance(domains.RECHECK_SECONDS + 1)
    assert domain_checks.run() == {"ok": 0, "failed": 0, "unverified": 0, "released": 0, "kept": 0}


def test_recheck_domains_handler_runs_the_job() -> None:
    from devserver import loader, template

    verified_org()
    clock.advance(domains.RECHECK_SECONDS + 1)
    [function] = [f for f in template.functions() if f.name == "recheck_domains"]
    assert loader.load_handler(function)({}, loader.LambdaContext("recheck_domains"))["ok"] == 1


def test_the_claim_of_a_deleted_org_is_released() -> None:
    world.put_settings("demo", org_restore_days=0)  # deleted for good: nothing can bring its claim back
    org_id = verified_org()
    orgs.delete(alice, org_id)
    clock.advance(domains.RECHECK_SECONDS + 1)
    assert domain_checks.run()["released"] == 1
    assert table.get(keys.domain_claim("demo", "acme.test")) is None


def test_a_restorable_deleted_orgs_claim_outlives_the_recheck_and_comes_back_with_the_org() -> None:
    from orgplane.models.orgs import DomainJoin, RestoreOrg, UpdateOrg
    from orgplane.services import expiry, joining, lifecycle

    org_id = verified_org()
    orgs.delete(alice, org_id)  # restorable for 30 days (the default org_restore_days)
    clock.advance(domains.RECHECK_SECONDS + 1)
    domain_checks.run()
    assert (table.get(keys.domain_claim("demo", "acme.test")) or {}).get("org_id") == org_id
    clock.advance(domains.RECHECK_SECONDS + 1)
    assert domain_checks.run()["kept"] == 1  # still its own, checked again a day later, no lookup
    lifecycle.restore(world.caller("sam", support=True), org_id, RestoreOrg())
    orgs.update(alice, org_id, UpdateOrg(domain_join=DomainJoin(mode="auto")))
    kim = world.caller("kim", email="kim@acme.test")
    assert [o.id for o in joining.joinable(kim).data] == [org_id]  # people of the domain find it again
    orgs.delete(alice, org_id)
    clock.advance(31 * 86400)
    assert expiry.run_purges() == 1  # gone for good now: the next check frees the name
    assert domain_checks.run()["released"] == 1
    assert table.get(keys.domain_claim("demo", "acme.test")) is None
