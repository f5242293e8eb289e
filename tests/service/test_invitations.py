"""Invitations: invite, seats, one pending per email, accept and decline by link or in-app, resend,
revoke, expiry before the job, teams, isolation and races."""

from __future__ import annotations

import dataclasses

import pytest

from orgplane import clock, keys
from orgplane.models.audit import OrgAuditQuery
from orgplane.models.common import ListQuery
from orgplane.models.invitations import CreateInvitation, InvitationToken, ListInvitationsQuery, Status
from orgplane.models.orgs import CreateOrg
from orgplane.models.teams import CreateTeam
from orgplane.services import audit_queries, invitation_links, invitations, members, orgs, teams
from orgplane.store import table
from tests.support import world
from tests.support.pages import walk
from tests.support.race import race
from tests.support.reads import items_read_by_queries, stale_first_read
from tests.support.world import code_of as codes

alice = world.caller("alice")  # owner of Acme
bob = world.caller("bob")  # invited
mallory = world.caller("mallory")
DAY = 86400


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id



def invite(org_id: str, email: str = "bob@example.com", by=alice, **fields) -> str:  # type: ignore[no-untyped-def]
    return invitations.create(by, org_id, CreateInvitation(email=email, **fields)).id


def link(org_id: str, invitation_id: str, app_id: str = "demo") -> InvitationToken:
    """The token the invitee gets by mail (derived from the stored nonce, as the delivery does)."""
    item = table.get(keys.invitation(app_id, org_id, invitation_id))
    assert item is not None
    return InvitationToken(token=invitation_links.token(app_id, org_id, invitation_id, item["nonce"]))


def org_counts(org_id: str) -> tuple[int, int, int]:
    org = orgs.get(alice, org_id)
    item = table.get(keys.org("demo", org_id)) or {}
    return org.member_count, org.pending_invitation_count, int(item["seats_used"])


# --- inviting -----------------------------------------------------------------------------------


def test_an_owner_invites_and_the_invitee_accepts_with_the_link(org_id: str) -> None:
    invitation_id = invite(org_id)
    assert org_counts(org_id) == (1, 1, 2)
    member = invitations.accept_by_token(bob, link(org_id, invitation_id))
    assert (member.user_id, member.role, member.email) == ("bob", "member", "bob@example.com")
    assert invitations.get(alice, org_id, invitation_id).status == "accepted"
    assert org_counts(org_id) == (2, 0, 2)
    assert [o.id for o in orgs.list_for_caller(bob, orgs_query()).data] == [org_id]


def orgs_query():  # type: ignore[no-untyped-def]
    from orgplane.models.orgs import ListOrgsQuery

    return ListOrgsQuery()


def test_the_invitation_object_never_carries_the_token_or_nonce(org_id: str) -> None:
    invitation = invitations.get(alice, org_id, invite(org_id))
    dumped = invitation.model_dump_json()
    assert "nonce" not in dumped and "token" not in dumped
    assert invitation.delivery.status == "queued" and invitation.status == "pending"


def test_inviting_a_members_email_in_any_case_is_already_member(org_id: str) -> None:
    assert codes(lambda: invite(org_id, "ALICE@Example.com")) == "already_member"
    assert org_counts(org_id) == (1, 0, 1)


def test_one_pending_invitation_per_email_case_insensitively(org_id: str) -> None:
    invite(org_id, "bob@example.com")
    assert codes(lambda: invite(org_id, "Bob@EXAMPLE.com")) == "invitation_pending"
    assert org_counts(org_id) == (1, 1, 2)


def test_a_declined_invitations_email_can_be_invited_again(org_id: str) -> None:
    first = invite(org_id)
    invitations.decline_by_token(bob, link(org_id, first))
    second = invite(org_id)
    assert second != first
    assert invitations.get(alice, org_id, first).status == "declined"


def test_a_plain_member_cannot_invite(org_id: str) -> None:
    world.add_member(org_id, "carol")
    assert codes(lambda: invite(org_id, "dan@example.com", by=world.caller("carol"))) == "forbidden"


def test_an_admin_cannot_invite_an_owner(org_id: str) -> None:
    world.add_member(org_id, "carol", role="admin")
    assert codes(lambda: invite(org_id, "dan@example.com", by=world.caller("carol"), role="owner")) == "forbidden"
    assert invite(org_id, "dan@example.com", by=world.caller("carol"), role="admin")


