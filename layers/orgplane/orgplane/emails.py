"""What an email address is here: one mailbox, one key.

Every address that is stored, compared or searched goes through :func:`key`, whether it comes from
a request body (an invitation), from the caller's token, or from a support lookup. Two addresses
share a key only when they name the same mailbox:

- the domain is normalised by IDNA 2008 with UTS 46 (the ``idna`` package, never the stdlib's
  ``"idna"`` codec, which is IDNA 2003 and maps ``straße`` to ``strasse`` and ``ς`` to ``σ``) to its
  A-label, so ``bücher.example`` and ``xn--bcher-kva.example`` are one domain, and ``straße.de`` and
  ``strasse.de`` are two;
- the local part is lower-cased for ASCII letters only (``str.lower`` would turn the Kelvin sign
  into ``k`` and the Ohm sign into ``ω``); anything else in it is kept as written;
- an address holding a character that is not valid in a mailbox (controls, format characters such
  as the soft hyphen or zero-width joiner, whitespace, line separators, unassigned code points) or a
  domain that only reaches its canonical form through compatibility mapping (full-width letters,
  the Kelvin sign, variation selectors) is **invalid**: refused with 400 on input, and never matched
  when it comes from a token.

Plus-addressing is kept: ``kelly+work@`` and ``kelly@`` are different keys. Mail goes only to ASCII
mailbox names without encoded-word syntax (:func:`check_mailable`); a token's non-ASCII local part is
compared as written.
"""

from __future__ import annotations

import re
import unicodedata

import idna

MAX_LENGTH = 254
MAX_LOCAL_OCTETS = 64

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Characters a mailbox name may not hold even quoted-free: RFC 5322 specials and the quote itself.
_LOCAL_SPECIALS = re.compile(r"[\"<>(),;:\\\[\]@]")
# Unicode categories that have no place in an address: controls, format characters, surrogates,
# private use, unassigned, and every kind of space or line/paragraph separator.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


class InvalidEmail(ValueError):
    """Not one mailbox address; the message says why, without echoing the address."""


def key(address: str) -> str:
    """The canonical key of a valid address: ``local@a-label``. Raises :class:`InvalidEmail`."""
    local, domain = _split(address)
    return f"{local.translate(_ASCII_LOWER)}@{domain}"


def key_or_none(address: object) -> str | None:
    """:func:`key`, or ``None`` for anything that is not a valid address (a token's claim)."""
    if not isinstance(address, str):
        return None
    try:
        return key(address)
    except InvalidEmail:
        return None


def check(address: str) -> str:
    """The address as written, if valid (for display and mail); raises :class:`InvalidEmail`."""
    _split(address)
    return address


def check_mailable(address: str) -> str:
    """:func:`check`, and the local part in ASCII: SES (like most mail services) does not speak
    SMTPUTF8, so mail cannot reach ``jörg@`` at all; such an address is refused where mail goes to it.
    (Internationalised *domains* are fine: mail goes to their A-label.) Nor may it hold an RFC 2047
    encoded word (``=?utf-8?q?...?=``): the ``email`` package decodes one in the ``To`` header, so
    ``=?utf-8?b?ZXZlQGV2aWwuZXhhbXBsZSwgYm9i?=@example.com`` would read ``To: eve@evil.example,
    bob@example.com``, and one decoding to a line break failed every send of the invitation."""
    check(address)
    if not address.rpartition("@")[0].isascii():
        raise InvalidEmail("the part before @ must be ASCII: mail cannot be delivered to internationalised "
                           "mailbox names (the domain may be internationalised)")
    if "=?" in address:  # RFC 2047 forbids it in an address; Python's header parser decodes it anyway
        raise InvalidEmail("must not contain encoded-word syntax ('=?'): a mail header would decode it into "
                           "other text than the address")
    return address


def deliverable(address: str) -> str:
    """The form to hand to a mail server: the local part as written, the domain as its A-label."""
    local = address.rpartition("@")[0]
    return f"{local}@{_split(address)[1]}"


def domain_of(address: str) -> str:
    """The A-label domain of a valid address."""
    return _split(address)[1]


def search_prefix(text: str) -> str:
    """A prefix of :func:`key` values for ``text`` typed into a lookup: ASCII lower-cased, and the
    domain part, when it is a whole valid domain, in its A-label form."""
    text = text.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text.translate(_ASCII_LOWER)
    try:
        domain = _domain(domain)
    except InvalidEmail:
        domain = domain.translate(_ASCII_LOWER)
    return f"{local.translate(_ASCII_LOWER)}@{domain}"


def _split(address: str) -> tuple[str, str]:
    if not isinstance(address, str) or not address:
        raise InvalidEmail("must be an email address (local@domain)")
    if len(address) > MAX_LENGTH:
        raise InvalidEmail(f"must be at most {MAX_LENGTH} characters")
    for ch in address:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise InvalidEmail(f"must not contain spaces, control or invisible characters (U+{ord(ch):04X})")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail("must be one email address (local@domain)")
    if (_LOCAL_SPECIALS.search(local) or local.startswith(".") or local.endswith(".") or ".." in local
            or len(local.encode("utf-8")) > MAX_LOCAL_OCTETS):
        raise InvalidEmail("the part before @ is not a valid mailbox name")
    return local, _domain(domain)


def _domain(domain: str) -> str:
    """The A-label form of ``domain``, accepting only case differences from its canonical form."""
    problem = InvalidEmail("the domain is not a valid domain name")
    if unicodedata.normalize("NFKC", domain) != domain:
        raise problem  # full-width letters, the Kelvin or Ohm sign, decomposed accents...
    try:
        # UTS 46 may map more than case (it drops variation selectors, for one): only case may differ
        if idna.uts46_remap(domain, std3_rules=True, transitional=False) != domain.lower():
            raise problem
        ascii_domain = idna.encode(domain, uts46=True, std3_rules=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise problem from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(labels) or len(labels[-1]) < 2 or len(ascii_domain) > 253:
        raise problem
    return ascii_domain


def domain(name: str) -> str:
    """The A-label form of a domain name written on its own (an invite link's ``allowed_domains``):
    the rules of an address's domain. Raises :class:`InvalidEmail`."""
    return _domain(name)
