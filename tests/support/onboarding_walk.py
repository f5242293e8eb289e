"""The audit walk of the onboarding services (tests/service/test_audit_trail.py): invite links, bulk
invitations, domains (with a real local DNS resolver), the domain re-check, joining and join requests."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from devserver import dns
from devserver.local_routes import LocalRequest
from orgplane import clock
from orgplane.caller import Caller
from orgplane.models.domains import AddDomain
from orgplane.models.joining import ApproveJoinRequest, JoinRequest
from orgplane.models.onboarding import BulkInvitations, CreateInviteLink, InviteLinkToken
from orgplane.models.orgs import DomainJoin, UpdateOrg
from orgplane.services import bulk_invitations, domain_checks, domains, invite_links, joining, orgs
from tests.support import world


def requested(caller: Caller, org_id: str) -> JoinRequest:
    result = joining.join(caller, org_id)
    assert isinstance(result, JoinRequest)
    return result


Check = Callable[[str, Caller, str, tuple[str, str], Callable[[], Any]], dict[str, Any]]


def walk(check: Check, partition: str, org_id: str, owner: Caller) -> set[str]:
    seen: set[str] = set()
    server = dns.LocalDns()
    saved = os.environ.get("DNS_RESOLVER")
    os.environ["DNS_RESOLVER"] = server.address
    try:
        def record(action: str, caller: Caller, target: tuple[str, str], change: Callable[[], Any]) -> Any:
            seen.add(action)
            result: list[Any] = []
            check(partition, caller, action, target, lambda: result.append(change()))
            return result[0]

        check(partition, owner, "invitation.created", ("invitation", _any()),
              lambda: bulk_invitations.create_many(owner, org_id, BulkInvitations(invitations=[{"email": "x@y.test"}])))
        seen.add("invitation.created")
        link = invite_links.create(owner, org_id, CreateInviteLink())
        seen.add("invite_link.created")
        joiner = world.caller("linda")
        record("invite_link.accepted", joiner, ("invite_link", link.id),
               lambda: invite_links.accept(joiner, InviteLinkToken(token=link.token)))
        record("invite_link.revoked", owner, ("invite_link", link.id), lambda: invite_links.revoke(owner, org_id, link.id))

        added = record("domain.added", owner, ("domain", "walk.test"),
                       lambda: domains.add(owner, org_id, AddDomain(domain="walk.test")))
        dns.add_record(LocalRequest("POST", "/_local/dns", json={"name": added.verification.name,
                                                                 "value": added.verification.value}))
        record("domain.verified", owner, ("domain", "walk.test"), lambda: domains.verify(owner, org_id, "walk.test"))
        orgs.update(owner, org_id, UpdateOrg(domain_join=DomainJoin(mode="auto")))
        kim = world.caller("kim", email="kim@walk.test")
        record("member.added", kim, ("member", "kim"), lambda: joining.join(kim, org_id))
        orgs.update(owner, org_id, UpdateOrg(domain_join=DomainJoin(mode="request")))
        lee, max_ = world.caller("lee", email="lee@walk.test"), world.caller("max", email="max@walk.test")
        request = record("join_request.created", lee, ("join_request", _any()), lambda: joining.join(lee, org_id))
        record("join_request.approved", owner, ("join_request", request.id),
               lambda: joining.approve(owner, org_id, request.id, ApproveJoinRequest()))
        denied = requested(max_, org_id)
        record("join_request.denied", owner, ("join_request", denied.id), lambda: joining.deny(owner, org_id, denied.id))
        cancelled = requested(max_, org_id)
        record("join_request.cancelled", max_, ("join_request", cancelled.id), lambda: joining.cancel(max_, cancelled.id))

        dns.clear_records(LocalRequest("DELETE", "/_local/dns"))
        for _ in range(domain_checks.FAILURES_TO_UNVERIFY):
            clock.advance(domains.RECHECK_SECONDS + 1)
            domain_checks.run()
        assert any(e.get("action") == "domain.unverified" and e["actor"]["user_id"] == domain_checks.ACTOR
                   for e in world.items_of(partition))
        seen.add("domain.unverified")
        record("domain.removed", owner, ("domain", "walk.test"), lambda: domains.remove(owner, org_id, "walk.test"))
    finally:
        clock.reset()
        dns.clear_records(LocalRequest("DELETE", "/_local/dns"))
        server.stop()
        if saved is None:
            os.environ.pop("DNS_RESOLVER", None)
        else:
            os.environ["DNS_RESOLVER"] = saved
    return seen


class _any(str):
    def __new__(cls) -> _any:
        return super().__new__(cls, "")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)

    def __hash__(self) -> int:
        return 0