def test_an_unknown_role_is_a_validation_error_for_an_inviter(org_id: str) -> None:
    assert codes(lambda: invite(org_id, role="wizard")) == "validation_error"


def test_a_member_without_invite_permission_gets_403_even_for_an_unknown_role(org_id: str) -> None:
    world.add_member(org_id, "carol")
    assert codes(lambda: invite(org_id, by=world.caller("carol"), role="wizard")) == "forbidden"


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two@@example.com", "x y@example.com",
                                   "Bob <bob@example.com>", "a@-bad-.com", "@example.com"])
def test_malformed_emails_are_refused(email: str) -> None:
    with pytest.raises(ValueError):
        CreateInvitation(email=email)


@pytest.mark.parametrize("email", ["Bob+orgs@Example.COM", "anna@bücher.de", "o'neil@example.co.uk"])
def test_plus_addresses_uppercase_and_idn_domains_are_accepted(email: str) -> None:
    assert CreateInvitation(email=email).email == email


def test_expiry_bounds_are_enforced() -> None:
    with pytest.raises(ValueError):
        CreateInvitation(email="bob@example.com", expires_in_seconds=10)
    with pytest.raises(ValueError):
        CreateInvitation(email="bob@example.com", expires_in_seconds=91 * DAY)


def test_the_default_expiry_comes_from_the_app_setting(org_id: str) -> None:
    world.put_settings("demo", invitation_ttl_seconds=3600)
    before = clock.timestamp()
    item = table.get(keys.invitation("demo", org_id, invite(org_id))) or {}
    assert before + 3600 - 2 <= int(item["expires_epoch"]) <= before + 3600 + 2


# --- seats ------------------------------------------------------------------------------------------


def test_pending_invitations_hold_seats_at_invite_time(org_id: str) -> None:
    world.put_settings("demo", max_members_per_org=2)
    invite(org_id, "bob@example.com")
    assert codes(lambda: invite(org_id, "carol@example.com")) == "member_limit_reached"


def test_a_full_org_refuses_the_accept_and_the_invitation_stays_pending_until_a_seat_frees(org_id: str) -> None:
    first, second = invite(org_id, "bob@example.com"), invite(org_id, "carol@example.com")
    world.put_settings("demo", max_members_per_org=2)
    invitations.accept_by_token(bob, link(org_id, first))
    carol = world.caller("carol")
    assert codes(lambda: invitations.accept_by_token(carol, link(org_id, second))) == "member_limit_reached"
    assert invitations.get(alice, org_id, second).status == "pending"
    members.remove_member(alice, org_id, "bob")
    assert invitations.accept_by_token(carol, link(org_id, second)).user_id == "carol"


def test_racing_invites_of_one_address_make_one_invitation(org_id: str) -> None:
    results = race(*[lambda e=e: invite(org_id, e) for e in ("dana@example.com", "DANA@example.com",
                                                             "Dana@Example.com", "dana@EXAMPLE.COM")])
    assert sorted(r for r in results if r == "invitation_pending") == ["invitation_pending"] * 3
    assert len(invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data) == 1
    assert org_counts(org_id) == (1, 1, 2)


def test_racing_invites_never_exceed_the_seat_limit(org_id: str) -> None:
    world.put_settings("demo", max_members_per_org=3)
    results = race(*[lambda n=n: invite(org_id, f"seat{n}@example.com") for n in range(5)])
    assert sorted(r for r in results if r == "member_limit_reached") == ["member_limit_reached"] * 3
    assert org_counts(org_id) == (1, 2, 3)


