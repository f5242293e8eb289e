"""The HTTP edge, written once: routing, identity, input parsing, problem+json, logging.

A handler module is a few lines::

    app = http.new_app()

    @http.route(app, "POST", "/orgs", status=201)
    def create_org(caller: Caller, body: CreateOrg) -> Org:
        return orgs.create(caller, body)

    lambda_handler = http.entrypoint(app)

Parameters are injected by annotation: ``Caller`` (from the authorizer context, never from
headers or the body), a ``Request`` model (the JSON body), a ``BaseModel`` query model (the query
string), and ``str`` path parameters. Every registered route is also recorded in :data:`ROUTES`,
from which :mod:`devserver.openapi` builds the OpenAPI document.

Every ``POST`` honours an ``Idempotency-Key`` header (:mod:`orgplane.idempotency`): a retry with the
same key and request replays the first response, with ``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_args, get_origin, get_type_hints

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel, ValidationError

from orgplane.caller import Caller
from orgplane.config import settings
from orgplane.errors import DomainError, problem_document, validation_problem
from orgplane.identity import scopes
from orgplane.models.common import Request
from orgplane.powertools_rest import APIGatewayRestResolver, Response

if TYPE_CHECKING:  # imported on first use: they load boto3, which GET routes without DynamoDB never need
    from orgplane import idempotency

logger = Logger()

PROBLEM_JSON = "application/problem+json"
T = TypeVar("T")


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    operation_id: str
    summary: str
    status: int
    body: type[Request] | None
    query: type[BaseModel] | None
    response: Any
    path_params: tuple[str, ...]
    other_statuses: tuple[int, ...] = ()  # success statuses besides ``status`` (a handler's :class:`Answer`)
    public: bool = False  # served without the authorizer


ROUTES: list[RouteSpec] = []


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A handler result with its own success status, for a route that answers one of several (``PUT``:
    201 created, 200 changed; the route declares them with ``status`` and ``other_statuses``), or with
    response headers (``Cache-Control``)."""

    value: T
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def new_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response[str]:
        return error_response(app, error)

    @app.exception_handler(ValidationError)
    def _validation(error: ValidationError) -> Response[str]:
        return error_response(app, error)

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        return problem(app, DomainError("not_found", "No such route."))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[str]:
        return error_response(app, error)

    return app


def error_response(app: APIGatewayRestResolver, error: Exception) -> Response[str]:
    """The problem+json response of an exception a handler raised: the one mapping."""
    if isinstance(error, DomainError):
        return problem(app, error)
    if isinstance(error, ValidationError):
        return problem(app, validation_problem(error))
    logger.exception("unexpected error")
    return problem(app, DomainError("internal_error", "Something went wrong; it has been logged."))


def _request_id(app: APIGatewayRestResolver) -> str:
    try:
        return str(app.current_event.request_context.request_id or "")
    except (AttributeError, KeyError, TypeError):
        return ""


def problem(app: APIGatewayRestResolver, error: DomainError) -> Response[str]:
    body = problem_document(error, _request_id(app))
    if error.status >= 500:
        logger.error("request failed", extra={"code": error.code})
    return Response(status_code=error.status, content_type=PROBLEM_JSON, body=json.dumps(body),
                    headers=dict(error.headers) if error.headers else None)


def caller(app: APIGatewayRestResolver) -> Caller:
    """The identity the authorizer established. Headers and body fields are never consulted."""
    context = app.current_event.request_context.authorizer.raw_event or {}
    app_id, sub = context.get("app_id"), context.get("sub")
    if not app_id or not sub:
        raise DomainError("unauthorized", "The request carries no verified identity.")
    if context.get("principal_type") == "service":
        client_id = str(context.get("client_id") or sub)
        return Caller(app_id=str(app_id), user_id=client_id, email=None, email_verified=False, support=True,
                      request_id=_request_id(app), type="service", client_id=client_id,
                      scopes=scopes.parse(str(context.get("scopes") or "")))
    return Caller(
        app_id=str(app_id),
        user_id=str(sub),
        email=str(context.get("email") or "") or None,
        email_verified=str(context.get("email_verified", "false")).lower() == "true",
        support=str(context.get("support", "false")).lower() == "true",
        request_id=_request_id(app),
    )


