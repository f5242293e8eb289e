"""The OpenAPI 3.1 document of the API, built from the routes the handlers register.

Every API function of template.yaml is imported, which fills :data:`orgplane.http.ROUTES` with each
route's parameters, body model and response annotation; the document is derived from those, so it
cannot drift from the code. Template routes whose handler does not register through
:func:`orgplane.http.route` still appear, with generic responses.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from devserver import error_codes, loader, template
from orgplane import event_types, http, idempotency
from orgplane.errors import CATALOGUE
from orgplane.identity import rejections, scopes

REF_TEMPLATE = "#/components/schemas/{model}"
PROBLEM_MEDIA = "application/problem+json"
_METHOD_ORDER = ("get", "put", "post", "patch", "delete", "head", "options")


def problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "Problem",
        "description": "RFC 9457 problem details; `code` is the stable error code.",
        "required": ["type", "title", "status", "code", "detail", "request_id"],
        "properties": {
            "type": {"type": "string", "examples": ["about:blank"]},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "code": {"type": "string", "description": "The stable error code (README, Error catalogue).",
                     "enum": list(CATALOGUE)},
            "detail": {"type": "string"},
            "reason": {"type": "string", "enum": [r.reason for r in rejections.CLASSES],
                       "description": "On 401 unauthorized: why the token was refused."},
            "request_id": {"type": "string"},
            "errors": {
                "type": "array",
                "description": "Present on validation_error: which field failed and why.",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    }


def load_api_modules(functions: list[template.Function] | None = None) -> list[template.Function]:
    """Import every API function's handler module (registering its routes); returns those functions."""
    api = [f for f in (functions if functions is not None else template.functions()) if f.routes]
    for function in api:
        loader.load_module(function)
    return api


def build(functions: list[template.Function] | None = None) -> dict[str, Any]:
    api = load_api_modules(functions)
    wanted = {(r.method, r.path): f for f in api for r in f.routes}
    specs: dict[tuple[str, str], http.RouteSpec] = {}
    for spec in http.ROUTES:  # a module loaded several times registers its routes several times
        key = (spec.method, spec.path)
        if key in wanted:
            specs.setdefault(key, spec)

    adapters: list[tuple[tuple[str, str, str], JsonSchemaMode, TypeAdapter[Any]]] = []
    for (method, path), spec in specs.items():
        if spec.body is not None:
            adapters.append(((method, path, "body"), "validation", TypeAdapter(spec.body)))
        if spec.status != 204 and spec.response is not None and spec.response is not type(None):
            adapters.append(((method, path, "response"), "serialization", TypeAdapter(spec.response)))
    schemas: dict[str, Any] = {}
    refs: dict[tuple[str, str, str], dict[str, Any]] = {}
    if adapters:
        by_key, definitions = TypeAdapter.json_schemas(adapters, ref_template=REF_TEMPLATE)
        refs = {key[0]: value for key, value in by_key.items()}
        schemas.update(definitions.get("$defs", {}))

    paths: dict[str, dict[str, Any]] = {}
    for (method, path), function in sorted(wanted.items(), key=lambda item: item[0][1]):
        found = specs.get((method, path))
        operation = (_operation(found, refs, schemas, _module_name(function)) if found is not None
                     else _fallback_operation(function, path))
        paths.setdefault(path, {})[method.lower()] = operation
    paths = {p: dict(sorted(ops.items(), key=lambda kv: _METHOD_ORDER.index(kv[0])))
             for p, ops in sorted(paths.items())}
    schemas["Problem"] = problem_schema()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "orgplane",
            "version": "1.0.0",
            "description": "Organizations, memberships, invitations and teams for B2B auth. Every route "
                           "needs a bearer JWT of one of the deployment's identity providers.",
        },
        "servers": [
            {"url": "http://127.0.0.1:3000", "description": "The local server (make dev)."},
            {"url": "https://{api_id}.execute-api.{region}.amazonaws.com/{stage}",
             "description": "A deployed stack (its ApiUrl output).",
             "variables": {"api_id": {"default": "abc123"}, "region": {"default": "us-east-1"},
                           "stage": {"default": "dev"}}},
        ],
        "tags": [{"name": tag} for tag in sorted({op["tags"][0] for ops in paths.values() for op in ops.values()})],
        "security": [{"bearer": []}],
        "paths": paths,
        "x-event-types": event_types.openapi_extension(),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {
                "Problem": {
                    "description": "An error (application/problem+json).",
                    "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


_IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": idempotency.HEADER, "in": "header", "required": False,
    "description": "Retry safely: the same key and body within 24 hours returns the first response and "
                   "changes nothing; the same key with another body is 409 idempotency_key_reused.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": idempotency.KEY_PATTERN},
}
_IGNORED_IDEMPOTENCY_KEY: dict[str, Any] = {
    **_IDEMPOTENCY_KEY,
    "description": "Accepted and ignored: this POST changes nothing, so every request, retries included, "
                   "gets a fresh answer.",
    "schema": {"type": "string"},
}


def _module_name(function: template.Function) -> str:
    return ".".join(function.module_path.resolve().relative_to(error_codes.ROOT).with_suffix("").parts)


def error_responses(codes: list[str]) -> dict[str, Any]:
    """One response per status of ``codes``, each listing its codes (an enum of the problem's ``code``)."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(CATALOGUE[code][0], []).append(code)
    responses: dict[str, Any] = {}
    for status, listed in sorted(by_status.items()):
        responses[str(status)] = {
            "description": "; ".join(f"`{code}`: {CATALOGUE[code][1]}" for code in listed) + ".",
            "content": {PROBLEM_MEDIA: {"schema": {"allOf": [
                {"$ref": "#/components/schemas/Problem"},
                {"type": "object", "properties": {"code": {"type": "string", "enum": listed}}},
            ]}}},
        }
    return responses


def _operation(spec: http.RouteSpec, refs: dict[tuple[str, str, str], dict[str, Any]],
               schemas: dict[str, Any], module: str) -> dict[str, Any]:
    key = (spec.method, spec.path)
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in spec.path_params
    ]
    if spec.query is not None:
        parameters.extend(_query_parameters(spec.query, schemas))
    honours_key = spec.method == "POST" and spec.path not in scopes.READ_ONLY_POSTS
    if spec.method == "POST":
        parameters.append(_IDEMPOTENCY_KEY if honours_key else _IGNORED_IDEMPOTENCY_KEY)
    summary, _, description = (spec.summary or "").partition("\n")
    operation: dict[str, Any] = {"operationId": spec.operation_id, "tags": [_tag(spec.path)]}
    if summary.strip():
        operation["summary"] = summary.strip()
    if description.strip():
        operation["description"] = description.strip()
    if spec.public:
        operation["security"] = []
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        operation["requestBody"] = {
            "required": any(f.is_required() for f in spec.body.model_fields.values()),
            "content": {"application/json": {"schema": refs[(*key, "body")]}},
        }
    responses: dict[str, Any] = {}
    response_schema = refs.get((*key, "response"))
    if spec.status == 204 or response_schema is None:
        responses[str(spec.status)] = {"description": "No content."}
    else:
        responses[str(spec.status)] = {
            "description": "Created." if spec.status == 201 else "OK.",
            "content": {"application/json": {"schema": response_schema}},
        }
    for other in spec.other_statuses:
        responses[str(other)] = {**responses[str(spec.status)],
                                 "description": "Created." if other == 201 else "OK."}
    if honours_key:
        responses[str(spec.status)]["headers"] = {idempotency.REPLAYED_HEADER: {
            "description": "`true` when this is the stored response of an earlier request with the same key.",
            "schema": {"type": "string", "enum": ["true"]}}}
    responses.update(error_responses(error_codes.route_codes(
        module, spec.operation_id, has_body=spec.body is not None, has_query=spec.query is not None,
        has_path_params=bool(spec.path_params), honours_key=honours_key, authenticated=not spec.public)))
    operation["responses"] = responses
    return operation


def _fallback_operation(function: template.Function, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": function.name, "tags": [_tag(path)]}
    params = [seg[1:-1] for seg in path.split("/") if seg.startswith("{") and seg.endswith("}")]
    if params:
        operation["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                   for p in params]
    operation["responses"] = {
        "default": {"description": "See the handler.", "content": {"application/json": {"schema": {}}}},
        "4XX": {"$ref": "#/components/responses/Problem"},
        "5XX": {"$ref": "#/components/responses/Problem"},
    }
    return operation


def _query_parameters(model: type[BaseModel], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode="validation")
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    required = set(schema.get("required", []))
    result = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)  # an absent query parameter is the model's None, never a null value
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                     "schema": prop}
        if description:
            parameter["description"] = description
        result.append(parameter)
    return result


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    result = dict(schema)
    if result.get("default", 0) is None:
        del result["default"]
    options = result.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            del result["anyOf"]
            result = {**kept[0], **result}
        else:
            result["anyOf"] = kept
    return result


def _tag(path: str) -> str:
    """The aggregate a path acts on: what an org holds under ``/orgs/{org_id}/<aggregate>`` (``teams``,
    ``members``, ``invitations``...), else the first segment (``orgs``, ``invitations``, ``admin``, ``me``)."""
    segments = [seg for seg in path.split("/") if seg]
    if len(segments) >= 3 and segments[0] == "orgs" and segments[1].startswith("{"):
        return segments[2]
    return segments[0] if segments else "root"


def main() -> int:
    json.dump(build(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
