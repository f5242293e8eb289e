"""An email names one person: the table of look-alikes that must never share a key, and the forms
of one mailbox that must (orgplane.emails, used by invitations, claims, lookups and token emails)."""

from __future__ import annotations

import pytest

from orgplane import emails

# (invited address, the other address): different mailboxes, or an address no mailbox can have.
LOOK_ALIKES = [
    ("cfo@straße.de", "cfo@strasse.de"),  # IDNA 2003 maps ß to ss: two registrable domains
    ("user@σοφος.gr", "user@σοφοσ.gr"),  # final sigma is its own letter in IDNA 2008
    ("kelly@example.com", "\u212aelly@example.com"),  # Kelvin sign, which str.lower() turns into k
    ("\u03c9mega@example.com", "\u2126mega@example.com"),  # Ohm sign, which str.lower() turns into ω
    ("kelly@example.com", "kel\u00adly@example.com"),  # soft hyphen in the local part
    ("kelly@example.com", "kelly@exam\u00adple.com"),  # soft hyphen in the domain (IDNA 2003 drops it)
    ("kelly@example.com", "kel\u200dly@example.com"),  # zero-width joiner
    ("kelly@example.com", "kelly@exam\u200dple.com"),
    ("kelly@example.com", "\uff4belly@example.com"),  # full-width k
    ("kelly@example.com", "kelly@\uff45xample.com"),  # full-width e in the domain (UTS 46 would map it)
    ("kelly@example.com", " kelly@example.com"),  # surrounding whitespace
    ("kelly@example.com", "kelly@example.com\n"),
    ("kelly@example.com", "kelly@exa\ufe0fmple.com"),  # a variation selector UTS 46 would drop
    ("kelly@kelvin.example", "kelly@\u212aelvin.example"),  # Kelvin sign in the domain
    ("kelly@example.com", "kelly+work@example.com"),  # plus-addressing is another mailbox
    ("jörg@example.com", "JÖRG@example.com"),  # only ASCII letters are folded
]

# Forms of one mailbox.
SAME_MAILBOX = [
    ("kelly@example.com", "Kelly@Example.COM"),  # ASCII case
    ("bob@straße.de", "bob@xn--strae-oqa.de"),  # the Unicode and punycode forms of one IDN
    ("joerg@bücher.example", "joerg@xn--bcher-kva.example"),
    ("joerg@bücher.example", "Joerg@BÜCHER.example"),  # a domain's case
    ("jörg@bücher.example", "jörg@xn--bcher-kva.example"),  # a token's non-ASCII local part, compared as written
]


@pytest.mark.parametrize(("invited", "other"), LOOK_ALIKES)
def test_a_look_alike_address_never_shares_the_key_of_the_invited_one(invited: str, other: str) -> None:
    assert emails.key_or_none(other) != emails.key(invited)


@pytest.mark.parametrize(("one", "other"), SAME_MAILBOX)
def test_the_forms_of_one_mailbox_share_one_key(one: str, other: str) -> None:
    assert emails.key(one) == emails.key(other)


@pytest.mark.parametrize("address", [
    "kel\u00adly@example.com", "kel\u200dly@example.com", " kelly@example.com", "kelly@example.com\n",
    "kelly@exam\u00adple.com", "kelly@\uff45xample.com", "kelly@exa\ufe0fmple.com", "kelly@\u212aexample.com",
    "ke lly@example.com", "kelly@exam\u2028ple.com", "kelly\u0000@example.com", "kelly@example.com.",
    "kelly@xn--zz.example", "kelly@localhost", "@example.com", "kelly@", "kelly", "a@b@example.com",
    "kelly@ex_ample.com", "a" * 65 + "@example.com",
])
def test_an_address_with_characters_no_mailbox_holds_is_invalid(address: str) -> None:
    with pytest.raises(emails.InvalidEmail):
        emails.key(address)
    assert emails.key_or_none(address) is None


def test_the_key_is_the_ascii_lower_cased_local_part_at_the_a_label() -> None:
    assert emails.key("Jörg.K@Bücher.Example") == "jörg.k@xn--bcher-kva.example"
    assert emails.key("\u212aelly@example.com") == "\u212aelly@example.com"


def test_mail_goes_to_the_a_label_form_of_the_domain() -> None:
    assert emails.deliverable("Bob@Straße.de") == "Bob@xn--strae-oqa.de"


def test_a_lookup_prefix_takes_the_form_of_keys() -> None:
    assert emails.search_prefix("Kelly@Bücher.example") == "kelly@xn--bcher-kva.example"
    assert emails.search_prefix("KEL") == "kel"
    assert emails.search_prefix("kelly@exa") == "kelly@exa"
