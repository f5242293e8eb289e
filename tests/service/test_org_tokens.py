"""Org tokens: POST /orgs/{org_id}/token and GET /.well-known/jwks.json, with the local key file and with
AWS KMS (moto): every claim, who may have one, the lifetime setting, and key rotation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest

from orgplane import clock, config
from orgplane.identity import signing
from orgplane.models.orgs import CreateOrg
from orgplane.models.teams import CreateTeam, PutTeamMember
from orgplane.services import org_tokens, orgs, team_members, teams
from tests.service.test_handlers import call
from tests.service.test_provisioning import SERVICE
from tests.support import world

ISSUER = "https://api.example.test/dev"
alice = world.caller("alice")
BOB = {"app_id": "demo", "sub": "bob", "email": "bob@example.com"}


@pytest.fixture(autouse=True)
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "org-token.pem"
    monkeypatch.setenv("ORG_TOKEN_KEY_FILE", str(path))
    monkeypatch.setenv("ORG_TOKEN_ISSUER", ISSUER)
    monkeypatch.delenv("ORG_TOKEN_KEY_ID", raising=False)
    config.reset()
    signing.reset()
    yield path
    signing.reset()
    config.reset()


def verify(token: str, jwks: dict[str, Any], audience: str = "demo") -> dict[str, Any]:
    """As a customer's backend would: the key named by ``kid`` in the key set, RS256 only."""
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    return dict(jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=audience, issuer=ISSUER))


def token_for(identity: dict[str, Any], org_id: str) -> tuple[int, dict[str, Any] | None]:
    status, body, _ = call("create_org_token", "POST", "/orgs/{org_id}/token", f"/orgs/{org_id}/token",
                           identity=identity, path_params={"org_id": org_id})
    return status, body


def served_jwks() -> tuple[dict[str, Any], str]:
    from devserver import loader, template
    from devserver.events import api_event

    function = next(f for f in template.functions() if f.name == "jwks")
    response = loader.load_handler(function)(api_event("GET", "/.well-known/jwks.json", "/.well-known/jwks.json"),
                                             loader.LambdaContext("jwks"))
    assert response["statusCode"] == 200
    return json.loads(response["body"]), response["multiValueHeaders"]["Cache-Control"][0]


def test_a_member_gets_a_token_whose_every_claim_verifies_against_the_served_keys() -> None:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    world.add_member(org.id, "bob", role="admin")
    core = teams.create(alice, org.id, CreateTeam(name="Core")).id
    web = teams.create(alice, org.id, CreateTeam(name="Web")).id
    gone = teams.create(alice, org.id, CreateTeam(name="Gone")).id
    for team_id in (web, core, gone):
        team_members.put_member(alice, org.id, team_id, "bob", PutTeamMember(role="member"))
    teams.delete(alice, org.id, gone)
    status, body = token_for(BOB, org.id)
    assert status == 200 and body and set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    jwks, cache_control = served_jwks()
    assert cache_control == "public, max-age=300"
    claims = verify(body["access_token"], jwks)
    assert set(claims) == {"iss", "aud", "sub", "app_id", "org_id", "org_role", "org_permissions", "team_ids",
                           "iat", "exp", "jti"}
    admin = sorted(p for p in ("org:read", "org:update", "member:read", "member:invite", "member:update",
                               "member:remove", "invitation:read", "invitation:revoke", "team:create",
                               "team:update", "team:delete", "team:member:manage", "audit:read",
                               "domain:manage"))
    assert {k: claims[k] for k in ("iss", "aud", "sub", "app_id", "org_id", "org_role", "org_permissions",
                                   "team_ids")} == {
        "iss": ISSUER, "aud": "demo", "sub": "bob", "app_id": "demo", "org_id": org.id, "org_role": "admin",
        "org_permissions": admin, "team_ids": sorted([core, web])}
    assert claims["exp"] - claims["iat"] == 300 and abs(claims["iat"] - clock.timestamp()) < 5
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    assert token_for(BOB, org.id)[1]["access_token"] != body["access_token"]  # type: ignore[index]


def test_a_token_of_another_app_or_an_altered_token_does_not_verify() -> None:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    body = token_for({"app_id": "demo", "sub": "alice"}, org.id)[1]
    assert body
    jwks, _ = served_jwks()
    with pytest.raises(jwt.InvalidAudienceError):
        verify(body["access_token"], jwks, audience="other")
    header, payload, signature = body["access_token"].split(".")
    forged = json.loads(jwt.utils.base64url_decode(payload))
    forged["org_role"] = "owner" if forged["org_role"] != "owner" else "member"
    tampered = f"{header}.{signing.b64url(json.dumps(forged).encode())}.{signature}"
    with pytest.raises(jwt.InvalidSignatureError):
        verify(tampered, jwks)