def api_url(app: APIGatewayRestResolver) -> str:
    """This API's base URL, the issuer of its org tokens: ``ORG_TOKEN_ISSUER`` when the deployment sets
    it (a custom domain), else the URL API Gateway was called at (``https://<domain>/<stage>``)."""
    configured = settings().org_token_issuer
    if configured:
        return configured.rstrip("/")
    context = app.current_event.raw_event.get("requestContext") or {}
    domain, stage = context.get("domainName"), context.get("stage")
    if not domain or not stage:
        raise RuntimeError("no ORG_TOKEN_ISSUER and no domainName in the request context")
    return f"https://{domain}/{stage}"


def require_scope(who: Caller, method: str, path: str) -> None:
    """A service may call a route only with a scope that allows it (:mod:`orgplane.identity.scopes`)."""
    if who.is_service and not scopes.allows(who.scopes, method, path):
        raise DomainError("insufficient_scope",
                          f"This needs the {scopes.required(method, path)} scope (or {scopes.WRITE}).")


def parse_body(app: APIGatewayRestResolver, model: type[Request], max_bytes: int | None = None) -> Request:
    raw = app.current_event.body or ""
    if app.current_event.is_base64_encoded:
        raise DomainError("validation_error", "The body must be JSON text.")
    limit = max(max_bytes or 0, settings().max_body_bytes)
    if len(raw.encode()) > limit:
        raise DomainError("payload_too_large", f"The body must be at most {limit} bytes.")
    content_type = (app.current_event.headers or {}).get("content-type") or (
        app.current_event.headers or {}
    ).get("Content-Type")
    if raw and content_type and "json" not in content_type.lower():
        raise DomainError("unsupported_media_type", "Send the body as application/json.")
    try:
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError) as error:
        raise DomainError("validation_error", "The body is not valid JSON.",
                          errors=[{"field": "body", "message": "invalid JSON"}]) from error
    if not isinstance(data, dict):
        raise DomainError("validation_error", "The body must be a JSON object.",
                          errors=[{"field": "body", "message": "must be an object"}])
    return model.model_validate(data)


def parse_query(app: APIGatewayRestResolver, model: type[BaseModel]) -> BaseModel:
    params = app.current_event.query_string_parameters or {}
    return model.model_validate({k: v for k, v in params.items() if k in model.model_fields})


