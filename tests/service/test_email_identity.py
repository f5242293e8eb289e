"""An email names one person, and only a verified one counts: invitations are seen and answered only
by the mailbox they were sent to; an unverified email is no email (never stored, shown, searched or mailed)."""

from __future__ import annotations

import pytest

from orgplane import keys
from orgplane.models.admin import FindUsersQuery
from orgplane.models.common import ListQuery
from orgplane.models.invitations import CreateInvitation, InvitationToken
from orgplane.models.orgs import CreateOrg
from orgplane.services import admin, delivery, invitation_links, invitations, orgs, users
from orgplane.store import table
from tests.support import world
from tests.support.mail import on_ses  # noqa: F401 (fixture)
from tests.support.world import code_of
from tests.unit import test_emails

# Invitations go only to addresses mail can reach (ASCII mailbox names): the key table's cases of that kind.
LOOK_ALIKES = [(invited, other) for invited, other in test_emails.LOOK_ALIKES if invited.partition("@")[0].isascii()]
SAME_MAILBOX = [(invited, form) for invited, form in test_emails.SAME_MAILBOX if invited.partition("@")[0].isascii()]

alice = world.caller("alice")
support = world.caller("sam", support=True)
pytestmark = pytest.mark.usefixtures("on_ses")


@pytest.fixture
def org_id() -> str:
    return orgs.create(alice, CreateOrg(name="Acme")).id


def _link(org_id: str, invitation_id: str) -> InvitationToken:
    item = table.get(keys.invitation("demo", org_id, invitation_id)) or {}
    return InvitationToken(token=invitation_links.token("demo", org_id, invitation_id, item["nonce"]))


@pytest.mark.parametrize(("invited", "look_alike"), LOOK_ALIKES)
def test_a_look_alike_verified_email_neither_sees_nor_answers_the_invitation(org_id: str, invited: str,
                                                                             look_alike: str) -> None:
    sent = invitations.create(alice, org_id, CreateInvitation(email=invited))
    mallory = world.caller("mallory", email=look_alike)
    assert invitations.list_mine(mallory, ListQuery()).data == []
    assert code_of(lambda: invitations.accept_by_id(mallory, sent.id)) == "invitation_not_found"
    assert code_of(lambda: invitations.accept_by_token(mallory, _link(org_id, sent.id))) == "invitation_email_mismatch"
    assert code_of(lambda: invitations.decline_by_token(mallory, _link(org_id, sent.id))) == "invitation_email_mismatch"
    assert table.get(keys.member("demo", org_id, "mallory")) is None
    assert invitations.get(alice, org_id, sent.id).status == "pending"


@pytest.mark.parametrize(("invited", "form"), SAME_MAILBOX)
def test_the_owner_of_the_mailbox_answers_in_any_form_of_it(org_id: str, invited: str, form: str) -> None:
    sent = invitations.create(alice, org_id, CreateInvitation(email=invited))
    bob = world.caller("bob", email=form)
    assert [i.id for i in invitations.list_mine(bob, ListQuery()).data] == [sent.id]
    assert invitations.accept_by_id(bob, sent.id).user_id == "bob"


def test_an_unverified_email_sees_and_answers_no_invitation(org_id: str) -> None:
    sent = invitations.create(alice, org_id, CreateInvitation(email="bob@example.com"))
    bob = world.caller("bob", email_verified=False)
    assert invitations.list_mine(bob, ListQuery()).data == []
    assert code_of(lambda: invitations.accept_by_token(bob, _link(org_id, sent.id))) == "invitation_email_mismatch"
    assert code_of(lambda: invitations.accept_by_id(bob, sent.id)) == "invitation_not_found"


def test_an_unverified_email_is_not_stored_on_the_membership_nor_shown_as_the_actor() -> None:
    ceo = world.caller("carol", email="ceo@bigcorp.example", email_verified=False)
    org_id = orgs.create(ceo, CreateOrg(name="Carol's")).id
    membership = table.get(keys.member("demo", org_id, "carol")) or {}
    assert membership["role"] == "owner" and membership.get("email") is None
    assert table.get(keys.email_claim("demo", org_id, "ceo@bigcorp.example")) is None
    created, added = world.items_of(keys.audit_pk("demo", org_id))
    assert added["action"] == "member.added" and added["actor"] == created["actor"]
    assert created["actor"]["email"] is None and created["actor"]["user_id"] == "carol"
    assert getattr(users.me(ceo), "email", "absent") is None  # a user's Me (a service's has no email)


def test_the_mail_of_an_inviter_with_an_unverified_email_names_only_the_org() -> None:
    ceo = world.caller("carol", email="ceo@bigcorp.example", email_verified=False)
    org_id = orgs.create(ceo, CreateOrg(name="Bigcorp")).id
    sent = invitations.create(ceo, org_id, CreateInvitation(email="bob@example.com"))
    item = table.get(keys.invitation("demo", org_id, sent.id)) or {}
    assert item["inviter_email"] is None
    text = delivery.render(item).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "ceo@bigcorp.example" not in text and text.startswith("You are invited to join Bigcorp as member.")


def test_the_mail_of_a_verified_inviter_names_them() -> None:
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    sent = invitations.create(alice, org_id, CreateInvitation(email="bob@example.com"))
    item = table.get(keys.invitation("demo", org_id, sent.id)) or {}
    text = delivery.render(item).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.startswith("alice@example.com invited you to join Acme as member.")


def test_support_lookups_never_find_a_user_by_an_unverified_email() -> None:
    victim_org = orgs.create(alice, CreateOrg(name="Victim")).id
    invitations.create(alice, victim_org, CreateInvitation(email="ceo@bigcorp.example"))
    impostor = world.caller("mallory", email="ceo@bigcorp.example", email_verified=False)
    orgs.create(impostor, CreateOrg(name="Impostor"))
    assert admin.find_users(support, FindUsersQuery(email="ceo@bigcorp.example")).data == []
    found = admin.get_user(support, "mallory")
    assert found.emails == [] and found.invitations == []
