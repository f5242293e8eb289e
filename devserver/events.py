"""API Gateway REST proxy events as the deployed API delivers them (authorizer context included)."""

from __future__ import annotations

import json
import uuid
from typing import Any


def api_event(method: str, resource: str, path: str, *, identity: dict[str, Any] | None = None,
              body: Any = None, query: dict[str, str] | None = None,
              path_params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
              raw_body: str | None = None) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    context: dict[str, Any] = {}
    if identity is not None:
        context = {
            "principalId": f"{identity['app_id']}|{identity['sub']}",
            "app_id": identity["app_id"],
            "sub": identity["sub"],
            "email": identity.get("email") or "",
            "email_verified": "true" if identity.get("email_verified", True) else "false",
            "support": "true" if identity.get("support") else "false",
        }
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": {"content-type": "application/json", **(headers or {})},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": path_params,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "path": f"/local{path}",
            "stage": "local",
            "requestId": request_id,
            "accountId": "000000000000",
            "apiId": "local",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": context,
        },
        "body": text,
        "isBase64Encoded": False,
    }
