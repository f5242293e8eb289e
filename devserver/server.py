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

This module is the HTTP listener and the start-up order; the parts live beside it:
:mod:`devserver.backends` (environment, embedded moto, the table), :mod:`devserver.function_pool` (the
emulated containers), :mod:`devserver.gateway` (routing, the authorizer, gateway responses),
:mod:`devserver.gateway_rules` (API Gateway's matching, policy and proxy-response rules) and
:mod:`devserver.controls` (the server's own ``/_local/*`` routes).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devserver import apps, bus, dns, outbox
from devserver.backends import HOST, configure_environment, ensure_table, start_backends
from devserver.gateway import Gateway
from devserver.gateway_rules import Reply, problem
from devserver.loader import build_every_model

DEFAULT_PORT = 3000
MAX_BODY_BYTES = 256 * 1024


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
        build_every_model()  # before any request thread can race pydantic's deferred build
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
