"""The local stand-ins for AWS the local server starts with: the functions' environment, an embedded moto for
what has no endpoint (DynamoDB, streams, SES, SNS, EventBridge, SQS), and the template's table."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from typing import Any

from devserver import apps, bus, moto_isolation, template

HOST = "127.0.0.1"
REGION = "us-east-1"
ACCOUNT = "000000000000"
LOCAL_SECRET = "orgplane-local-development-secret-never-use-in-production"


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
