"""User text never forges mail: hostile org names and settings reach no header unsanitised, and the
invitation goes to exactly its invitee (CVE-2024-6923 is not relied on being patched)."""

from __future__ import annotations

import email
from email import policy

import pytest
from pydantic import ValidationError

from orgplane import keys, mail_headers
from orgplane.models.invitations import CreateInvitation
from orgplane.models.orgs import CreateOrg
from orgplane.models.settings import UpdateSettings
from orgplane.services import delivery, invitations, orgs
from orgplane.store import table
from tests.support import mail, world
from tests.support.mail import on_ses  # noqa: F401 (fixture)

alice = world.caller("alice")
HEADERS = ["Subject", "From", "To", "Date", "MIME-Version", "Content-Type"]
ENCODED_WORD_INJECTION = "Acme =?utf-8?q?=0D=0ABcc:_evil@evil.example=0D=0AReply-To:_phish@evil.example?="
pytestmark = pytest.mark.usefixtures("on_ses")


def _invitation(org_name: str, email_address: str = "bob@example.com") -> dict[str, object]:
    """A pending invitation whose stored org name is ``org_name``: written through the API where the
    input rules allow the name (encoded words), else as data older than those rules would hold it."""
    try:
        org_id = orgs.create(alice, CreateOrg(name=org_name)).id
    except ValidationError:
        org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    sent = invitations.create(alice, org_id, CreateInvitation(email=email_address))
    item = {**(table.get(keys.invitation("demo", org_id, sent.id)) or {}), "org_name": org_name}
    table.put(item)
    return item


def _sent_exactly_once(item: dict[str, object]) -> email.message.EmailMessage:
    assert delivery.deliver(item) == "sent"
    [message] = [m for m in mail.raw() if m.destinations]
    parsed = email.message_from_string(message.raw_data, policy=policy.default)
    assert list(dict.fromkeys(message.destinations)) == [delivery.recipient(item)]
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


@pytest.mark.parametrize("org_name", [
    ENCODED_WORD_INJECTION,
    "Acme\r\nBcc: evil@evil.example",
    "Acme\u2028Bcc: evil@evil.example",
    "Acme\u2029Reply-To: phish@evil.example",
    "Acme\u0085Bcc: evil@evil.example",
    "Acme =?utf-8?b?DQpCY2M6IGV2aWxAZXZpbC5leGFtcGxl?=",
])
def test_a_hostile_org_name_adds_no_header_and_no_recipient(org_name: str) -> None:
    item = _invitation(org_name)
    message = _sent_exactly_once(item)
    assert list(message.keys()) == HEADERS
    assert message["To"] == "bob@example.com"
    subject = str(message["Subject"]).strip()  # a long subject may be folded after "Subject:"
    assert "\n" not in subject and "\r" not in subject and "\u2028" not in subject and "=?" not in subject
    assert subject.startswith("You are invited to join Acme")


def test_the_subject_of_an_encoded_word_name_is_shown_as_text_not_decoded() -> None:
    rendered = delivery.render(_invitation(ENCODED_WORD_INJECTION))
    assert rendered["Subject"] == "You are invited to join " + mail_headers.one_line(ENCODED_WORD_INJECTION)
    assert rendered["Bcc"] is None and rendered["Reply-To"] is None


def test_an_idn_invitee_gets_the_mail_at_the_a_label_of_the_domain() -> None:
    message = _sent_exactly_once(_invitation("Acme", "joerg@bücher.example"))
    assert message["To"] == "joerg@xn--bcher-kva.example"


@pytest.mark.parametrize("address", ["jörg@bücher.example", "\u03c9mega@example.com", "straße@example.com"])
def test_an_address_mail_cannot_reach_is_not_invited(address: str) -> None:
    with pytest.raises(ValidationError, match="must be ASCII"):
        CreateInvitation(email=address)


@pytest.mark.parametrize("address", [
    "=?utf-8?q?bob=0D=0ABcc=3A_evil=40evil.example?=@example.com",  # decoded: a line break, every send failed
    "=?utf-8?b?ZXZpbEBldmlsLmV4YW1wbGUsIGJvYg==?=@example.com",  # decoded: "To: evil@evil.example, bob@..."
    "bob.=?utf-8?q?evil?=@example.com",
])
def test_an_invitee_address_holding_encoded_word_syntax_is_refused_so_no_header_decodes_it(address: str) -> None:
    with pytest.raises(ValidationError, match="encoded-word"):
        CreateInvitation(email=address)


@pytest.mark.parametrize("address", ["=?utf-8?q?bob=0D=0ABcc=3A_evil=40evil.example?=@example.com",
                                     "=?utf-8?b?ZXZpbEBldmlsLmV4YW1wbGUsIGJvYg==?=@example.com"])
def test_an_invitation_stored_before_that_rule_fails_once_and_sends_nothing(address: str) -> None:
    item = {**_invitation("Acme"), "email": address}  # as data older than the rule would hold it
    table.put(item)
    assert delivery.deliver(item) == "failed"  # settled for good: no retries, no dead-letter queue
    assert [m for m in mail.raw() if m.destinations] == []
    stored = table.get(keys.invitation("demo", str(item["org_id"]), str(item["id"]))) or {}
    assert stored["delivery"]["status"] == "failed"


@pytest.mark.parametrize("name", ["Acme\u2028Corp", "Acme\u2029Corp", "Acme\nCorp", "\u3164\u3164", "\u2800",
                                  "\u115f", "Acme\u202eCorp", "Acme\u0000"])
def test_an_org_name_with_line_separators_or_invisible_only_text_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        CreateOrg(name=name)


@pytest.mark.parametrize("email_settings", [
    {"subject": "Join {org}\r\nBcc: evil@evil.example"},
    {"subject": "Join {org}\u2028Bcc: evil@evil.example"},
    {"subject": "=?utf-8?q?=0D=0ABcc:_evil@evil.example?= {org}"},
    {"from": "=?utf-8?q?=0D=0ABcc:_evil@evil.example?= <hello@acme.test>"},
    {"from": "Acme\u2028Bcc: evil@evil.example <hello@acme.test>"},
])
def test_invitation_email_settings_that_could_forge_a_header_are_refused(email_settings: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        UpdateSettings.model_validate({"invitation_email": email_settings})


def test_one_line_neutralises_every_kind_of_line_break_and_encoded_word() -> None:
    assert mail_headers.one_line("a\r\nb\u2028c\u2029d\u0085e\x0bf\x0cg") == "a b c d e f g"
    assert mail_headers.one_line("x =?utf-8?q?y?= z") == "x = ?utf-8?q?y?= z"
    assert "=?" not in mail_headers.one_line("==??=?=?")
