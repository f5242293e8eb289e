"""A regression corpus of hostile inputs against the local server: tokens, bodies, emails, cursors.

Each case gets the documented problem+json (400, 401, 404, 413) and changes nothing. Token attacks
already proven through HTTP elsewhere (missing or malformed token, unknown kid, a served kid with a
rogue signature, expired, unknown issuer, wrong audience, the other app's token reading or deleting a
demo org: tests/http/test_local_server.py) are not repeated; every other rejection of the authorizer's
unit tests (tests/unit/test_authorizer.py) is forged here end to end, on write routes, with the claims
of a real victim. Only an unreachable JWKS and the registry's own refusals (bad configuration) stay
unit-only.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from devserver import apps, tokens
from tests.http.client import Client, Response
from tests.http.expect import assert_problem, ok, unique
from tests.unit.test_authorizer import hmac_signed, unsigned

MAX_BODY_BYTES = 16 * 1024
"""The functions' body limit (``MAX_BODY_BYTES``, orgplane.config's default: template.yaml sets none)."""
JSON = {"Content-Type": "application/json"}


class Victim:
    """A user with an org, a team and a pending invitation: what the attacks below must not touch."""

    def __init__(self, api: Client) -> None:
        self.api = api
        self.sub = unique("victim")
        self.email = f"{self.sub}@example.com"
        self.org = ok(api.post("/orgs", token=self.token(), json={"name": "Victim Inc", "slug": unique("victim")}),
                      201)
        self.org_id = self.org["id"]
        ok(api.post(f"/orgs/{self.org_id}/teams", token=self.token(), json={"name": "Core"}), 201)
        ok(api.post(f"/orgs/{self.org_id}/invitations", token=self.token(), json={"email": "friend@example.com"}), 201)
        api.drain()  # the invitation's delivery state settles before anyone compares states

    def token(self) -> str:
        return self.api.token(sub=self.sub, email=self.email)

    def claims(self, **changes: Any) -> dict[str, Any]:
        """Genuine-looking claims of the victim on the server's clock (``None`` drops a claim)."""
        return tokens.claims("demo", self.sub, email=self.email, now=self.api.now(), **changes)

    def state(self) -> Any:
        """Everything an attacker could change, as the victim sees it."""
        path = f"/orgs/{self.org_id}"
        return (ok(self.api.get("/orgs", token=self.token()))["data"], ok(self.api.get(path, token=self.token())),
                ok(self.api.get(f"{path}/members", token=self.token()))["data"],
                ok(self.api.get(f"{path}/teams", token=self.token()))["data"],
                ok(self.api.get(f"{path}/invitations", token=self.token()))["data"])


@pytest.fixture(scope="module")
def victim(server: Client) -> Victim:
    """One victim for the module: every test using it proves it unchanged."""
    return Victim(server)


# ---------------------------------------------------------------- tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def served_public_pem(api: Client) -> bytes:
    """The demo issuer's public key as an attacker gets it: from the served JWKS."""
    [jwk] = ok(api.get(apps.jwks_path("demo")))["keys"]
    key = RSAAlgorithm.from_jwk(json.dumps(jwk))
    assert isinstance(key, rsa.RSAPublicKey)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def alg_none(api: Client, victim: Victim) -> str:
    return unsigned(victim.claims(), {"alg": "none", "typ": "JWT", "kid": apps.kid("demo")})


def hs256_with_the_public_key(api: Client, victim: Victim) -> str:
    return hmac_signed(victim.claims(), served_public_pem(api), kid=apps.kid("demo"))


def not_yet_valid(api: Client, victim: Victim) -> str:
    return tokens.sign("demo", victim.claims(nbf=int(api.now()) + 600))


def refresh_token_use(api: Client, victim: Victim) -> str:
    return tokens.sign("demo", {**victim.claims(), "token_use": "refresh"})


def access_token_of_another_client(api: Client, victim: Victim) -> str:
    claims = tokens.claims("demo", victim.sub, token_use="access", now=api.now(), client_id="someone-elses-web")
    return tokens.sign("demo", claims)


def tampered_payload(api: Client, victim: Victim) -> str:
    """Mallory's genuine token with the victim's claims pasted in: the signature no longer matches."""
    header, _, signature = api.token(sub=unique("mallory")).split(".")
    return f"{header}.{_b64(json.dumps(victim.claims()).encode())}.{signature}"


def signed_by_the_other_apps_key(api: Client, victim: Victim) -> str:
    """Demo claims signed with app ``other``'s real key and kid: the demo issuer does not know that key."""
    return jwt.encode(victim.claims(), apps.private_key("other"), algorithm="RS256",
                      headers={"kid": apps.kid("other")})


def rs512_with_the_right_key(api: Client, victim: Victim) -> str:
    return jwt.encode(victim.claims(), apps.private_key("demo"), algorithm="RS512", headers={"kid": apps.kid("demo")})


def issued_in_the_future(api: Client, victim: Victim) -> str:
    return tokens.sign("demo", victim.claims(iat=int(api.now()) + 600, auth_time=int(api.now()) + 600))


def without_exp(api: Client, victim: Victim) -> str:
    return tokens.sign("demo", victim.claims(exp=None))


def non_numeric_exp(api: Client, victim: Victim) -> str:
    return tokens.sign("demo", victim.claims(exp="tomorrow"))


def without_sub(api: Client, victim: Victim) -> str:
    claims = victim.claims()
    del claims["sub"]
    return tokens.sign("demo", claims)


def without_iss(api: Client, victim: Victim) -> str:
    return tokens.sign("demo", victim.claims(iss=None))


def id_token_without_aud(api: Client, victim: Victim) -> str:
    return tokens.sign("demo", victim.claims(aud=None))


def access_token_on_its_aud_alone(api: Client, victim: Victim) -> str:
    """An access token naming the demo client only in ``aud``: Cognito access tokens carry ``client_id``."""
    claims = tokens.claims("demo", victim.sub, token_use="access", now=api.now(), client_id=None,
                           aud=apps.client_id("demo"))
    return tokens.sign("demo", claims)


def the_other_issuers_token_for_the_demo_client(api: Client, victim: Victim) -> str:
    """A genuine token of the ``other`` issuer, signed by its own key, that names demo's client id."""
    claims = tokens.claims("other", victim.sub, email=victim.email, now=api.now(), aud=apps.client_id("demo"))
    return tokens.sign("other", claims)


FORGERIES: list[Callable[[Client, Victim], str]] = [
    alg_none, hs256_with_the_public_key, not_yet_valid, refresh_token_use, access_token_of_another_client,
    tampered_payload, signed_by_the_other_apps_key, rs512_with_the_right_key, issued_in_the_future, without_exp,
    non_numeric_exp, without_sub, without_iss, id_token_without_aud, access_token_on_its_aud_alone,
    the_other_issuers_token_for_the_demo_client,
]


@pytest.mark.parametrize("forge", FORGERIES, ids=[f.__name__ for f in FORGERIES])
def test_a_forged_token_with_the_victims_claims_is_401_and_changes_nothing(
        api: Client, victim: Victim, forge: Callable[[Client, Victim], str]) -> None:
    before = victim.state()
    token = forge(api, victim)
    path = f"/orgs/{victim.org_id}"
    attempts = [
        api.get("/me", token=token),
        api.patch(path, token=token, json={"name": "Pwned"}),
        api.post(f"{path}/invitations", token=token, json={"email": "mallory@example.com", "role": "owner"}),
        api.delete(f"{path}/members/{victim.sub}", token=token),
        api.post("/orgs", token=token, json={"name": "Mallory's"}),
        api.delete(path, token=token),
    ]
    for response in attempts:
        assert_problem(response, 401, "unauthorized")
        assert response.headers.get("www-authenticate", "").startswith('Bearer error="invalid_token"')
    assert victim.state() == before


def test_the_same_claims_genuinely_signed_are_accepted(api: Client, victim: Victim) -> None:
    """The control for the forgeries: only the forging made them fail."""
    me = ok(api.get("/me", token=tokens.sign("demo", victim.claims())))
    assert (me["user_id"], me["app_id"]) == (victim.sub, "demo")


