"""API Gateway TOKEN authorizer: verifies the bearer JWT and passes app and user to the functions."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger

from orgplane.config import settings
from orgplane.identity.apps import AppRegistry
from orgplane.identity.authorizer import authorize
from orgplane.identity.tokens import JwksUnavailable, TokenRejected, TokenVerifier

logger = Logger(service="authorizer")


@cache
def verifier() -> TokenVerifier:
    """Built once per container from ``APP_REGISTRY``; a bad registry fails loudly, not as a 401."""
    return TokenVerifier(AppRegistry.from_json(settings().app_registry))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return authorize(event, verifier())
    except TokenRejected as exc:  # the reason only, never the token
        log = logger.error if isinstance(exc, JwksUnavailable) else logger.info
        log("token rejected", extra={"reason": exc.reason})
        raise Exception("Unauthorized") from None  # API Gateway answers 401 for exactly this message
