"""The local API Gateway: every route of template.yaml, its token authorizer and gateway responses, the functions'
containers and stream consumers, the web console's files, ``/openapi.json`` and the ``/_local/*`` routes."""

from __future__ import annotations

import base64
import json
import sys
import threading
import traceback
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devserver import console, controls, loader, local_routes, streams, template, webhook_lanes
from devserver.backends import ACCOUNT, REGION, Backends
from devserver.events import api_event
from devserver.function_pool import FunctionPool
from devserver.gateway_rules import (
    AUTHORIZER_VARIABLE,
    PROBLEM_JSON,
    ApiRoute,
    Reply,
    authorizer_context,
    json_reply,
    json_text,
    policy_decision,
    problem,
    proxy_reply,
    quoted_string,
    segments,
)
from devserver.local_routes import LocalError, LocalRequest


class Gateway:
    """Everything the running server holds: routes, pools, streams, jobs."""

    def __init__(self, port: int, backends: Backends, stream_arn: str | None) -> None:
        self.port = port
        self.backends = backends
        self.functions = template.functions()
        self.authorizer = template.authorizer_function()
        self.gateway_responses = template.gateway_responses()
        self.pools = {f.logical_id: FunctionPool(f) for f in self.functions}
        self.routes = sorted(
            (ApiRoute(r.method, r.path, tuple(s for s in r.path.strip("/").split("/") if s), f, r.public)
             for f in self.functions for r in f.routes),
            key=lambda r: r.specificity, reverse=True,
        )
        self.jobs = {f.name.replace("_", "-"): f for f in self.functions if f.schedules}
        self.dead_letters = streams.DeadLetters()
        self.stream_arn = stream_arn
        self.reader: streams.StreamReader | None = None
        self.webhooks = webhook_lanes.WebhookPump()
        self._openapi: dict[str, Any] | None = None
        self._openapi_lock = threading.Lock()
        self.access_log = True

    # -------------------------------------------------------------- lifecycle

    def warm(self) -> list[str]:
        """Load one container of every function now; returns the functions that failed to load."""
        failed = []
        for function in self.functions:
            try:
                self.pools[function.logical_id].warm()
            except Exception:
                traceback.print_exc(file=sys.stderr)
                failed.append(function.name)
        return failed

    def start_streams(self) -> None:
        self.webhooks.start()
        sources = [(f, s) for f in self.functions for s in f.streams]
        if not sources:
            return
        if self.stream_arn is None:
            print("devserver: the table has no stream; stream consumers will not run", file=sys.stderr)
            return
        import boto3

        consumers = [streams.Consumer(f, s, self.pools[f.logical_id].invoke, self.dead_letters)
                     for f, s in sources]
        client = boto3.client("dynamodbstreams")
        self.reader = streams.StreamReader(client, self.stream_arn, consumers, REGION)
        self.reader.start()

    def stop(self) -> None:
        self.webhooks.stop()
        if self.reader is not None:
            self.reader.stop()
        self.backends.stop()

    def register_local_routes(self) -> None:
        """The ``/_local/*`` routes of this server (:mod:`devserver.controls`), reached through ``request.server``."""
        controls.register()

    # -------------------------------------------------------------- requests

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        request_id = str(uuid.uuid4())
        reply = self._route(method, target, headers, body, request_id)
        if not any(k.lower() == "x-amzn-requestid" for k in reply.headers):
            reply.headers["x-amzn-RequestId"] = request_id
        return reply

    def _route(self, method: str, target: str, headers: dict[str, str], body: bytes,
               request_id: str) -> Reply:
        split = urlsplit(target)
        path = split.path or "/"
        if path == "/openapi.json" and method in ("GET", "HEAD"):
            return json_reply(200, self.openapi())
        if path.startswith("/_local/"):
            return self._local(method, path, split.query, headers, body, request_id)
        if path == "/console" or path.startswith(console.PREFIX):
            return self._console(method, path, split.query)
        parts = segments(path)
        matches = [(r, p) for r in self.routes for p in [r.match(parts)] if p is not None]
        chosen = next(((r, p) for r, p in matches if r.method == method), None)
        if chosen is None:
            if matches:
                allowed = ", ".join(sorted({r.method for r, _ in matches}))
                return problem(405, "method_not_allowed", "Method not allowed",
                               f"{method} is not allowed here; use {allowed}.", request_id,
                               {"Allow": allowed})
            return problem(404, "not_found", "Not found", "No such route.", request_id)
        route, params = chosen
        if route.public:  # no authorizer, no identity: API Gateway's Authorizer NONE
            return self._invoke_route(route, params, method, path, split.query, headers, body, {}, request_id)
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if not authorization:
            print("devserver: token refused (missing): no Authorization header", file=sys.stderr)
            return self._gateway_response("UNAUTHORIZED", 401, request_id, "Unauthorized")
        method_arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:local/local/{method}{path}"
        try:
            result = self.pools[self.authorizer.logical_id].invoke(
                {"type": "TOKEN", "authorizationToken": authorization, "methodArn": method_arn},
                loader.LambdaContext(self.authorizer.logical_id, str(uuid.uuid4())),
            )
        except Exception as exc:
            if str(exc) == "Unauthorized":
                return self._gateway_response("UNAUTHORIZED", 401, request_id, "Unauthorized")
            traceback.print_exc(file=sys.stderr)
            return self._gateway_response("AUTHORIZER_FAILURE", 500, request_id, "Internal server error")
        decision = policy_decision(result, method_arn)
        if decision is None:
            print("devserver: the authorizer returned an invalid result", file=sys.stderr)
            return self._gateway_response("AUTHORIZER_CONFIGURATION_ERROR", 500, request_id,
                                          "Internal server error")
        context = authorizer_context(result)
        if context is None:
            print("devserver: authorizer context values must be strings, numbers or booleans",
                  file=sys.stderr)
            return self._gateway_response("AUTHORIZER_CONFIGURATION_ERROR", 500, request_id,
                                          "Internal server error")
        if not decision:
            return self._refused(request_id, context)
        return self._invoke_route(route, params, method, path, split.query, headers, body, context,
                                  request_id)

    def _invoke_route(self, route: ApiRoute, params: dict[str, str], method: str, path: str, query: str,
                      headers: dict[str, str], body: bytes, context: dict[str, Any],
                      request_id: str) -> Reply:
        pairs = parse_qsl(query, keep_blank_values=True)
        multi_query: dict[str, list[str]] = {}
        for key, value in pairs:
            multi_query.setdefault(key, []).append(value)
        try:
            text: str | None = body.decode() if body else None
            encoded = False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        event = api_event(method, route.path, unquote(path), raw_body=text, path_params=params,
                          headers=headers, multi_query=multi_query or None, authorizer=context,
                          request_id=request_id, is_base64_encoded=encoded)
        lambda_context = loader.LambdaContext(route.function.logical_id, str(uuid.uuid4()))
        try:
            response = self.pools[route.function.logical_id].invoke(event, lambda_context)
        except Exception:
            print(f"devserver: {route.function.name} raised (API Gateway answers 502):", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return self._gateway_response("DEFAULT_5XX", 502, request_id, "Internal server error")
        reply = proxy_reply(response)
        if reply is None:
            print(f"devserver: {route.function.name} returned a malformed proxy response", file=sys.stderr)
            return self._gateway_response("DEFAULT_5XX", 502, request_id, "Internal server error")
        return reply

    def _refused(self, request_id: str, context: dict[str, Any]) -> Reply:
        """A token the authorizer denied: the template's ACCESS_DENIED response (a 401 naming the class of
        failure), logged here. Locally the RFC 6750 header also carries ``error_description``, which API
        Gateway cannot put in a gateway response header (its header values are static)."""
        reason, detail = context.get("reason", ""), context.get("detail", "")
        print(f"devserver: token refused ({reason or 'no reason given'}): {detail}", file=sys.stderr)
        reply = self._gateway_response("ACCESS_DENIED", 403, request_id,
                                       "User is not authorized to access this resource", context)
        challenge = next((k for k in reply.headers if k.lower() == "www-authenticate"), None)
        if challenge is not None and detail and 'error="' in reply.headers[challenge]:
            reply.headers[challenge] += f', error_description="{quoted_string(detail)}"'
        return reply

    def _gateway_response(self, response_type: str, status: int, request_id: str, message: str,
                          authorizer: dict[str, Any] | None = None) -> Reply:
        """What API Gateway itself answers: the template's gateway response, if it renders as JSON
        (``$context.authorizer.<key>`` is the authorizer's context, as API Gateway renders it)."""
        kind = response_type if response_type in self.gateway_responses else (
            "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")
        configured = self.gateway_responses.get(kind)
        headers = {"Content-Type": PROBLEM_JSON}
        if configured is not None:
            status = configured.status_code or status
            headers.update(configured.headers)
            if configured.template:
                rendered = AUTHORIZER_VARIABLE.sub(
                    lambda m: json_text(str((authorizer or {}).get(m.group(1), ""))), configured.template)
                rendered = (rendered
                            .replace("$context.requestId", request_id)
                            .replace("$context.error.messageString", json.dumps(message))
                            .replace("$context.error.responseType.statusCode", str(status))
                            .replace("$context.error.responseType", response_type)
                            .replace("$context.error.message", message))
                try:
                    value = json.loads(rendered)
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    if configured.status_code is None and isinstance(value.get("status"), int):
                        status = value["status"]
                    return Reply(status, headers, json.dumps(value).encode())
        titles = {401: ("unauthorized", "Unauthorized"), 403: ("forbidden", "Forbidden")}
        code, title = titles.get(status, ("internal_error", "Internal error"))
        return problem(status, code, title, message, request_id, {k: v for k, v in headers.items()
                                                                    if k != "Content-Type"})

    # -------------------------------------------------------------- /_local and /openapi.json

    def _local(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes,
               request_id: str) -> Reply:
        handler, params, allowed = local_routes.resolve(method, path)
        if handler is None:
            if allowed:
                return problem(405, "method_not_allowed", "Method not allowed",
                               f"{method} is not allowed here; use {', '.join(allowed)}.", request_id,
                               {"Allow": ", ".join(allowed)})
            return problem(404, "not_found", "Not found", "No such local route.", request_id)
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            return problem(400, "validation_error", "Request is invalid", "The body is not valid JSON.",
                           request_id)
        request = LocalRequest(method=method, path=path, json=payload, query=dict(parse_qsl(query)),
                               params=params, headers=headers, server=self)
        try:
            status, value = handler(request)
        except LocalError as error:
            return problem(error.status, error.code, error.code.replace("_", " ").capitalize(), error.detail,
                           request_id)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            return problem(500, "internal_error", "Internal error", f"{type(exc).__name__}: {exc}",
                           request_id)
        if status == 204:
            return Reply(204, {}, b"")
        return json_reply(status, value)

    def _console(self, method: str, path: str, query: str) -> Reply:
        """The web console's static files (:mod:`devserver.console`); not part of the deployed API."""
        if method != "GET":
            return Reply(405, {"Allow": "GET, HEAD", "Content-Type": "text/plain; charset=utf-8"},
                         b"Method not allowed\n")
        if path == "/console":
            return Reply(308, {"Location": console.PREFIX + (f"?{query}" if query else "")}, b"")
        status, headers, body = console.static_file(path)
        return Reply(status, headers, body)

    def openapi(self) -> dict[str, Any]:
        with self._openapi_lock:
            if self._openapi is None:
                from devserver import openapi

                self._openapi = openapi.build(self.functions)
            return self._openapi
