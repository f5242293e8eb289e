"""Org tokens: a member exchanges their identity for a short-lived JWT naming one org and their role there.

A customer's backend verifies it locally against ``GET /.well-known/jwks.json``, without calling us. It
is a snapshot: valid until ``exp`` (the app setting ``org_token_ttl_seconds``, 60-3600, default 300)
even if the member is removed meanwhile; a backend that needs instant effect asks ``POST /authz/check``.
Support staff and services get none (the token speaks for a member).
"""

from __future__ import annotations

import uuid

from orgplane import access, clock
from orgplane.caller import Caller
from orgplane.errors import forbidden
from orgplane.identity import signing
from orgplane.models.org_tokens import Jwk, Jwks, OrgToken
from orgplane.services.team_members import live_teams
from orgplane.services.tenancy import open_org


def issue(caller: Caller, org_id: str, issuer: str) -> OrgToken:
    view = open_org(caller, org_id)  # first: an org of another app is a 404 for everyone
    role = view.role
    if caller.support or role is None:  # support staff and services (support powers, no membership)
        raise forbidden("Org tokens are for members of the org; support staff and services get none.")
    ttl = view.settings.org_token_ttl_seconds
    now = int(clock.timestamp())
    claims = {
        "iss": issuer,
        "aud": caller.app_id,
        "sub": caller.user_id,
        "app_id": caller.app_id,
        "org_id": org_id,
        "org_role": role,
        "org_permissions": sorted(access.effective_permissions(view.book, caller, role)),
        "team_ids": sorted(team_id for team_id, _ in live_teams(caller.app_id, org_id, view.membership)),
        "iat": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
    }
    return OrgToken(access_token=signing.encode(claims, signing.signer()), expires_in=ttl)


def key_set() -> Jwks:
    return Jwks(keys=[Jwk.model_validate(jwk) for jwk in signing.jwks(signing.signer())["keys"]])