def test_the_other_apps_token_cannot_write_to_a_demo_org(api: Client, victim: Victim) -> None:
    before = victim.state()
    mallory = api.token(app="other", sub=victim.sub, email=victim.email)  # the same sub, another app's user
    path = f"/orgs/{victim.org_id}"
    team_id = before[3][0]["id"]
    for response in (
        api.patch(path, token=mallory, json={"name": "Pwned"}),
        api.post(f"{path}/invitations", token=mallory, json={"email": "mallory@example.com"}),
        api.post(f"{path}/teams", token=mallory, json={"name": "Mallory"}),
        api.put(f"{path}/teams/{team_id}/members/{victim.sub}", token=mallory, json={"role": "maintainer"}),
        api.patch(f"{path}/members/{victim.sub}", token=mallory, json={"role": "member"}),
        api.delete(f"{path}/members/{victim.sub}", token=mallory),
        api.get(f"{path}/audit", token=mallory),
    ):
        assert_problem(response, 404, "org_not_found")
    assert ok(api.get("/orgs", token=mallory))["data"] == []
    assert victim.state() == before


# ---------------------------------------------------------------- bodies


def nested(levels: int, opening: str = "[", closing: str = "]", inner: str = "1") -> str:
    return opening * levels + inner + closing * levels


def body_of_size(size: int) -> bytes:
    """``{"name": "xxx…"}`` of exactly ``size`` bytes."""
    head, tail = b'{"name": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


HOSTILE_ORG_BODIES = [
    pytest.param(('{"name": "x", "metadata": {"a": ' + nested(10_000) + "}}").encode(), 413, "payload_too_large",
                 None, id="nested-10000-levels"),
    pytest.param(('{"name": "x", "metadata": {"a": ' + nested(7_000) + "}}").encode(), 400, "validation_error", "body",
                 id="nested-7000-levels-under-the-limit"),
    pytest.param(json.dumps({"name": "x", "metadata": json.loads(nested(6, '{"a": ', "}"))}).encode(), 400,
                 "validation_error", "metadata", id="metadata-6-levels"),
    pytest.param(body_of_size(MAX_BODY_BYTES + 1), 413, "payload_too_large", None, id="one-byte-over-the-limit"),
    pytest.param(body_of_size(MAX_BODY_BYTES), 400, "validation_error", "name", id="exactly-the-limit"),
    pytest.param(b'{"name": "Acme\\u0000"}', 400, "validation_error", "name", id="null-byte-escaped"),
    pytest.param(b'{"name": "Ac\\u0007me"}', 400, "validation_error", "name", id="bell-control-char"),
    pytest.param(b'{"name": "Acme\\u009b"}', 400, "validation_error", "name", id="c1-control-char"),
    pytest.param(b'{"name": "\\u00a0\\u3000"}', 400, "validation_error", "name", id="only-unicode-spaces"),
    pytest.param(b'{"name": "Acme\\ud800"}', 400, "validation_error", "name", id="lone-high-surrogate"),
    pytest.param(b'{"name": "\\udfff"}', 400, "validation_error", "name", id="lone-low-surrogate"),
    pytest.param(b'{"name": "Acme", "metadata": {"\\ud800": 1}}', 400, "validation_error", "metadata",
                 id="lone-surrogate-in-metadata-key"),
    pytest.param(b'{"name": "Acme", "metadata": {"k": ["x", {"j": "\\udc00"}]}}', 400, "validation_error",
                 "metadata", id="lone-surrogate-deep-in-metadata"),
    pytest.param(('{"name": "x", "metadata": {"a": ' + nested(600) + "}}").encode(), 400, "validation_error",
                 "metadata", id="metadata-600-levels-in-1200-bytes"),
    pytest.param(b'{"name": "Acme", "metadata": {"k": NaN}}', 400, "validation_error", "metadata",
                 id="nan-in-metadata"),
    pytest.param(b'{"name": "Acme", "metadata": {"k": [-Infinity]}}', 400, "validation_error", "metadata",
                 id="infinity-in-metadata"),
    pytest.param(b'{"name": "Acme", "metadata": {"k": 1e999}}', 400, "validation_error", "metadata",
                 id="overflowing-float-in-metadata"),
    pytest.param(b'{"name": "Acme", "metadata": {"k": 1e200}}', 400, "validation_error", "metadata",
                 id="float-beyond-dynamodb-range-in-metadata"),
    pytest.param(('{"name": "Acme", "metadata": {"k": ' + "9" * 39 + "}}").encode(), 400, "validation_error",
                 "metadata", id="39-digit-integer-in-metadata"),
    pytest.param(b'{"name": "Acme", "metadata": {"": 1}}', 400, "validation_error", "metadata",
                 id="empty-metadata-key"),
    pytest.param(b'{"name": "Acme\xff\xfe"}', 400, "validation_error", None, id="invalid-utf8-bytes"),
    pytest.param('{"name": "🚀' + "🚀" * 100 + '"}', 400, "validation_error", "name", id="101-emoji"),
    pytest.param(b'{"name": "Acme", "slug": "acm\\u00e9"}', 400, "validation_error", "slug", id="non-ascii-slug"),
    pytest.param(b'{"name": null}', 400, "validation_error", "name", id="null-name"),
    pytest.param(b'{"name": true}', 400, "validation_error", "name", id="boolean-name"),
    pytest.param(b'{"name": {"first": "Acme"}}', 400, "validation_error", "name", id="object-name"),
    pytest.param(b'{"name": NaN}', 400, "validation_error", "name", id="nan-name"),
    pytest.param(b'{"name": 1e999}', 400, "validation_error", "name", id="infinite-name"),
    pytest.param(b'{"name": "Acme", "slug": 123}', 400, "validation_error", "slug", id="number-slug"),
    pytest.param(b'{"name": "Acme", "metadata": []}', 400, "validation_error", "metadata", id="list-metadata"),
    pytest.param(b'{"name": "Acme", "created_by": "mallory"}', 400, "validation_error", "created_by",
                 id="unknown-field"),
    pytest.param(b'[{"name": "Acme"}]', 400, "validation_error", "body", id="array-body"),
]