def _serialize(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    return value


_PATH_PARAM = re.compile(r"\{([a-z_]+)\}")

MAX_PATH_VALUE_BYTES = 255
"""A path segment longer than any id or ``sub`` (OpenID Connect caps ``sub`` at 255 ASCII characters,
and the authorizer refuses longer ones) is a 400, never a key DynamoDB refuses with a 500."""


def check_path_values(values: dict[str, str]) -> None:
    errors = [{"field": f"path.{name}", "message": f"must be at most {MAX_PATH_VALUE_BYTES} bytes"}
              for name, value in values.items() if len(value.encode("utf-8", "surrogatepass")) > MAX_PATH_VALUE_BYTES]
    if errors:
        raise DomainError("validation_error", "The request path is invalid.", errors=errors)


def route(app: APIGatewayRestResolver, method: str, path: str, *, status: int = 200,
          summary: str = "", public: bool = False,
          other_statuses: tuple[int, ...] = (),
          max_body_bytes: int | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``func`` for ``method path`` (OpenAPI-style ``{param}`` path).

    Every route needs the authorizer's identity (and, for a service, a scope that allows it) unless
    ``public``: a route API Gateway serves without the authorizer (``Auth: {Authorizer: NONE}``).
    ``max_body_bytes`` raises the body limit for a route whose largest valid body needs more."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        hints = get_type_hints(func)
        params = list(inspect.signature(func).parameters)
        body_model = next((hints[p] for p in params if _is_subclass(hints.get(p), Request)), None)
        query_model = next(
            (hints[p] for p in params if _is_subclass(hints.get(p), BaseModel)
             and not _is_subclass(hints.get(p), Request)), None)
        path_params = tuple(_PATH_PARAM.findall(path))
        # a POST that only reads has nothing to repeat: its answer is always the live one
        honours_key = method.upper() == "POST" and path not in scopes.READ_ONLY_POSTS

        def endpoint(**path_values: str) -> Response[str]:
            arguments: dict[str, Any] = {}
            who = None if public else caller(app)
            if who is not None:  # a service's scope is judged before anything else of the request
                require_scope(who, method, path)
            for name in params:
                hint = hints.get(name)
                if hint is Caller:
                    arguments[name] = who if who is not None else caller(app)
                elif name in path_params:
                    arguments[name] = path_values[name]
            check_path_values(path_values)
            # identity first, then the key, body and query: an anonymous request learns nothing about validation
            key = idempotency_key(app) if honours_key else None
            for name in params:
                hint = hints.get(name)
                if body_model is not None and hint is body_model:
                    arguments[name] = parse_body(app, body_model, max_body_bytes)  # type: ignore[arg-type]
                elif query_model is not None and hint is query_model:
                    arguments[name] = parse_query(app, query_model)  # type: ignore[arg-type]

            def run() -> Response[str]:
                result = func(**arguments)
                answered, headers = status, None
                if isinstance(result, Answer):
                    answered, headers = result.status or status, result.headers or None
                    if answered not in (status, *other_statuses):
                        raise AssertionError(f"{func.__name__} answered an undeclared status {answered}")
                    result = result.value
                if answered == 204:
                    return Response(status_code=204, content_type="application/json", body="", headers=headers)
                return Response(status_code=answered, content_type="application/json",
                                body=json.dumps(_serialize(result)), headers=headers)

            if key is None:
                return run()
            from orgplane import idempotency

            owner = who if who is not None else caller(app)
            fingerprint = idempotency.fingerprint(method, path, {p: path_values[p] for p in path_params},
                                                  app.current_event.body)
            return run_idempotently(app, owner, func.__name__, key, fingerprint, run)

        app.route(_PATH_PARAM.sub(r"<\1>", path), method=method.upper())(endpoint)
        returned = hints.get("return")
        if get_origin(returned) is Answer:
            returned = get_args(returned)[0]
        build_models(body_model, query_model, returned)
        ROUTES.append(RouteSpec(method.upper(), path, func.__name__, summary or (func.__doc__ or "").strip(),
                                status, body_model, query_model, returned, path_params, other_statuses,
                                public))
        return func

    return register


def build_models(*annotations: Any) -> None:
    """Build the validators and serializers of the models a route takes and returns, now, at import.

    The models are declared with ``defer_build`` (:mod:`orgplane.models.common`): a handler module imports
    model modules that also hold models it never uses, and those are never built. The route's own are
    built here, so the work stays in the import (in the SnapStart snapshot), not in the first request."""
    for annotation in annotations:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not annotation.__pydantic_complete__:
                annotation.model_rebuild()
            build_models(*annotation.__pydantic_generic_metadata__["args"])
        else:
            build_models(*get_args(annotation))


def idempotency_key(app: APIGatewayRestResolver) -> str | None:
    """The ``Idempotency-Key`` header (``None`` without it); malformed or repeated is a 400."""
    from orgplane import idempotency

    event = app.current_event
    values = (event.multi_value_headers or {}).get(idempotency.HEADER)
    if not values:
        single = (event.headers or {}).get(idempotency.HEADER)
        values = [single] if single is not None else None
    return idempotency.parse_key(values)


def run_idempotently(app: APIGatewayRestResolver, who: Caller, operation: str, key: str, fingerprint: str,
                     run: Callable[[], Response[str]]) -> Response[str]:
    """``run`` once per (app, user, operation, key) within the window; otherwise the first response."""
    from orgplane import idempotency
    from orgplane.store.transaction import Claimed

    started = idempotency.begin(who.app_id, who.principal_id, operation, key, fingerprint)
    if isinstance(started, idempotency.Stored):
        return _replay(started)
    attempt = started
    try:
        with attempt.claiming():
            response = run()
    except Claimed:  # a concurrent request with this key committed first: its answer is ours
        return _replay(attempt.winner())
    except Exception as error:
        if not attempt.committed:
            held = attempt.held_by_another() if isinstance(error, DomainError) else None
            if held is not None:  # refused because a concurrent request with this key has just written
                return _replay(held)
            raise
        response = error_response(app, error)  # it wrote, then failed: a retry must not write again
    stored = idempotency.Stored(status=response.status_code, content_type=response.content_type or "",
                                body=str(response.body or ""))
    if attempt.committed and not attempt.record(stored):
        logger.warning("could not store the response of an idempotency key", extra={"operation": operation})
    return response


def _replay(stored: idempotency.Stored) -> Response[str]:
    from orgplane import idempotency

    return Response(status_code=stored.status, content_type=stored.content_type or None, body=stored.body,
                    headers={idempotency.REPLAYED_HEADER: "true"})


def _is_subclass(hint: Any, base: type) -> bool:
    return inspect.isclass(hint) and issubclass(hint, base)


def entrypoint(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler
