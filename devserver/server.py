"""The local API: template.yaml's routes, authorizer, functions and stream consumers, without Docker.

``python -m devserver serve`` (or ``make dev``) serves every ``Api`` event of every function in
template.yaml on ``http://127.0.0.1:PORT`` the way API Gateway does: the real token authorizer runs
first (its ``Unauthorized`` is a 401, a Deny policy a 403, both with the template's gateway response
bodies), then the function gets an API Gateway REST proxy event and a Lambda context. Functions run
in emulated containers: per function a pool of separately loaded copies of its module, each serving
one request at a time. DynamoDB is an embedded moto server unless ``AWS_ENDPOINT_URL_DYNAMODB`` names
another endpoint (DynamoDB Local, or a real table). Stream consumers get the table's stream records
(:mod:`devserver.streams`); scheduled functions run on ``POST /_local/jobs/<name>``. ``/_local/*``
routes (:mod:`devserver.local_routes`) exist only here.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devserver import (
    apps,
    bus,
    console,
    dns,
    loader,
    local_routes,
    moto_isolation,
    outbox,
    streams,
    template,
    webhook_lanes,
)
from devserver.events import api_event
from devserver.local_routes import LocalError, LocalRequest

HOST = "127.0.0.1"
DEFAULT_PORT = 3000
MAX_BODY_BYTES = 256 * 1024
POOL_CAP = 8
REGION = "us-east-1"
ACCOUNT = "000000000000"
LOCAL_SECRET = "orgplane-local-development-secret-never-use-in-production"
PROBLEM_JSON = "application/problem+json"


# ---------------------------------------------------------------- environment and DynamoDB


def configure_environment(port: int) -> dict[str, str]:
    """What every function reads from its environment, set once before any function is loaded.

    The app registry always points at this server's JWKS; the rest keeps values already in the
    environment (``POWERTOOLS_LOG_LEVEL=DEBUG make dev`` works), then the template's literal values.
    """
    env = os.environ
    env["APP_REGISTRY"] = apps.registry_json(port)
    env["ORG_TOKEN_ISSUER"] = f"http://{HOST}:{port}"
    defaults = {
        "TABLE_NAME": "orgplane",
        "ORGPLANE_SECRET": LOCAL_SECRET,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": env.get("AWS_DEFAULT_REGION", REGION),
        "POWERTOOLS_SERVICE_NAME": "orgplane",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "orgplane",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "DEFAULT_ACCEPT_URL": f"http://{HOST}:{port}/_local/accept?token={{token}}",
        "AWS_EC2_METADATA_DISABLED": "true",
        "ORG_TOKEN_KEY_FILE": str(apps.ORG_TOKEN_KEY),
        "EVENT_BUS_NAME": bus.BUS_NAME,
        "WEBHOOKS_ALLOW_LOCAL": "true",
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    for function in template.functions():
        for name, value in function.environment.items():
            # literal values only: intrinsics (!Ref, !GetAtt, !Sub) are dicts, and have local values above
            if isinstance(value, bool):
                env.setdefault(name, "true" if value else "false")
            elif isinstance(value, str | int | float):
                env.setdefault(name, str(value))
    return dict(env)


def _set_dummy_credentials(force: bool) -> None:
    dummy = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    if force:
        os.environ.update(dummy)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
    else:  # DynamoDB Local takes any credentials; a real table needs the caller's own
        import boto3

        if boto3.Session().get_credentials() is None:
            os.environ.update(dummy)




def _isolate_moto_writes() -> None:
    """moto's DynamoDB with AWS's write isolation, and transactions whose cost does not grow with the
    table (:mod:`devserver.moto_isolation`)."""
    moto_isolation.install()


@dataclass
class Backends:
    description: str
    moto: Any = None
    services: str | None = None  # the embedded moto serving SES and SNS, if any

    def stop(self) -> None:
        if self.moto is not None:
            with contextlib.suppress(Exception):
                self.moto.stop()


def start_backends() -> Backends:
    """Embedded moto for whatever has no endpoint yet (DynamoDB, streams, SES, SNS)."""
    external = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    service_vars = ("AWS_ENDPOINT_URL_SES", "AWS_ENDPOINT_URL_SESV2", "AWS_ENDPOINT_URL_SNS",
                    "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_SQS")
    needs_moto = not external or any(not os.environ.get(v) for v in service_vars)
    backends = Backends(description=f"DynamoDB at {external}" if external else "")
    if needs_moto:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        _isolate_moto_writes()
        server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        backends.moto = server
        for name in service_vars:
            os.environ.setdefault(name, url)
        backends.services = url
        if not external:
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = url
            os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = REGION
            backends.description = f"embedded moto DynamoDB at {url}"
    # botocore's variable for the streams API is AWS_ENDPOINT_URL_DYNAMODB_STREAMS ("DynamoDB Streams");
    # DynamoDB Local and moto serve it on the DynamoDB endpoint.
    os.environ.setdefault("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    _set_dummy_credentials(force=not external)
    return backends


def ensure_table(table_name: str) -> str | None:
    """Create the template's table when it is missing (TTL on); returns its stream ARN, if any."""
    import boto3

    client = boto3.client("dynamodb")
    try:
        description = client.describe_table(TableName=table_name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        client.create_table(**template.table_definition(table_name=table_name))
        client.get_waiter("table_exists").wait(TableName=table_name,
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        ttl = template.ttl_attribute()
        if ttl:
            with contextlib.suppress(Exception):  # DynamoDB Local before 1.13 has no TTL API
                client.update_time_to_live(TableName=table_name,
                                           TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
        description = client.describe_table(TableName=table_name)["Table"]
    arn = description.get("LatestStreamArn")
    return str(arn) if arn else None


# ---------------------------------------------------------------- emulated Lambda containers


class FunctionPool:
    """A function's warm containers: separately loaded module copies, each used by one request at a time."""

    def __init__(self, function: template.Function, cap: int = POOL_CAP) -> None:
        self.function = function
        self.cap = cap
        self._idle: list[ModuleType] = []
        self._created = 0
        self._cond = threading.Condition()

    def warm(self) -> None:
        with self._acquire():
            pass

    @contextlib.contextmanager
    def _acquire(self) -> Iterator[ModuleType]:
        with self._cond:
            self._cond.wait_for(lambda: bool(self._idle) or self._created < self.cap)
            if self._idle:
                module: ModuleType | None = self._idle.pop()
            else:
                self._created += 1
                number = self._created
                module = None
        if module is None:
            try:
                module = loader.load_instance(self.function, number)
            except BaseException:
                with self._cond:
                    self._created -= 1
                    self._cond.notify()
                raise
        try:
            yield module
        finally:
            with self._cond:
                self._idle.append(module)
                self._cond.notify()

    def invoke(self, event: dict[str, Any], context: loader.LambdaContext) -> Any:
        with self._acquire() as module:
            handler = getattr(module, self.function.handler_attribute)
            return handler(event, context)

    @property
    def size(self) -> int:
        return self._created


# ---------------------------------------------------------------- API Gateway


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    segments: tuple[str, ...]
    function: template.Function
    public: bool = False

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("+}"):
                rest = parts[index:]
                if not rest or not all(rest):
                    return None
                params[segment[1:-2]] = "/".join(rest)
                return params
            if index >= len(parts):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                if not parts[index]:
                    return None
                params[segment[1:-1]] = parts[index]
            elif segment != parts[index]:
                return None
        return params if len(parts) == len(self.segments) else None

    @property
    def specificity(self) -> tuple[int, ...]:
        """Literal segments win over parameters, from the left (API Gateway's rule)."""
        return tuple(0 if s.startswith("{") else 1 for s in self.segments)


def _segments(path: str) -> list[str]:
    return [unquote(s) for s in path.strip("/").split("/")] if path.strip("/") else []


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def _json_reply(status: int, value: Any, content_type: str = "application/json",
                headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"Content-Type": content_type, **(headers or {})}, json.dumps(value).encode())


def problem(status: int, code: str, title: str, detail: str, request_id: str,
            headers: dict[str, str] | None = None) -> Reply:
    body = {"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail,
            "request_id": request_id}
    return _json_reply(status, body, PROBLEM_JSON, headers)


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
        local_routes.register("POST", "/_local/streams/drain", self._drain)
        local_routes.register("GET", "/_local/dead-letters", self._dead_letters)
        local_routes.register("DELETE", "/_local/dead-letters", self._clear_dead_letters)
        local_routes.register("GET", "/_local/streams", self._streams)
        local_routes.register("GET", "/_local/functions", self._functions)
        local_routes.register("GET", "/_local/jobs", self._list_jobs)
        local_routes.register("POST", "/_local/jobs/{job}", self._run_job)
        local_routes.register("GET", "/_local/outbox", outbox.list_outbox)
        local_routes.register("DELETE", "/_local/outbox", outbox.clear_outbox)
        local_routes.register("GET", "/_local/events", bus.list_events)
        local_routes.register("DELETE", "/_local/events", bus.clear_events)
        local_routes.register("POST", "/_local/dns", dns.add_record)
        local_routes.register("GET", "/_local/dns", dns.list_records)
        local_routes.register("DELETE", "/_local/dns", dns.clear_records)

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
            return _json_reply(200, self.openapi())
        if path.startswith("/_local/"):
            return self._local(method, path, split.query, headers, body, request_id)
        if path == "/console" or path.startswith(console.PREFIX):
            return self._console(method, path, split.query)
        parts = _segments(path)
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
        decision = _policy_decision(result, method_arn)
        if decision is None:
            print("devserver: the authorizer returned an invalid result", file=sys.stderr)
            return self._gateway_response("AUTHORIZER_CONFIGURATION_ERROR", 500, request_id,
                                          "Internal server error")
        context = _authorizer_context(result)
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
        reply = _proxy_reply(response)
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
            reply.headers[challenge] += f', error_description="{_quoted_string(detail)}"'
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
                rendered = _AUTHORIZER_VARIABLE.sub(
                    lambda m: _json_text(str((authorizer or {}).get(m.group(1), ""))), configured.template)
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
        return _json_reply(status, value)

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

    def _drain(self, request: LocalRequest) -> tuple[int, Any]:
        timeout = 30.0
        if isinstance(request.json, dict) and "timeout_seconds" in request.json:
            value = request.json["timeout_seconds"]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 300:
                raise LocalError(400, "validation_error", "timeout_seconds must be a number in (0, 300].")
            timeout = float(value)
        if self.reader is None:
            return 200, {"processed": 0}
        processed = self.reader.drain(timeout)
        if processed is None:
            raise LocalError(504, "drain_timeout", f"Stream consumers were still busy after {timeout:g} s.")
        self.webhooks.run_due()  # the deliveries the stream queued, as far as they are due
        return 200, {"processed": processed}

    def _functions(self, request: LocalRequest) -> tuple[int, Any]:
        return 200, {"data": [
            {"name": f.name, "logical_id": f.logical_id, "containers": self.pools[f.logical_id].size,
             "routes": [f"{r.method} {r.path}" for r in f.routes], "streams": len(f.streams),
             "jobs": [n for n, j in self.jobs.items() if j is f]}
            for f in self.functions
        ]}

    def _streams(self, request: LocalRequest) -> tuple[int, Any]:
        reader = self.reader
        return 200, {
            "stream_arn": self.stream_arn,
            "records_read": reader.records_read if reader else 0,
            "consumers": [c.status() for c in reader.consumers] if reader else [],
        }

    def _dead_letters(self, request: LocalRequest) -> tuple[int, Any]:
        return 200, {"data": self.dead_letters.list()}

    def _clear_dead_letters(self, request: LocalRequest) -> tuple[int, Any]:
        self.dead_letters.clear()
        return 204, None

    def _list_jobs(self, request: LocalRequest) -> tuple[int, Any]:
        return 200, {"data": [{"name": name, "function": f.name,
                               "schedules": [str(s.expression) for s in f.schedules]}
                              for name, f in sorted(self.jobs.items())]}

    def _run_job(self, request: LocalRequest) -> tuple[int, Any]:
        name = request.params["job"]
        function = self.jobs.get(name)
        if function is None:
            known = ", ".join(sorted(self.jobs)) or "none yet"
            raise LocalError(404, "not_found", f"No scheduled function {name!r} (jobs: {known}).")
        from orgplane import clock

        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{function.logical_id}"],
            "detail": {},
        }
        result = self.pools[function.logical_id].invoke(
            event, loader.LambdaContext(function.logical_id, str(uuid.uuid4())))
        return 200, json.loads(json.dumps(result, default=str))


_AUTHORIZER_VARIABLE = re.compile(r"\$context\.authorizer\.([A-Za-z0-9_]+)")


def _json_text(value: str) -> str:
    """``value`` as it may stand inside a JSON string of a template (quotes and controls escaped)."""
    return json.dumps(value)[1:-1]


def _quoted_string(value: str) -> str:
    """What RFC 6750 allows in ``error_description``: printable ASCII except ``"`` and ``\\``."""
    return "".join(c for c in value if " " <= c <= "~" and c not in '"\\')


def _policy_decision(result: Any, method_arn: str) -> bool | None:
    """``True`` to allow, ``False`` to deny, ``None`` when the result is not a valid authorizer response."""
    if not isinstance(result, dict) or not result.get("principalId"):
        return None
    document = result.get("policyDocument")
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return None
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            return None
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not any(a in ("execute-api:Invoke", "execute-api:*", "*") for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(method_arn, str(r)) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def _authorizer_context(result: dict[str, Any]) -> dict[str, Any] | None:
    context: dict[str, Any] = {"principalId": str(result["principalId"])}
    for key, value in (result.get("context") or {}).items():
        if isinstance(value, dict | list):
            return None
        context[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return context


def _proxy_reply(response: Any) -> Reply | None:
    if not isinstance(response, dict) or not isinstance(response.get("statusCode"), int):
        return None
    headers: dict[str, str] = {}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        if isinstance(values, list) and values:
            headers[name] = ", ".join(str(v) for v in values)
    for name, value in (response.get("headers") or {}).items():
        headers[name] = str(value)
    body = response.get("body") or ""
    if not isinstance(body, str):
        return None
    data = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    return Reply(int(response["statusCode"]), headers, data)


# ---------------------------------------------------------------- HTTP


class _TooLarge(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "orgplane-devserver"
    gateway: Gateway

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError) as error:  # the client went away: one line, no traceback
            request = f"{self.command} {self.path.split('?', 1)[0]}" if getattr(self, "command", None) else "a request"
            sys.stderr.write(f"devserver: the client closed the connection during {request} "
                             f"({type(error).__name__})\n")

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool = False) -> None:
        started = time.monotonic()
        headers = {k: v for k, v in self.headers.items()}
        try:
            body = self._read_body()
        except _TooLarge:
            self.close_connection = True
            reply = problem(413, "payload_too_large", "Payload too large",
                            f"The body must be at most {MAX_BODY_BYTES} bytes.", str(uuid.uuid4()),
                            {"Connection": "close"})
        except ValueError:
            self.close_connection = True
            reply = problem(400, "validation_error", "Request is invalid", "Malformed request body.",
                            str(uuid.uuid4()), {"Connection": "close"})
        else:
            try:
                reply = self.gateway.handle("GET" if head else self.command.upper(), self.path, headers, body)
            except Exception:
                traceback.print_exc(file=sys.stderr)
                reply = problem(500, "internal_error", "Internal error", "The local server failed.",
                                str(uuid.uuid4()))
        self._write(reply, head)
        if self.gateway.access_log:
            elapsed = (time.monotonic() - started) * 1000
            # the query string stays out of the log: an invitation link carries its token there
            sys.stderr.write(f"{self.command} {self.path.split('?', 1)[0]} {reply.status} {elapsed:.0f}ms\n")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY_BYTES:
            raise _TooLarge()
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        data = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers
                    pass
                return bytes(data)
            if len(data) + size > MAX_BODY_BYTES:
                raise _TooLarge()
            data += self.rfile.read(size)
            self.rfile.readline()

    def _write(self, reply: Reply, head: bool) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head and reply.body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _serve instead


def token_command(port: int) -> str:
    """The one command that mints a token for the server on ``port``, from any shell in the repository."""
    server = "" if port == DEFAULT_PORT else f" --server http://{HOST}:{port}"
    return f"make token ARGS='--app demo --sub alice --email alice@example.com{server}'"


class _Listener(ThreadingHTTPServer):
    # socketserver's default backlog is 5: a burst of simultaneous clients (20 racing accepts of an
    # invite link) would see connections reset before a thread picks them up
    request_queue_size = 128


class LocalServer:
    """Bind, configure, load, serve: ``LocalServer(port).serve_forever()``."""

    def __init__(self, port: int = DEFAULT_PORT, access_log: bool = True) -> None:
        class Handler(_Handler):  # one class per server: the gateway is a class attribute
            pass

        handler = Handler
        self.httpd = _Listener((HOST, port), handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        apps.ensure_keys()  # the issuers' keys and the org-token key, made on first start
        self.dns = dns.LocalDns()
        os.environ.setdefault("DNS_RESOLVER", self.dns.address)  # domain verification asks it, unless given
        configure_environment(self.port)
        self.backends = start_backends()
        from orgplane import config

        config.reset()
        if self.backends.services and os.environ.get("AWS_ENDPOINT_URL_SESV2") == self.backends.services:
            outbox.verify_sender(config.settings().default_from_address)
        if self.backends.services and os.environ.get("AWS_ENDPOINT_URL_EVENTBRIDGE") == self.backends.services:
            bus.create_bus()
        stream_arn = ensure_table(os.environ["TABLE_NAME"])
        self.gateway = Gateway(self.port, self.backends, stream_arn)
        self.gateway.access_log = access_log
        handler.gateway = self.gateway
        self.gateway.register_local_routes()
        self.failed = self.gateway.warm()
        self.gateway.start_streams()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def banner(self) -> str:
        failed = f"; FAILED TO LOAD: {', '.join(self.failed)}" if self.failed else ""
        services = self.backends.services
        moto = ("" if not services or services in self.backends.description
                else f", SES/SNS on moto at {services}")
        return (f"orgplane local API on {self.url} ({self.backends.description}, table "
                f"{os.environ['TABLE_NAME']}{moto}){failed}; a token: {token_command(self.port)}; "
                f"the web console: {self.url}/console/")

    def serve_forever(self) -> None:
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def shutdown(self) -> None:
        self.httpd.shutdown()

    def close(self) -> None:
        self.gateway.stop()
        self.dns.stop()
        self.httpd.server_close()


def serve(port: int, access_log: bool = True) -> int:
    try:
        server = LocalServer(port, access_log=access_log)
    except OSError as error:
        print(f"devserver: cannot listen on {HOST}:{port}: {error}", file=sys.stderr)
        return 1
    print(server.banner(), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