@pytest.mark.parametrize(("body", "status", "code", "field"), HOSTILE_ORG_BODIES)
def test_a_hostile_create_org_body_is_refused_and_creates_nothing(
        api: Client, body: bytes | str, status: int, code: str, field: str | None) -> None:
    token = api.token(sub=unique("hostile"))
    raw = body.encode() if isinstance(body, str) else body
    assert_problem(api.post("/orgs", token=token, body=raw, headers=JSON), status, code, field)
    assert ok(api.get("/orgs", token=token))["data"] == []


def test_metadata_at_the_edges_of_what_can_be_stored_is_kept(api: Client) -> None:
    token = api.token(sub=unique("edges"))
    metadata = {"digits38": 10**37, "tiny": -1.5e-100, "text": "straße 🚀 \u202e", "empty": "", "none": None,
                "flag": True, "tree": {"a": [1, {"b": [0.1]}]}}
    created = ok(api.post("/orgs", token=token, json={"name": "Edges", "metadata": metadata}), 201)
    assert created["metadata"] == metadata
    assert ok(api.get(f"/orgs/{created['id']}", token=token))["metadata"] == metadata


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    pytest.param(b'{"metadata": {"k": "\\ud800"}}', 400, "validation_error", "metadata", id="surrogate-metadata"),
    pytest.param(b'{"metadata": {"k": Infinity}}', 400, "validation_error", "metadata", id="infinite-metadata"),
    pytest.param(('{"metadata": {"a": ' + nested(900) + "}}").encode(), 400, "validation_error", "metadata",
                 id="metadata-900-levels"),
    pytest.param(b'{"name": "Pwned\\u0000"}', 400, "validation_error", "name", id="null-byte"),
    pytest.param(('{"metadata": {"a": ' + nested(7_000) + "}}").encode(), 400, "validation_error", "body",
                 id="nested-7000-levels"),
    pytest.param(body_of_size(MAX_BODY_BYTES + 1), 413, "payload_too_large", None, id="over-the-limit"),
])
def test_a_hostile_update_org_body_is_refused_and_changes_nothing(
        api: Client, victim: Victim, body: bytes, status: int, code: str, field: str | None) -> None:
    before = victim.state()
    response = api.patch(f"/orgs/{victim.org_id}", token=victim.token(), body=body, headers=JSON)
    assert_problem(response, status, code, field)
    assert victim.state() == before


