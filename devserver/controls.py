"""The local server's own ``/_local/*`` routes: drain the table's stream, list and clear dead letters, the
functions and their containers, the stream consumers, and run a scheduled job now. Each reaches the running
:class:`devserver.gateway.Gateway` through ``request.server``."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from devserver import bus, dns, loader, local_routes, outbox
from devserver.backends import ACCOUNT, REGION
from devserver.local_routes import LocalError, LocalRequest

if TYPE_CHECKING:
    from devserver.gateway import Gateway


def register() -> None:
    """Register the routes below, and the outbox's, the event bus's and the DNS's, with :mod:`devserver.local_routes`."""
    local_routes.register("POST", "/_local/streams/drain", drain)
    local_routes.register("GET", "/_local/dead-letters", dead_letters)
    local_routes.register("DELETE", "/_local/dead-letters", clear_dead_letters)
    local_routes.register("GET", "/_local/streams", streams)
    local_routes.register("GET", "/_local/functions", functions)
    local_routes.register("GET", "/_local/jobs", list_jobs)
    local_routes.register("POST", "/_local/jobs/{job}", run_job)
    local_routes.register("GET", "/_local/outbox", outbox.list_outbox)
    local_routes.register("DELETE", "/_local/outbox", outbox.clear_outbox)
    local_routes.register("GET", "/_local/events", bus.list_events)
    local_routes.register("DELETE", "/_local/events", bus.clear_events)
    local_routes.register("POST", "/_local/dns", dns.add_record)
    local_routes.register("GET", "/_local/dns", dns.list_records)
    local_routes.register("DELETE", "/_local/dns", dns.clear_records)


def drain(request: LocalRequest) -> tuple[int, Any]:
    server: Gateway = request.server
    timeout = 30.0
    if isinstance(request.json, dict) and "timeout_seconds" in request.json:
        value = request.json["timeout_seconds"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 300:
            raise LocalError(400, "validation_error", "timeout_seconds must be a number in (0, 300].")
        timeout = float(value)
    if server.reader is None:
        return 200, {"processed": 0}
    processed = server.reader.drain(timeout)
    if processed is None:
        raise LocalError(504, "drain_timeout", f"Stream consumers were still busy after {timeout:g} s.")
    server.webhooks.run_due()  # the deliveries the stream queued, as far as they are due
    return 200, {"processed": processed}


def functions(request: LocalRequest) -> tuple[int, Any]:
    server: Gateway = request.server
    return 200, {"data": [
        {"name": f.name, "logical_id": f.logical_id, "containers": server.pools[f.logical_id].size,
         "routes": [f"{r.method} {r.path}" for r in f.routes], "streams": len(f.streams),
         "jobs": [n for n, j in server.jobs.items() if j is f]}
        for f in server.functions
    ]}


def streams(request: LocalRequest) -> tuple[int, Any]:
    server: Gateway = request.server
    reader = server.reader
    return 200, {
        "stream_arn": server.stream_arn,
        "records_read": reader.records_read if reader else 0,
        "consumers": [c.status() for c in reader.consumers] if reader else [],
    }


def dead_letters(request: LocalRequest) -> tuple[int, Any]:
    server: Gateway = request.server
    return 200, {"data": server.dead_letters.list()}


def clear_dead_letters(request: LocalRequest) -> tuple[int, Any]:
    server: Gateway = request.server
    server.dead_letters.clear()
    return 204, None


def list_jobs(request: LocalRequest) -> tuple[int, Any]:
    server: Gateway = request.server
    return 200, {"data": [{"name": name, "function": f.name,
                           "schedules": [str(s.expression) for s in f.schedules]}
                          for name, f in sorted(server.jobs.items())]}


def run_job(request: LocalRequest) -> tuple[int, Any]:
    server: Gateway = request.server
    name = request.params["job"]
    function = server.jobs.get(name)
    if function is None:
        known = ", ".join(sorted(server.jobs)) or "none yet"
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
    result = server.pools[function.logical_id].invoke(
        event, loader.LambdaContext(function.logical_id, str(uuid.uuid4())))
    return 200, json.loads(json.dumps(result, default=str))