def test_strangers_get_404_support_and_services_403() -> None:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    status, body = token_for({"app_id": "demo", "sub": "mallory"}, org.id)
    assert status == 404 and body and body["code"] == "org_not_found"
    status, body = token_for({"app_id": "other", "sub": "alice"}, org.id)
    assert status == 404 and body and body["code"] == "org_not_found"
    status, body = token_for({"app_id": "demo", "sub": "sam", "support": True}, org.id)
    assert status == 403 and body and body["code"] == "forbidden"
    status, body = token_for(SERVICE, org.id)
    assert status == 403 and body and body["code"] == "forbidden"
    status, body = token_for({"app_id": "demo", "sub": "alice"}, "org_not-an-id")
    assert status == 404 and body and body["code"] == "org_not_found"


def test_the_lifetime_is_the_app_setting() -> None:
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    support = {"app_id": "demo", "sub": "sam", "support": True}
    for bad in (59, 3601, "300", None):
        status, body, _ = call("update_settings", "PATCH", "/admin/settings", "/admin/settings", identity=support,
                               body={"org_token_ttl_seconds": bad})
        assert status == 400 and body and body["code"] == "validation_error", bad
    status, body, _ = call("update_settings", "PATCH", "/admin/settings", "/admin/settings", identity=support,
                           body={"org_token_ttl_seconds": 60})
    assert status == 200 and body and body["org_token_ttl_seconds"] == 60
    answer = token_for({"app_id": "demo", "sub": "alice"}, org.id)[1]
    assert answer and answer["expires_in"] == 60
    claims = verify(answer["access_token"], served_jwks()[0])
    assert claims["exp"] - claims["iat"] == 60


def test_the_local_key_file_is_made_once_and_previous_files_are_published(key_file: Path, tmp_path: Path) -> None:
    first = signing.FileSigner(key_file)
    kid = first.current().kid
    assert key_file.exists() and signing.FileSigner(key_file).current().kid == kid
    rotated = signing.FileSigner(tmp_path / "next.pem", previous=(key_file,))
    token = signing.encode({"sub": "x"}, first)
    keys = signing.jwks(rotated)["keys"]
    assert [k["kid"] for k in keys] == [rotated.current().kid, kid]
    assert jwt.decode(token, jwt.PyJWK(keys[1]).key, algorithms=["RS256"]) == {"sub": "x"}


# --- AWS KMS (moto) --------------------------------------------------------------------------------


def kms_key() -> str:
    kms = boto3.client("kms")
    return str(kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"])


def test_kms_signs_once_per_token_and_public_keys_are_fetched_once() -> None:
    kms = boto3.client("kms")
    arn = kms_key()
    kms.create_alias(AliasName="alias/org-tokens", TargetKeyId=arn)
    calls: list[str] = []
    kms.meta.events.register("before-call.kms.*", lambda model, **_: calls.append(model.name))
    signer = signing.KmsSigner("alias/org-tokens", client=kms)
    tokens = [signing.encode({"sub": f"user{n}"}, signer) for n in range(3)]
    assert calls == ["GetPublicKey", "Sign", "Sign", "Sign"]
    keys = signing.jwks(signer)["keys"]
    assert calls.count("GetPublicKey") == 1 and len(keys) == 1
    for n, token in enumerate(tokens):
        assert jwt.get_unverified_header(token)["kid"] == keys[0]["kid"]
        assert jwt.decode(token, jwt.PyJWK(keys[0]).key, algorithms=["RS256"]) == {"sub": f"user{n}"}


def test_after_a_kms_rotation_tokens_of_the_previous_key_keep_verifying() -> None:
    kms = boto3.client("kms")
    blue, green = kms_key(), kms_key()
    kms.create_alias(AliasName="alias/org-tokens", TargetKeyId=blue)
    before = signing.encode({"sub": "early"}, signing.KmsSigner("alias/org-tokens", client=kms))
    kms.update_alias(AliasName="alias/org-tokens", TargetKeyId=green)
    signer = signing.KmsSigner("alias/org-tokens", previous=(blue,), client=kms)
    after = signing.encode({"sub": "late"}, signer)
    keys = {k["kid"]: k for k in signing.jwks(signer)["keys"]}
    assert len(keys) == 2
    assert jwt.get_unverified_header(before)["kid"] != jwt.get_unverified_header(after)["kid"]
    for token, sub in ((before, "early"), (after, "late")):
        jwk = keys[jwt.get_unverified_header(token)["kid"]]
        assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"]) == {"sub": sub}


def test_the_deployment_signs_with_kms_when_a_key_id_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    arn = kms_key()
    monkeypatch.setenv("ORG_TOKEN_KEY_ID", arn)
    config.reset()
    signing.reset()
    org = orgs.create(alice, CreateOrg(name="Acme", slug="acme"))
    body = token_for({"app_id": "demo", "sub": "alice"}, org.id)[1]
    assert body
    assert isinstance(signing.signer(), signing.KmsSigner)
    assert verify(body["access_token"], served_jwks()[0])["org_role"] == "owner"
    assert org_tokens.key_set().keys[0].kid == jwt.get_unverified_header(body["access_token"])["kid"]