@pytest.mark.parametrize("name", [
    pytest.param("A\u0301\u0302\u0303cme", id="combining-marks"),
    pytest.param("Acme 🚀 👩‍👩‍👧 🇫🇷", id="emoji-zwj-and-flags"),
    pytest.param("Acme \U0001F3F4\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F",
                 id="subdivision-flag-tags"),
    pytest.param("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u200fAcme", id="persian-zwnj-and-rlm"),
    pytest.param("🚀" * 100, id="100-emoji-are-100-characters"),
    pytest.param("שלום Acme", id="right-to-left-script"),
])
def test_unusual_unicode_in_a_name_is_kept_verbatim(api: Client, name: str) -> None:
    token = api.token(sub=unique("unicode"))
    created = ok(api.post("/orgs", token=token, json={"name": name}), 201)
    assert created["name"] == name
    assert ok(api.get(f"/orgs/{created['id']}", token=token))["name"] == name
    assert [o["name"] for o in ok(api.get("/orgs", token=token))["data"]] == [name]


@pytest.mark.parametrize("name", [
    pytest.param("Acme \u202egnp.exe", id="rtl-override"),
    pytest.param("Acme \u2066evil\u2069", id="bidi-isolate"),
    pytest.param("Ac\u200bme", id="zero-width-space"),
    pytest.param("Acme\ufeff", id="byte-order-mark"),
    pytest.param("\u200d\u200c\u200d", id="joiners-only"),
    pytest.param("\u0301\u0302", id="combining-marks-only"),
    pytest.param("\u3000 \u2003", id="unicode-spaces-only"),
])
def test_a_name_that_hides_or_reorders_text_is_refused(api: Client, name: str) -> None:
    token = api.token(sub=unique("unicode"))
    assert_problem(api.post("/orgs", token=token, json={"name": name}), 400, "validation_error", "name")
    assert ok(api.get("/orgs", token=token))["data"] == []


# ---------------------------------------------------------------- invitation emails


@pytest.fixture
def org(api: Client) -> tuple[str, str]:
    owner = api.token(sub=unique("inviter"))
    return owner, ok(api.post("/orgs", token=owner, json={"name": "Inviting"}), 201)["id"]


@pytest.fixture(scope="module")
def uninvited_org(server: Client) -> tuple[str, str]:
    """An org that no valid invitation ever reaches (shared by the refused ones)."""
    owner = server.token(sub=unique("inviter"))
    return owner, ok(server.post("/orgs", token=owner, json={"name": "Uninvited"}), 201)["id"]


def invite(api: Client, org: tuple[str, str], email: str) -> Response:
    owner, org_id = org
    return api.post(f"/orgs/{org_id}/invitations", token=owner, json={"email": email})


def pending_emails(api: Client, org: tuple[str, str]) -> list[str]:
    owner, org_id = org
    return sorted(i["email"] for i in ok(api.get(f"/orgs/{org_id}/invitations", token=owner))["data"])


def test_plus_addresses_are_distinct_mailboxes_and_case_is_ignored(api: Client, org: tuple[str, str]) -> None:
    assert ok(invite(api, org, "Bob+Sales@Example.COM"), 201)["email"] == "Bob+Sales@Example.COM"
    assert ok(invite(api, org, "bob@example.com"), 201)["email"] == "bob@example.com"
    assert_problem(invite(api, org, "bob+sales@example.com"), 409, "invitation_pending")
    assert_problem(invite(api, org, "BOB@EXAMPLE.COM"), 409, "invitation_pending")
    assert pending_emails(api, org) == ["Bob+Sales@Example.COM", "bob@example.com"]


