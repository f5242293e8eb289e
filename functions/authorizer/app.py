"""API Gateway TOKEN authorizer: verifies the bearer JWT and passes app and user to the functions."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger

from orgplane.config import settings
from orgplane.identity.apps import AppRegistry
from orgplane.identity.authorizer import authorize, deny_response
from orgplane.identity.rejections import classify
from orgplane.identity.tokens import JwksUnavailable, TokenRejected, TokenVerifier

logger = Logger(service="authorizer")


@cache
def verifier() -> TokenVerifier:
    """Built once per container from ``APP_REGISTRY``; a bad registry fails loudly, not as a 401."""
    return TokenVerifier(AppRegistry.from_json(settings().app_registry))


class SigningKeysUnavailable(Exception):
    """The issuer's JWKS could not be fetched: not the token's fault, so not a 401. Any error but
    ``Unauthorized`` is API Gateway's AUTHORIZER_FAILURE, which the template answers with a 503
    ``unavailable`` the client may retry (never cached, unlike a Deny)."""


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return authorize(event, verifier())
    except JwksUnavailable as exc:
        logger.error("signing keys unavailable", extra={"reason": exc.reason})
        raise SigningKeysUnavailable(exc.reason) from None
    except TokenRejected as exc:  # the reason only, never the token
        rejection = classify(exc.reason)
        logger.info("token rejected", extra={"reason": exc.reason, "class": rejection.reason if rejection else None})
    if rejection is not None:
        try:  # a 401 that says why (the ACCESS_DENIED gateway response renders the Deny's context)
            return deny_response(rejection, event.get("methodArn", ""))
        except TokenRejected:
            pass
    raise Exception("Unauthorized")  # not the token's fault: API Gateway's plain 401 (UNAUTHORIZED)
