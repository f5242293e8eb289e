"""The invitation-link key deployed: read from Secrets Manager (``SECRET_ARN``) once per container."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from orgplane import config, keys
from orgplane.models.invitations import CreateInvitation, InvitationToken
from orgplane.models.orgs import CreateOrg
from orgplane.services import invitation_links, invitations, orgs
from orgplane.store import table
from tests.support import world

ORG_ID = "org_01JD0000000000000000000000"
INVITATION_ID = "inv_01JD0000000000000000000000"
NONCE = "n0nce-of-the-current-send"


class SecretReads:
    """Counts the ``GetSecretValue`` calls made by clients of boto3's default session."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        self.calls.append(str(params.get("SecretId")))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretReads]:
    """A fresh default session (what ``boto3.client`` uses) whose Secrets Manager calls are counted."""
    session = boto3.session.Session()
    counter = SecretReads()
    session.events.register("provide-client-params.secrets-manager.GetSecretValue", counter)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)
    yield counter


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The deployed environment: ``SECRET_ARN`` names a Secrets Manager secret, no ``ORGPLANE_SECRET``."""
    arn = boto3.client("secretsmanager").create_secret(Name="orgplane/link-secret",
                                                       SecretString="deployed-link-secret")["ARN"]
    monkeypatch.delenv("ORGPLANE_SECRET")
    monkeypatch.setenv("SECRET_ARN", arn)
    config.reset()
    yield arn
    config.reset()  # the next test resolves its own secret


def test_with_secret_arn_the_key_is_the_secrets_manager_secret(deployed: str, reads: SecretReads) -> None:
    assert config.settings().secret_arn == deployed and config.settings().secret_value is None
    assert config.secret() == b"deployed-link-secret"
    assert reads.calls == [deployed]


def test_the_secret_is_fetched_once_per_container(deployed: str, reads: SecretReads) -> None:
    tokens = {invitation_links.token("demo", ORG_ID, INVITATION_ID, NONCE) for _ in range(5)}
    assert len(tokens) == 1
    assert all(config.secret() == b"deployed-link-secret" for _ in range(3))
    assert reads.calls == [deployed]
    # a rotation is seen by a new container only (here: after reset), never midway
    boto3.client("secretsmanager").put_secret_value(SecretId=deployed, SecretString="rotated-link-secret")
    assert config.secret() == b"deployed-link-secret" and reads.calls == [deployed]
    config.reset()
    assert config.secret() == b"rotated-link-secret"
    assert reads.calls == [deployed, deployed]


def test_a_link_made_with_the_deployed_secret_verifies_and_one_made_with_another_key_does_not(
        monkeypatch: pytest.MonkeyPatch, reads: SecretReads) -> None:
    local_token = invitation_links.token("demo", ORG_ID, INVITATION_ID, NONCE)  # keyed by ORGPLANE_SECRET
    arn = boto3.client("secretsmanager").create_secret(Name="orgplane/link-secret",
                                                       SecretString="deployed-link-secret")["ARN"]
    monkeypatch.delenv("ORGPLANE_SECRET")
    monkeypatch.setenv("SECRET_ARN", arn)
    config.reset()
    try:
        token = invitation_links.token("demo", ORG_ID, INVITATION_ID, NONCE)
        assert token != local_token
        parsed = invitation_links.parse(token)
        assert parsed == (ORG_ID, INVITATION_ID, token.rsplit(".", 1)[1])
        assert invitation_links.matches("demo", ORG_ID, INVITATION_ID, NONCE, parsed[2])
        local_mac = local_token.rsplit(".", 1)[1]
        assert not invitation_links.matches("demo", ORG_ID, INVITATION_ID, NONCE, local_mac)
        assert reads.calls == [arn]
    finally:
        config.reset()


def test_an_invitation_link_keyed_by_the_deployed_secret_is_accepted(deployed: str, reads: SecretReads) -> None:
    alice, bob = world.caller("alice"), world.caller("bob")
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    invitation_id = invitations.create(alice, org_id, CreateInvitation(email="bob@example.com")).id
    nonce = (table.get(keys.invitation("demo", org_id, invitation_id)) or {})["nonce"]
    token = invitation_links.token("demo", org_id, invitation_id, nonce)
    assert invitations.accept_by_token(bob, InvitationToken(token=token)).user_id == "bob"
    assert invitations.get(alice, org_id, invitation_id).status == "accepted"
    assert reads.calls == [deployed]


def test_without_either_setting_the_secret_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch,
                                                                    reads: SecretReads) -> None:
    monkeypatch.delenv("ORGPLANE_SECRET")
    monkeypatch.delenv("SECRET_ARN", raising=False)
    config.reset()
    try:
        with pytest.raises(RuntimeError, match="SECRET_ARN"):
            config.secret()
        assert reads.calls == []
    finally:
        config.reset()
