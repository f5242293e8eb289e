"""The API Gateway TOKEN authorizer's logic: Bearer parsing, verification and the IAM policy.

The response is cached by API Gateway per token, so its policy allows every route of the API stage;
what a caller may do is decided by the functions (memberships are never cached in the result).
Context values are strings because API Gateway only passes strings, numbers and booleans, and
stringifies them inconsistently.
"""

from __future__ import annotations

import re
from typing import Any

from orgplane.identity.rejections import Rejection
from orgplane.identity.tokens import Principal, TokenRejected, TokenVerifier

_BEARER = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)


def bearer_token(authorization: str | None) -> str:
    """The JWT from an ``Authorization: Bearer <jwt>`` value (scheme case-insensitive)."""
    if not isinstance(authorization, str) or not authorization.strip():
        raise TokenRejected("missing token")
    match = _BEARER.match(authorization)
    if match is None:
        raise TokenRejected("not a bearer token")
    return match.group(1)


def api_wide_resource(method_arn: str) -> str:
    """``arn:...:APIID/STAGE/GET/orgs`` -> ``arn:...:APIID/STAGE/*/*`` (every method and route)."""
    parts = method_arn.split(":", 5) if isinstance(method_arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "execute-api":
        raise TokenRejected("invalid methodArn")
    api_id, _, rest = parts[5].partition("/")
    stage = rest.partition("/")[0]
    if not api_id or not stage:
        raise TokenRejected("invalid methodArn")
    return ":".join(parts[:5]) + f":{api_id}/{stage}/*/*"


def principal_id(principal: Principal) -> str:
    if principal.type == "service":
        return f"{principal.app_id}|service|{principal.client_id}"
    return f"{principal.app_id}|{principal.sub}"


def allow_response(principal: Principal, method_arn: str) -> dict[str, Any]:
    """The authorizer result for a verified caller: allow the whole API, pass identity as strings."""
    return {
        "principalId": principal_id(principal),
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": api_wide_resource(method_arn),
                }
            ],
        },
        "context": {
            "app_id": principal.app_id,
            "sub": principal.sub,
            "email": principal.email or "",
            "email_verified": "true" if principal.email_verified else "false",
            "support": "true" if principal.support else "false",
            "principal_type": principal.type,
            "client_id": principal.client_id or "",
            "scopes": " ".join(principal.scopes),
        },
    }


def deny_response(rejection: Rejection, method_arn: str) -> dict[str, Any]:
    """The authorizer result for a refused token: an explicit Deny of the whole API, whose context the
    ``ACCESS_DENIED`` gateway response turns into a 401 naming the class of failure. API Gateway caches it
    per token like an Allow; every class but ``not_yet_valid`` is final for that token anyway."""
    return {
        "principalId": "anonymous",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": api_wide_resource(method_arn)}
            ],
        },
        "context": {"reason": rejection.reason, "detail": rejection.detail},
    }


def authorize(event: dict[str, Any], verifier: TokenVerifier) -> dict[str, Any]:
    """Handle one TOKEN authorizer event; raise :class:`TokenRejected` for anything not allowed."""
    token = bearer_token(event.get("authorizationToken"))
    principal = verifier.verify(token)
    return allow_response(principal, event.get("methodArn", ""))