def test_an_invitee_whose_verified_email_differs_in_case_sees_and_accepts_it(
        api: Client, org: tuple[str, str]) -> None:
    invitation = ok(invite(api, org, "Carol+Team@Example.com"), 201)
    carol = api.token(sub=unique("carol"), email="CAROL+TEAM@EXAMPLE.COM")
    mine = ok(api.get("/invitations", token=carol))["data"]
    assert [i["id"] for i in mine] == [invitation["id"]]
    member = ok(api.post(f"/invitations/{invitation['id']}/accept", token=carol))
    assert member["org_id"] == org[1] and member["role"] == "member"


def test_an_idn_address_is_accepted_and_its_domain_compared_case_insensitively(api: Client,
                                                                               org: tuple[str, str]) -> None:
    assert ok(invite(api, org, "joerg@bücher.example"), 201)["email"] == "joerg@bücher.example"
    assert_problem(invite(api, org, "Joerg@BÜCHER.EXAMPLE"), 409, "invitation_pending")
    assert pending_emails(api, org) == ["joerg@bücher.example"]


def test_only_ascii_letters_of_the_local_part_are_compared_case_insensitively(api: Client,
                                                                             org: tuple[str, str]) -> None:
    ok(invite(api, org, "kelly@example.com"), 201)
    assert_problem(invite(api, org, "KELLY@example.com"), 409, "invitation_pending")
    assert_problem(invite(api, org, "jörg@example.com"), 400, "validation_error", "email")  # SES: ASCII only


@pytest.mark.parametrize("email", [
    "Bob <bob@example.com>", "a@b@example.com", "a..b@example.com", '"quoted"@example.com', "x@[127.0.0.1]",
    "x@localhost", "x@-bad.example", "x@exa_mple.com", "x@example.c", "bob@example.com\u0000", "a" * 65 + "@example.com",
    "x@" + "a" * 64 + ".example", "bob@exa\ud800mple.com", "x" * 10_000 + "@example.com",
    "x@xn--zz.example", "x@xn--a.example", "bo\u200bb@example.com", "bob@exam\u202eple.com",
])
def test_an_invalid_invitation_email_is_400_and_invites_nobody(api: Client, uninvited_org: tuple[str, str],
                                                                email: str) -> None:
    assert_problem(invite(api, uninvited_org, email), 400, "validation_error", "email")
    assert pending_emails(api, uninvited_org) == []


def test_the_a_label_form_of_a_pending_idn_address_is_the_same_mailbox(api: Client, org: tuple[str, str]) -> None:
    ok(invite(api, org, "joerg@bücher.example"), 201)
    assert_problem(invite(api, org, "joerg@xn--bcher-kva.example"), 409, "invitation_pending")


def test_idna_2003_folding_does_not_merge_different_domains(api: Client, org: tuple[str, str]) -> None:
    ok(invite(api, org, "cfo@straße.de"), 201)
    ok(invite(api, org, "cfo@strasse.de"), 201)
    assert_problem(invite(api, org, "cfo@xn--strae-oqa.de"), 409, "invitation_pending")


# ---------------------------------------------------------------- cursors


class Lists:
    """One owner with two orgs, each with two teams and (the first) two invitations: every list here
    has a second page at ``limit=1``."""

    def __init__(self, api: Client) -> None:
        self.api = api
        self.sub = unique("lister")
        self.token = api.token(sub=self.sub)
        self.org_ids = [ok(api.post("/orgs", token=self.token, json={"name": f"Org {n}"}), 201)["id"]
                        for n in range(2)]
        for org_id in self.org_ids:
            for n in range(2):
                ok(api.post(f"/orgs/{org_id}/teams", token=self.token, json={"name": f"Team {n}"}), 201)
        for n in range(2):
            ok(api.post(f"/orgs/{self.org_ids[0]}/invitations", token=self.token,
                        json={"email": f"{self.sub}-{n}@example.com"}), 201)

    def first_page(self, path: str, token: str | None = None) -> dict[str, Any]:
        page: dict[str, Any] = ok(self.api.get(f"{path}{'&' if '?' in path else '?'}limit=1",
                                               token=token or self.token))
        assert len(page["data"]) == 1 and page["next_cursor"], page
        return page

    def page(self, path: str, cursor: str, token: str | None = None) -> Response:
        separator = "&" if "?" in path else "?"
        return self.api.get(f"{path}{separator}limit=1&cursor={quote(cursor, safe='')}", token=token or self.token)


