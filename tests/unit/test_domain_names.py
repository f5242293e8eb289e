"""Which domains an org may claim: the Public Suffix List comes from inside its package, never the network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from orgplane import domain_names
from orgplane.errors import DomainError


def test_the_public_suffix_list_ships_inside_the_package() -> None:
    import publicsuffixlist

    data = Path(publicsuffixlist.__file__).parent / "public_suffix_list.dat"
    assert data.is_file() and data.stat().st_size > 100_000
    assert "===BEGIN PRIVATE DOMAINS===" in data.read_text(encoding="utf-8")


def test_checking_a_domain_opens_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    domain_names._suffixes.cache_clear()
    domain_names._free_mail.cache_clear()

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("no network at run time")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    domain_names.check_allowed("acme.test")
    with pytest.raises(DomainError) as caught:
        domain_names.check_allowed("github.io")
    assert caught.value.code == "domain_not_allowed"


@pytest.mark.parametrize(("name", "expected"), [("Acme.Test", "acme.test"), ("acme.test.", "acme.test"),
                                                ("Bücher.example", "xn--bcher-kva.example")])
def test_names_are_normalised_to_their_a_label(name: str, expected: str) -> None:
    assert domain_names.normalise(name) == expected
