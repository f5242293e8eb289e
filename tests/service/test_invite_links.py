"""Invite links: token shown once and stored as a hash; max_uses exact under racing accepts; allowed
domains on the verified email; seat limit; revoke; expiry; isolation at the HTTP edge."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from orgplane import clock, keys
from orgplane.models.common import ListQuery
from orgplane.models.invitations import CreateInvitation
from orgplane.models.onboarding import CreatedInviteLink, CreateInviteLink, InviteLinkToken
from orgplane.models.orgs import CreateOrg
from orgplane.services import invitations, invite_links, orgs
from orgplane.store import table
from tests.service.test_handlers import call
from tests.support import reads, world
from tests.support.race import race
from tests.support.world import code_of

alice = world.caller("alice")


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme")).id


def new_link(org_id: str, who: Any = alice, **fields: Any) -> CreatedInviteLink:
    return invite_links.create(who, org_id, CreateInviteLink(**fields))


def join(token: str, sub: str, **caller: Any) -> Any:
    return invite_links.accept(world.caller(sub, **caller), InviteLinkToken(token=token))


def test_a_link_is_shown_once_with_its_token_and_stored_only_as_a_hash(org_id: str) -> None:
    link = new_link(org_id, max_uses=3, allowed_domains=["Example.COM"])
    assert link.id.startswith("il_") and link.uses == 0 and link.max_uses == 3 and link.status == "active"
    assert link.allowed_domains == ["example.com"] and link.role == "member"
    assert link.token.startswith(f"{org_id}.{link.id}.") and link.url.endswith(link.token.replace(".", "."))
    stored = table.get(keys.invite_link("demo", org_id, link.id)) or {}
    secret = link.token.rsplit(".", 1)[1]
    assert stored["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(stored) and link.token not in str(world.items_of(keys.audit_pk("demo", org_id)))
    listed = invite_links.list_for_org(alice, org_id, ListQuery()).data
    assert [(item.id, item.uses) for item in listed] == [(link.id, 0)]
    assert "token" not in listed[0].model_dump()


def test_joining_by_link_adds_the_member_with_the_links_role_and_counts_the_use(org_id: str) -> None:
    link = new_link(org_id, role="admin")
    member = join(link.token, "bob")
    assert (member.user_id, member.role, member.email) == ("bob", "admin", "bob@example.com")
    assert invite_links.list_for_org(alice, org_id, ListQuery()).data[0].uses == 1
    assert code_of(lambda: join(link.token, "bob")) == "already_member"
    events = [e["action"] for e in world.items_of(keys.audit_pk("demo", org_id))]
    assert {"invite_link.created", "invite_link.accepted"} <= set(events)


def test_twenty_racing_accepts_of_a_five_use_link_give_five_members(org_id: str) -> None:
    link = new_link(org_id, max_uses=5)
    answers = race(*[(lambda i=i: join(link.token, f"racer{i}").user_id) for i in range(20)])
    joined = [a for a in answers if str(a).startswith("racer")]
    assert len(joined) == 5
    assert set(answers) - set(joined) == {"invite_link_not_found"}
    assert (table.get(keys.org("demo", org_id)) or {})["member_count"] == 6
    assert invite_links.list_for_org(alice, org_id, ListQuery()).data[0].status == "used_up"


def test_allowed_domains_compare_the_verified_emails_a_label_domain(org_id: str) -> None:
    link = new_link(org_id, allowed_domains=["bücher.example"])
    assert link.allowed_domains == ["xn--bcher-kva.example"]
    assert code_of(lambda: join(link.token, "eve", email="eve@other.example")) == "forbidden"
    assert code_of(lambda: join(link.token, "mal", email="mal@bücher.example", email_verified=False)) == "forbidden"
    assert join(link.token, "kim", email="kim@BÜCHER.example").user_id == "kim"


def test_unknown_revoked_and_used_up_links_are_404_and_expired_ones_410(org_id: str) -> None:
    link = new_link(org_id, max_uses=1, expires_in_seconds=600)
    forged = link.token[:-4] + ("AAAA" if not link.token.endswith("AAAA") else "BBBB")
    for token in (forged, "nonsense", f"{org_id}.il_01JD0000000000000000000000.{'A' * 43}"):
        assert code_of(lambda token=token: join(token, "bob")) == "invite_link_not_found"
    clock.advance(601)
    assert code_of(lambda: join(link.token, "bob")) == "invite_link_expired"
    clock.reset()
    join(link.token, "bob")
    assert code_of(lambda: join(link.token, "carol")) == "invite_link_not_found"
    other = new_link(org_id)
    invite_links.revoke(alice, org_id, other.id)
    assert code_of(lambda: join(other.token, "carol")) == "invite_link_not_found"
    assert code_of(lambda: invite_links.revoke(alice, org_id, other.id)) == "invite_link_not_found"


def test_the_seat_limit_holds_for_link_joins(org_id: str) -> None:
    world.put_settings("demo", max_members_per_org=2)
    invitations.create(alice, org_id, CreateInvitation(email="pending@example.com"))
    link = new_link(org_id)
    assert code_of(lambda: join(link.token, "bob")) == "member_limit_reached"
    assert invite_links.list_for_org(alice, org_id, ListQuery()).data[0].uses == 0


def test_an_address_with_a_pending_invitation_is_told_to_accept_it(org_id: str) -> None:
    invitations.create(alice, org_id, CreateInvitation(email="bob@example.com"))
    assert code_of(lambda: join(new_link(org_id).token, "bob")) == "invitation_pending"


def test_a_link_never_grants_more_than_its_creator_holds(org_id: str) -> None:
    world.add_member(org_id, "adam", role="admin")
    world.add_member(org_id, "bob")
    assert code_of(lambda: new_link(org_id, who=world.caller("adam"), role="owner")) == "forbidden"
    assert new_link(org_id, who=world.caller("adam"), role="admin").role == "admin"
    assert code_of(lambda: new_link(org_id, who=world.caller("bob"))) == "forbidden"
    assert code_of(lambda: invite_links.list_for_org(world.caller("bob"), org_id, ListQuery())) == "forbidden"


# --- the HTTP edge -----------------------------------------------------------------------------

LINKS = "/orgs/{org_id}/invite-links"
LINK = "/orgs/{org_id}/invite-links/{link_id}"
BOB = {"app_id": "demo", "sub": "bob", "email": "bob@example.com"}


def create_http(org_id: str, body: Any, identity: dict[str, Any] | None = None) -> tuple[int, Any, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call("create_invite_link", "POST", LINKS, f"/orgs/{org_id}/invite-links", path_params={"org_id": org_id},
                body=body, **kwargs)


def list_http(org_id: str, identity: dict[str, Any] | None = None) -> tuple[int, Any, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call("list_invite_links", "GET", LINKS, f"/orgs/{org_id}/invite-links", path_params={"org_id": org_id},
                **kwargs)


def revoke_http(org_id: str, link_id: str, identity: dict[str, Any] | None = None) -> tuple[int, Any, str]:
    kwargs: dict[str, Any] = {"identity": identity} if identity else {}
    return call("revoke_invite_link", "DELETE", LINK, f"/orgs/{org_id}/invite-links/{link_id}",
                path_params={"org_id": org_id, "link_id": link_id}, **kwargs)


def accept_http(body: Any, identity: dict[str, Any] = BOB) -> tuple[int, Any, str]:
    return call("accept_invite_link", "POST", "/invite-links/accept", "/invite-links/accept", body=body,
                identity=identity)


def test_invite_link_routes_answer_201_200_204_and_200(org_id: str) -> None:
    status, link, _ = create_http(org_id, {"max_uses": 2})
    assert status == 201 and set(link) == {"id", "org_id", "role", "max_uses", "uses", "expires_at",
                                            "allowed_domains", "status", "created_by", "created_at", "url", "token"}
    status, member, _ = accept_http({"token": link["token"]})
    assert status == 200 and member["user_id"] == "bob"
    status, page, _ = list_http(org_id)
    assert status == 200 and page["data"][0]["uses"] == 1 and "token" not in page["data"][0]
    assert revoke_http(org_id, link["id"])[0] == 204


def test_invite_link_routes_are_404_for_another_org_and_another_app(org_id: str) -> None:
    link = new_link(org_id)
    for identity in ({"app_id": "demo", "sub": "stranger"}, {"app_id": "other", "sub": "alice"}):
        assert create_http(org_id, {}, identity)[1]["code"] == "org_not_found"
        assert list_http(org_id, identity)[1]["code"] == "org_not_found"
        assert revoke_http(org_id, link.id, identity)[1]["code"] == "org_not_found"
    status, problem, _ = accept_http({"token": link.token}, {"app_id": "other", "sub": "bob", "email": "bob@example.com"})
    assert status == 404 and problem["code"] == "invite_link_not_found"
    assert (table.get(keys.invite_link("demo", org_id, link.id)) or {})["uses"] == 0


def test_invite_link_routes_are_403_for_a_plain_member(org_id: str) -> None:
    world.add_member(org_id, "bob")
    link = new_link(org_id)
    for status, problem, _ in (create_http(org_id, {}, BOB), list_http(org_id, BOB), revoke_http(org_id, link.id, BOB)):
        assert status == 403 and problem["code"] == "forbidden"
    assert (table.get(keys.invite_link("demo", org_id, link.id)) or {})["status"] == "active"


@pytest.mark.parametrize("body", [{"max_uses": 0}, {"max_uses": "5"}, {"max_uses": 10_001}, {"role": "Owner!"},
                                  {"expires_in_seconds": 10}, {"allowed_domains": ["not a domain"]},
                                  {"allowed_domains": ["*.example.com"]}, {"allowed_domains": "example.com"},
                                  {"allowed_domains": ["a.example"] * 21}, {"uses": 3}])
def test_create_invite_link_refuses_bad_bodies_with_400(org_id: str, body: dict[str, Any]) -> None:
    status, problem, _ = create_http(org_id, body)
    assert status == 400 and problem["code"] == "validation_error"
    assert invite_links.list_for_org(alice, org_id, ListQuery()).data == []


@pytest.mark.parametrize("body", [{}, {"token": 5}, {"token": ""}, {"token": "x" * 600}, {"token": "a", "b": 1}])
def test_accept_invite_link_refuses_bad_bodies_with_400(body: dict[str, Any]) -> None:
    status, problem, _ = accept_http(body)
    assert status == 400 and problem["code"] == "validation_error"


def test_revoke_invite_link_of_a_malformed_id_is_404(org_id: str) -> None:
    status, problem, _ = revoke_http(org_id, "il_nope")
    assert status == 404 and problem["code"] == "invite_link_not_found"


def test_joining_by_link_is_one_read_and_one_write(org_id: str) -> None:
    """The org's event counter comes with the link, so the join's events are numbered without a read."""
    link = new_link(org_id)
    with reads.requests_sent() as sent:
        join(link.token, "kim")
    assert sent == ["BatchGetItem", "TransactWriteItems"]


def test_creating_a_link_is_one_write(org_id: str) -> None:
    new_link(org_id)  # the container now knows the org's event counter
    with reads.requests_sent() as sent:
        new_link(org_id, role="member")
    assert sent == ["TransactWriteItems"]