def test_an_accept_racing_a_decline_of_one_invitation_leaves_one_outcome(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    results = race(lambda: invitations.accept_by_token(bob, token).user_id,
                   lambda: invitations.decline_by_token(bob, token))
    assert results in (["bob", "invitation_not_pending"], ["invitation_not_pending", None])
    assert org_counts(org_id) == ((2, 0, 2) if results[0] == "bob" else (1, 0, 1))


def test_racing_accepts_of_different_invitations_never_exceed_the_seat_limit(org_id: str) -> None:
    users = [world.caller(f"user{i}") for i in range(6)]
    tokens = [link(org_id, invite(org_id, f"user{i}@example.com")) for i in range(6)]
    world.put_settings("demo", max_members_per_org=4)
    results = race(*[lambda u=u, t=t: invitations.accept_by_token(u, t).user_id
                     for u, t in zip(users, tokens, strict=True)])
    assert sum(r == "member_limit_reached" for r in results) == 3
    assert orgs.get(alice, org_id).member_count == 4


# --- accepting and declining ----------------------------------------------------------------------


def test_another_user_with_the_link_gets_email_mismatch(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    assert codes(lambda: invitations.accept_by_token(mallory, token)) == "invitation_email_mismatch"
    assert codes(lambda: invitations.decline_by_token(mallory, token)) == "invitation_email_mismatch"
    assert org_counts(org_id) == (1, 1, 2)


def test_an_unverified_email_cannot_accept(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    unverified = dataclasses.replace(bob, email_verified=False)
    assert codes(lambda: invitations.accept_by_token(unverified, token)) == "invitation_email_mismatch"


def test_an_accepted_invitation_cannot_be_accepted_again(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    invitations.accept_by_token(bob, token)
    assert codes(lambda: invitations.accept_by_token(bob, token)) == "invitation_not_pending"


def test_twelve_racing_accepts_give_one_membership(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    results = race(*[lambda: invitations.accept_by_token(bob, token).user_id for _ in range(12)])
    assert sorted(results, key=str) == ["bob"] + ["invitation_not_pending"] * 11
    assert org_counts(org_id) == (2, 0, 2)


def test_a_member_accepting_an_invitation_sent_to_another_of_their_addresses_is_already_member(
        org_id: str) -> None:
    invitations.accept_by_token(bob, link(org_id, invite(org_id)))
    token = link(org_id, invite(org_id, "bob@work.example"))
    moved = dataclasses.replace(bob, email="bob@work.example")  # the same user, a new address at the issuer
    assert codes(lambda: invitations.accept_by_token(moved, token)) == "already_member"
    assert org_counts(org_id) == (2, 1, 3)


def test_an_accept_that_read_the_invitation_before_a_winning_accept_hears_not_pending(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One BatchGetItem is no snapshot: it can see the invitation still pending and the membership
    the winning accept wrote a moment later. The loser must hear invitation_not_pending."""
    invitation_id = invite(org_id)
    token = link(org_id, invitation_id)
    before = table.get(keys.invitation("demo", org_id, invitation_id))
    invitations.accept_by_token(bob, token)
    stale_first_read(monkeypatch, lambda found: [found[0], before, *found[2:]])
    assert codes(lambda: invitations.accept_by_token(bob, token)) == "invitation_not_pending"


def test_a_decline_by_a_link_read_just_before_a_resend_does_not_decline(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The resend changed the nonce after the decline read the invitation: the old link is dead at
    write time too, so the decline is judged again and finds no invitation behind that link."""
    invitation_id = invite(org_id)
    old_link = link(org_id, invitation_id)
    before = table.get(keys.invitation("demo", org_id, invitation_id))
    invitations.resend(alice, org_id, invitation_id)
    stale_first_read(monkeypatch, lambda found: [found[0], before, *found[2:]])
    assert codes(lambda: invitations.decline_by_token(bob, old_link)) == "invitation_not_found"
    assert invitations.get(alice, org_id, invitation_id).status == "pending"


def test_an_admin_cannot_resend_an_owner_invitation(org_id: str) -> None:
    invitation_id = invite(org_id, role="owner")
    world.add_member(org_id, "adam", role="admin")
    before = invitations.get(alice, org_id, invitation_id)
    assert codes(lambda: invitations.resend(world.caller("adam"), org_id, invitation_id)) == "forbidden"
    assert invitations.get(alice, org_id, invitation_id).expires_at == before.expires_at


def test_an_owner_demoted_while_inviting_an_owner_is_refused_at_write_time(
        org_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read as owner, written as admin: the write pins the role every check was judged on."""
    world.add_member(org_id, "olga", role="admin")
    stale_first_read(monkeypatch, lambda found: [found[0], {**(found[1] or {}), "role": "owner"}, *found[2:]])
    assert codes(lambda: invite(org_id, "heir@example.com", by=world.caller("olga"), role="owner")) == "forbidden"
    assert invitations.list_for_org(alice, org_id, ListInvitationsQuery()).data == []


def test_an_accept_racing_a_revoke_leaves_exactly_one_outcome(org_id: str) -> None:
    invitation_id = invite(org_id)
    token = link(org_id, invitation_id)
    results = race(lambda: invitations.accept_by_token(bob, token).user_id,
                   lambda: invitations.revoke(alice, org_id, invitation_id))
    status = invitations.get(alice, org_id, invitation_id).status
    assert (results, status) in ((["bob", "invitation_not_pending"], "accepted"),
                                 (["invitation_not_pending", None], "revoked"))
    assert org_counts(org_id) == ((2, 0, 2) if status == "accepted" else (1, 0, 1))


@pytest.mark.parametrize("token", ["", "garbage", "org_x.inv_y.zzz",
                                   "org_01JD0000000000000000000000.inv_01JD0000000000000000000000." + "A" * 43])
def test_malformed_or_forged_tokens_are_404(org_id: str, token: str) -> None:
    invite(org_id)
    assert codes(lambda: invitations.accept_by_token(bob, InvitationToken(token=token or " "))) \
        == "invitation_not_found"


def test_a_tampered_mac_is_404(org_id: str) -> None:
    token = link(org_id, invite(org_id)).token
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert codes(lambda: invitations.accept_by_token(bob, InvitationToken(token=tampered))) \
        == "invitation_not_found"


def test_a_link_used_in_another_app_is_404(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    assert codes(lambda: invitations.accept_by_token(world.caller("bob", app_id="other"), token)) \
        == "invitation_not_found"


def test_accepting_past_expiry_is_410_before_and_after_the_job(org_id: str) -> None:
    from orgplane.services import expiry

    token = link(org_id, invite(org_id, expires_in_seconds=3600))
    clock.advance(3601)
    assert codes(lambda: invitations.accept_by_token(bob, token)) == "invitation_expired"
    assert expiry.run() == 1
    assert codes(lambda: invitations.accept_by_token(bob, token)) == "invitation_expired"
    assert codes(lambda: invitations.decline_by_token(bob, token)) == "invitation_expired"
    assert org_counts(org_id) == (1, 0, 1)


def test_a_declined_invitation_frees_its_seat_and_cannot_be_accepted(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    invitations.decline_by_token(bob, token)
    assert org_counts(org_id) == (1, 0, 1)
    assert codes(lambda: invitations.accept_by_token(bob, token)) == "invitation_not_pending"


def test_the_invitee_lists_accepts_and_declines_in_app_without_a_token(org_id: str) -> None:
    other = orgs.create(mallory, CreateOrg(name="Beta", slug="beta")).id
    first = invite(org_id)
    second = invitations.create(mallory, other, CreateInvitation(email="BOB@example.com")).id
    listed = invitations.list_mine(bob, ListQuery())
    assert sorted((i.id, i.org_name) for i in listed.data) == sorted([(first, "Acme"), (second, "Beta")])
    assert invitations.accept_by_id(bob, first).org_id == org_id
    invitations.decline_by_id(bob, second)
    assert invitations.list_mine(bob, ListQuery()).data == []


def test_someone_elses_invitation_id_is_404_in_app(org_id: str) -> None:
    invitation_id = invite(org_id)
    assert codes(lambda: invitations.accept_by_id(mallory, invitation_id)) == "invitation_not_found"


def test_an_unverified_caller_lists_no_invitations(org_id: str) -> None:
    invite(org_id)
    assert invitations.list_mine(dataclasses.replace(bob, email_verified=False), ListQuery()).data == []


# --- resend, revoke, list -----------------------------------------------------------------------------


def test_a_resent_invitations_old_link_dies_and_the_new_one_works(org_id: str) -> None:
    invitation_id = invite(org_id)
    old = link(org_id, invitation_id)
    invitations.resend(alice, org_id, invitation_id)
    assert codes(lambda: invitations.accept_by_token(bob, old)) == "invitation_not_found"
    assert invitations.accept_by_token(bob, link(org_id, invitation_id)).user_id == "bob"


def test_inviting_the_address_of_an_invitation_past_its_expiry_expires_it_first(org_id: str) -> None:
    """It already reads as expired; the job has not run. Inviting the address again is not 409."""
    old = invite(org_id, expires_in_seconds=300)
    clock.advance(301)
    new = invite(org_id)
    assert invitations.get(alice, org_id, old).status == "expired"
    assert [i.id for i in invitations.list_for_org(alice, org_id, ListInvitationsQuery(status="pending")).data] == [new]
    assert org_counts(org_id) == (1, 1, 2)
    expired = audit_queries.list_for_org(alice, org_id, OrgAuditQuery(action="invitation.expired")).data
    assert [(e.target.id, e.actor.user_id) for e in expired] == [(old, invitations.EXPIRY_ACTOR)]


def test_resending_a_pending_invitation_past_expiry_renews_it(org_id: str) -> None:
    invitation_id = invite(org_id, expires_in_seconds=3600)
    clock.advance(2 * 3600)
    assert invitations.get(alice, org_id, invitation_id).status == "expired"
    renewed = invitations.resend(alice, org_id, invitation_id)
    assert renewed.status == "pending"
    assert invitations.accept_by_token(bob, link(org_id, invitation_id)).user_id == "bob"


def test_a_revoked_invitation_gives_409_and_frees_its_seat(org_id: str) -> None:
    invitation_id = invite(org_id)
    token = link(org_id, invitation_id)
    invitations.revoke(alice, org_id, invitation_id)
    assert codes(lambda: invitations.accept_by_token(bob, token)) == "invitation_not_pending"
    assert codes(lambda: invitations.revoke(alice, org_id, invitation_id)) == "invitation_not_pending"
    assert codes(lambda: invitations.resend(alice, org_id, invitation_id)) == "invitation_not_pending"
    assert org_counts(org_id) == (1, 0, 1)


def test_the_org_lists_its_invitations_by_status(org_id: str) -> None:
    pending = invite(org_id, "bob@example.com")
    revoked = invite(org_id, "carol@example.com")
    invitations.revoke(alice, org_id, revoked)
    short = invite(org_id, "dan@example.com", expires_in_seconds=300)
    clock.advance(301)

    def ids(status: Status | None) -> list[str]:
        return [i.id for i in invitations.list_for_org(alice, org_id, ListInvitationsQuery(status=status)).data]

    assert ids("pending") == [pending]
    assert ids("revoked") == [revoked]
    assert ids("expired") == [short]
    assert sorted(ids(None)) == sorted([pending, revoked, short])


def test_a_plain_member_cannot_read_or_revoke_invitations(org_id: str) -> None:
    invitation_id = invite(org_id)
    world.add_member(org_id, "carol")
    carol = world.caller("carol")
    assert codes(lambda: invitations.list_for_org(carol, org_id, ListInvitationsQuery())) == "forbidden"
    assert codes(lambda: invitations.revoke(carol, org_id, invitation_id)) == "forbidden"


def test_another_orgs_admin_and_another_app_see_404(org_id: str) -> None:
    invitation_id = invite(org_id)
    other = orgs.create(mallory, CreateOrg(name="Beta", slug="beta")).id
    assert codes(lambda: invitations.get(mallory, org_id, invitation_id)) == "org_not_found"
    assert codes(lambda: invitations.get(mallory, other, invitation_id)) == "invitation_not_found"
    outsider = world.caller("alice", app_id="other")
    assert codes(lambda: invitations.get(outsider, org_id, invitation_id)) == "org_not_found"
    assert codes(lambda: invitations.revoke(outsider, org_id, invitation_id)) == "org_not_found"


def test_support_of_the_app_revokes_and_it_is_audited_as_support(org_id: str) -> None:
    from orgplane.models.audit import OrgAuditQuery
    from orgplane.services import audit_queries

    invitation_id = invite(org_id)
    invitations.revoke(world.caller("sam", support=True), org_id, invitation_id)
    events = audit_queries.list_for_org(alice, org_id, OrgAuditQuery(action="invitation.revoked")).data
    assert [e.actor.support for e in events] == [True]


def test_deleting_the_org_kills_its_links_and_empties_the_invitees_list(org_id: str) -> None:
    token = link(org_id, invite(org_id))
    orgs.delete(alice, org_id)
    assert codes(lambda: invitations.accept_by_token(bob, token)) == "invitation_not_found"
    assert invitations.list_mine(bob, ListQuery()).data == []


# --- teams ---------------------------------------------------------------------------------------------


def test_accepting_joins_the_invitations_teams_and_skips_a_deleted_one(org_id: str) -> None:
    kept = teams.create(alice, org_id, CreateTeam(name="Core")).id
    gone = teams.create(alice, org_id, CreateTeam(name="Gone")).id
    token = link(org_id, invite(org_id, team_ids=[kept, gone]))
    teams.delete(alice, org_id, gone)
    invitations.accept_by_token(bob, token)
    assert [(t.team_id, t.role) for t in members.permissions(bob, org_id).teams] == [(kept, "member")]
    assert teams.get(alice, org_id, kept).member_count == 1


def test_a_team_of_another_org_cannot_be_invited_into(org_id: str) -> None:
    other = orgs.create(mallory, CreateOrg(name="Beta", slug="beta")).id
    foreign = teams.create(mallory, other, CreateTeam(name="Core")).id
    assert codes(lambda: invite(org_id, team_ids=[foreign])) == "team_not_found"
    assert codes(lambda: invite(org_id, team_ids=["team_nonsense"])) == "team_not_found"
    assert org_counts(org_id) == (1, 0, 1)



def test_inviting_into_teams_needs_what_adding_to_them_needs(org_id: str) -> None:
    """``member:invite`` alone does not put people on teams: a role that cannot add a member to a team
    (``team:member:manage``) cannot invite into one, nor resend such an invitation."""
    world.put_settings("demo", roles={"recruiter": {"permissions": [
        "org:read", "member:read", "member:invite", "invitation:read"]}})
    world.add_member(org_id, "rita", role="recruiter")
    rita = world.caller("rita")
    team = teams.create(alice, org_id, CreateTeam(name="Core")).id
    assert codes(lambda: invite(org_id, team_ids=[team], by=rita)) == "forbidden"
    unknown = teams.create(alice, org_id, CreateTeam(name="Gone")).id
    teams.delete(alice, org_id, unknown)
    assert codes(lambda: invite(org_id, team_ids=[unknown], by=rita)) == "forbidden"  # 403 before 404
    assert org_counts(org_id) == (2, 0, 2)
    assert invitations.get(alice, org_id, invite(org_id, by=rita)).team_ids == []  # without teams: fine
    with_team = invite(org_id, "carol@example.com", team_ids=[team])  # by the owner
    assert codes(lambda: invitations.resend(rita, org_id, with_team)) == "forbidden"

# --- custom roles -----------------------------------------------------------------------------------------


def test_a_pending_invitation_holds_its_custom_role(org_id: str) -> None:
    from orgplane.services import role_usage

    world.put_settings("demo", roles={"billing": {"permissions": ["org:read"]}})
    invitation_id = invite(org_id, role="billing")
    assert role_usage.holders("demo", "billing") == 1
    invitations.accept_by_token(bob, link(org_id, invitation_id))
    assert role_usage.holders("demo", "billing") == 1  # the membership took the invitation's hold
    members.remove_member(alice, org_id, "bob")
    assert role_usage.holders("demo", "billing") == 0


def test_the_invitees_list_reads_only_pending_invitations_not_the_history(org_id: str) -> None:
    world.put_settings("demo", invitation_sends_per_address_per_hour=None)  # six mails to bob in one hour
    for _ in range(5):
        invitations.decline_by_id(bob, invite(org_id))
    pending = invite(org_id)
    with items_read_by_queries() as scanned:
        listed = invitations.list_mine(bob, ListQuery())
    assert [i.id for i in listed.data] == [pending] and sum(scanned) == 1


def test_the_orgs_pending_list_reads_only_pending_invitations_not_the_history(org_id: str) -> None:
    invitations.decline_by_id(bob, invite(org_id))
    invitations.revoke(alice, org_id, invite(org_id, "carol@example.com"))
    invitations.accept_by_token(bob, link(org_id, invite(org_id)))
    pending = [invite(org_id, f"new{i}@example.com") for i in range(2)]
    with items_read_by_queries() as scanned:
        listed = invitations.list_for_org(alice, org_id, ListInvitationsQuery(status="pending"))
    assert [i.id for i in listed.data] == pending and sum(scanned) == 2
    everything = invitations.list_for_org(alice, org_id, ListInvitationsQuery())
    assert [i.status for i in everything.data] == ["declined", "revoked", "accepted", "pending", "pending"]


def test_the_orgs_pending_list_walks_page_by_page(org_id: str) -> None:
    pending = [invite(org_id, f"walk{i}@example.com") for i in range(5)]
    invitations.revoke(alice, org_id, pending.pop(2))
    walked = walk(lambda cursor: invitations.list_for_org(
        alice, org_id, ListInvitationsQuery(status="pending", limit=2, cursor=cursor)))
    assert [i.id for page in walked for i in page] == pending


def test_an_answered_invitation_accepted_again_in_app_is_409_not_404(org_id: str) -> None:
    invitation_id = invite(org_id)
    invitations.decline_by_id(bob, invitation_id)
    assert codes(lambda: invitations.accept_by_id(bob, invitation_id)) == "invitation_not_pending"
