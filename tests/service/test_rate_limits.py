"""Abuse limits on invitation mail: per org and per address per hour, counted in the table inside the
write, exact under concurrency, answered with 429 and Retry-After, and nothing written when refused."""

from __future__ import annotations

import pytest

from orgplane import clock, keys
from orgplane.errors import DomainError
from orgplane.models.invitations import CreateInvitation, ListInvitationsQuery
from orgplane.models.orgs import CreateOrg
from orgplane.services import invitations, orgs
from orgplane.store import table
from tests.support import world
from tests.support.race import race
from tests.support.world import code_of

alice = world.caller("alice")


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme")).id


def _refusal(call: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def _invite(org_id: str, email: str) -> str:
    return invitations.create(alice, org_id, CreateInvitation(email=email)).id


def test_the_org_limit_refuses_the_next_invitation_with_429_and_retry_after(org_id: str) -> None:
    world.put_settings("demo", invitations_per_org_per_hour=3)
    for i in range(3):
        _invite(org_id, f"user{i}@example.com")
    before = world.items_of(keys.org_pk("demo", org_id))
    refused = _refusal(lambda: _invite(org_id, "user3@example.com"))
    assert refused.code == "rate_limited" and refused.status == 429
    assert refused.headers is not None and 0 < int(refused.headers["Retry-After"]) <= 3600
    assert world.items_of(keys.org_pk("demo", org_id)) == before


def test_the_address_limit_counts_resends_and_a_new_hour_allows_again(org_id: str) -> None:
    invitation_id = _invite(org_id, "bob@example.com")  # the default: 3 mails per address per hour
    invitations.resend(alice, org_id, invitation_id)
    invitations.resend(alice, org_id, invitation_id)
    nonce = (table.get(keys.invitation("demo", org_id, invitation_id)) or {})["nonce"]
    assert code_of(lambda: invitations.resend(alice, org_id, invitation_id)) == "rate_limited"
    assert (table.get(keys.invitation("demo", org_id, invitation_id)) or {})["nonce"] == nonce
    clock.advance(3600)
    assert invitations.resend(alice, org_id, invitation_id).status == "pending"


def test_the_address_limit_holds_across_revoke_and_invite_again(org_id: str) -> None:
    world.put_settings("demo", invitation_sends_per_address_per_hour=2)
    invitations.revoke(alice, org_id, _invite(org_id, "bob@example.com"))
    invitations.revoke(alice, org_id, _invite(org_id, "Bob@Example.com"))
    assert code_of(lambda: _invite(org_id, "bob@example.com")) == "rate_limited"
    _invite(org_id, "carol@example.com")  # another address is not limited by bob's


def test_null_limits_are_unlimited(org_id: str) -> None:
    world.put_settings("demo", invitations_per_org_per_hour=None, invitation_sends_per_address_per_hour=None)
    invitation_id = _invite(org_id, "bob@example.com")
    for _ in range(5):
        invitations.resend(alice, org_id, invitation_id)


def test_racing_invitations_stop_exactly_at_the_org_limit(org_id: str) -> None:
    world.put_settings("demo", invitations_per_org_per_hour=4)

    def attempt(i: int) -> str:
        try:
            _invite(org_id, f"racer{i}@example.com")
            return "created"
        except DomainError as error:
            return error.code

    outcomes = race(*(lambda i=i: attempt(i) for i in range(10)))
    assert sorted(outcomes).count("created") == 4 and set(outcomes) == {"created", "rate_limited"}
    pending = invitations.list_for_org(alice, org_id, ListInvitationsQuery(status="pending")).data
    assert len(pending) == 4