@pytest.fixture(scope="module")
def lists(server: Client) -> Lists:
    return Lists(server)


def test_a_genuine_cursor_reads_the_next_page(lists: Lists) -> None:
    teams = f"/orgs/{lists.org_ids[0]}/teams"
    first = lists.first_page(teams)
    second = ok(lists.page(teams, first["next_cursor"]))
    assert second["data"] and second["data"][0]["id"] != first["data"][0]["id"]


def _tamper(cursor: str, change: Callable[[dict[str, Any]], None]) -> str:
    body, signature = cursor.split(".")
    key = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    change(key)
    return f"{_b64(json.dumps(key, separators=(',', ':'), sort_keys=True).encode())}.{signature}"


@pytest.mark.parametrize("forged", [
    "x", "a.b", "....", ".", "é.é", "null.null", "\u0000", "%", "A" * 2048, "A" * 2049,
    _b64(b'{"PK":{"S":"APP#demo#ORG#org_x"},"SK":{"S":"TEAM#x"}}') + "." + _b64(b"\x00" * 32),
])
def test_a_forged_cursor_is_a_400_on_the_cursor(lists: Lists, forged: str) -> None:
    response = lists.page(f"/orgs/{lists.org_ids[0]}/teams", forged)
    assert_problem(response, 400, "validation_error", "cursor")


def test_a_genuine_cursor_with_a_changed_key_is_refused(lists: Lists) -> None:
    teams = f"/orgs/{lists.org_ids[0]}/teams"
    cursor = lists.first_page(teams)["next_cursor"]

    def point_at_the_other_org(key: dict[str, Any]) -> None:
        for value in key.values():
            if isinstance(value, dict) and isinstance(value.get("S"), str):
                value["S"] = value["S"].replace(lists.org_ids[0], lists.org_ids[1])

    tampered = _tamper(cursor, point_at_the_other_org)
    assert tampered != cursor
    assert_problem(lists.page(teams, tampered), 400, "validation_error", "cursor")
    assert_problem(lists.page(f"/orgs/{lists.org_ids[1]}/teams", tampered), 400, "validation_error", "cursor")


def test_a_cursor_of_another_list_is_refused(lists: Lists) -> None:
    first_org, second_org = (f"/orgs/{org_id}" for org_id in lists.org_ids[:2])
    teams_cursor = lists.first_page(f"{first_org}/teams")["next_cursor"]
    invitations_cursor = lists.first_page(f"{first_org}/invitations")["next_cursor"]
    foreign = [
        (f"{second_org}/teams", teams_cursor),  # another org's list of the same kind
        (f"{first_org}/invitations", teams_cursor),  # another kind of list in the same org
        (f"{first_org}/invitations?status=pending", invitations_cursor),  # the same list, another filter
        ("/orgs", teams_cursor),
    ]
    for path, cursor in foreign:
        assert_problem(lists.page(path, cursor), 400, "validation_error", "cursor")


def test_another_users_cursor_is_refused(api: Client, lists: Lists) -> None:
    cursor = lists.first_page("/orgs")["next_cursor"]
    bob = api.token(sub=unique("bob"))
    ok(api.post("/orgs", token=bob, json={"name": "Bob's"}), 201)
    assert_problem(lists.page("/orgs", cursor, token=bob), 400, "validation_error", "cursor")
    assert ok(lists.page("/orgs", cursor))["data"]  # still good for its owner


def test_a_cursor_used_by_the_other_app_finds_no_org(api: Client, lists: Lists) -> None:
    teams = f"/orgs/{lists.org_ids[0]}/teams"
    cursor = lists.first_page(teams)["next_cursor"]
    mallory = api.token(app="other", sub=lists.sub)
    assert_problem(lists.page(teams, cursor, token=mallory), 404, "org_not_found")
