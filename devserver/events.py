"""API Gateway REST proxy events as the deployed API delivers them (authorizer context included)."""

from __future__ import annotations

import json
import uuid
from typing import Any


def api_event(method: str, resource: str, path: str, *, identity: dict[str, Any] | None = None,
              body: Any = None, query: dict[str, str] | None = None,
              path_params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
              raw_body: str | None = None, authorizer: dict[str, Any] | None = None,
              multi_query: dict[str, list[str]] | None = None,
              multi_headers: dict[str, list[str]] | None = None, request_id: str | None = None,
              is_base64_encoded: bool = False, source_ip: str = "127.0.0.1") -> dict[str, Any]:
    """One proxy event.

    ``identity`` (``app_id``, ``sub``, ``email``, booleans ``email_verified``/``support``; or ``app_id``,
    ``client_id`` and ``scopes`` for a service principal) builds the
    authorizer context the way the project's authorizer does; ``authorizer`` passes a context through
    verbatim instead (the local server hands over the real authorizer's result). ``multi_query`` and
    ``multi_headers`` give repeated values; the single-value maps then hold the last value of each, as
    API Gateway does. ``content-type: application/json`` is added unless ``headers`` name a content type.
    """
    request_id = request_id or str(uuid.uuid4())
    context: dict[str, Any] = {}
    if authorizer is not None:
        context = dict(authorizer)
    elif identity is not None and identity.get("client_id"):  # a service principal (client credentials)
        context = {
            "principalId": f"{identity['app_id']}|service|{identity['client_id']}",
            "app_id": identity["app_id"],
            "sub": identity["client_id"],
            "email": "",
            "email_verified": "false",
            "support": "false",
            "principal_type": "service",
            "client_id": identity["client_id"],
            "scopes": " ".join(identity.get("scopes", ())),
        }
    elif identity is not None:
        context = {
            "principalId": f"{identity['app_id']}|{identity['sub']}",
            "app_id": identity["app_id"],
            "sub": identity["sub"],
            "email": identity.get("email") or "",
            "email_verified": "true" if identity.get("email_verified", True) else "false",
            "support": "true" if identity.get("support") else "false",
        }
    if multi_query is not None and query is None:
        query = {k: v[-1] for k, v in multi_query.items() if v}
    if multi_query is None and query is not None:
        multi_query = {k: [v] for k, v in query.items()}
    all_headers = dict(headers or {})
    if not any(name.lower() == "content-type" for name in all_headers):
        all_headers = {"content-type": "application/json", **all_headers}
    if multi_headers is None:
        multi_headers = {k: [v] for k, v in all_headers.items()}
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": all_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "path": f"/local{path}",
            "stage": "local",
            "requestId": request_id,
            "accountId": "000000000000",
            "apiId": "local",
            "identity": {"sourceIp": source_ip},
            "authorizer": context,
        },
        "body": text,
        "isBase64Encoded": is_base64_encoded,
    }
