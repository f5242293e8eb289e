"""Reads template.yaml: the single source of the functions, routes, stream consumers and the table."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps CloudFormation short-form tags (``!Ref X`` → ``{"Ref": "X"}``)."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_Loader.add_multi_constructor("!", _tag)


@cache
def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as handle:
        return dict(yaml.load(handle, Loader=_Loader))  # a SafeLoader subclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    public: bool = False  # ``Auth: {Authorizer: NONE}``: API Gateway runs no authorizer for it


@dataclass(frozen=True)
class StreamSource:
    filters: tuple[str | dict[str, Any], ...]  # FilterCriteria patterns (JSON text in the template)
    batch_size: int
    #: ``MaximumRetryAttempts`` (-1: the Lambda default, retry until the record expires)
    max_retry_attempts: int = -1
    bisect_on_error: bool = False
    starting_position: str = "TRIM_HORIZON"


@dataclass(frozen=True)
class Schedule:
    expression: Any


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    routes: tuple[Route, ...] = ()
    streams: tuple[StreamSource, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    topics: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        """The operation name: the folder under ``functions/``."""
        return self.code_uri.name

    @property
    def module_path(self) -> Path:
        return self.code_uri / (self.handler.rsplit(".", 1)[0] + ".py")

    @property
    def handler_attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def functions(path: Path = TEMPLATE) -> list[Function]:
    template = load(path)
    globals_ = template.get("Globals", {}).get("Function", {})
    result = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        env = {**globals_.get("Environment", {}).get("Variables", {}),
               **props.get("Environment", {}).get("Variables", {})}
        routes, streams, schedules, topics = [], [], [], []
        for event in (props.get("Events") or {}).values():
            kind, eprops = event["Type"], event.get("Properties", {})
            if kind == "Api":
                public = (eprops.get("Auth") or {}).get("Authorizer") == "NONE"
                routes.append(Route(eprops["Method"].upper(), eprops["Path"], public))
            elif kind == "DynamoDB":
                filters = tuple(f["Pattern"] for f in eprops.get("FilterCriteria", {}).get("Filters", []))
                streams.append(StreamSource(
                    filters, int(eprops.get("BatchSize", 100)),
                    max_retry_attempts=int(eprops.get("MaximumRetryAttempts", -1)),
                    bisect_on_error=bool(eprops.get("BisectBatchOnFunctionError", False)),
                    starting_position=str(eprops.get("StartingPosition", "TRIM_HORIZON")),
                ))
            elif kind in {"Schedule", "ScheduleV2"}:
                schedules.append(Schedule(eprops.get("Schedule") or eprops.get("ScheduleExpression")))
            elif kind == "SNS":
                topics.append(str(eprops.get("Topic")))
        result.append(Function(
            logical_id=logical_id,
            code_uri=(path.parent / props["CodeUri"]).resolve(),
            handler=props.get("Handler", globals_.get("Handler", "app.lambda_handler")),
            environment=env,
            routes=tuple(routes),
            streams=tuple(streams),
            schedules=tuple(schedules),
            topics=tuple(topics),
        ))
    return result


def authorizer_function(path: Path = TEMPLATE) -> Function:
    template = load(path)
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Api":
            continue
        auth = resource["Properties"]["Auth"]
        arn = auth["Authorizers"][auth["DefaultAuthorizer"]]["FunctionArn"]
        # ``!Ref Fn.Alias`` (its SnapStart alias) or ``!GetAtt Fn.Arn``
        logical_id = arn["Ref"].split(".")[0] if "Ref" in arn else arn["Fn::GetAtt"][0]
        return next(f for f in functions(path) if f.logical_id == logical_id)
    raise LookupError("no API with a default authorizer in template.yaml")


def table_definition(path: Path = TEMPLATE, table_name: str = "orgplane") -> dict[str, Any]:
    """``create_table`` arguments for the template's table (on-demand, with its stream)."""
    template = load(path)
    props = next(r["Properties"] for r in template["Resources"].values()
                 if r.get("Type") == "AWS::DynamoDB::Table")
    definition: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in props.get("GlobalSecondaryIndexes", [])
        ],
    }
    if "StreamSpecification" in props:
        definition["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return definition


def ttl_attribute(path: Path = TEMPLATE) -> str | None:
    template = load(path)
    props = next(r["Properties"] for r in template["Resources"].values()
                 if r.get("Type") == "AWS::DynamoDB::Table")
    spec = props.get("TimeToLiveSpecification")
    return str(spec["AttributeName"]) if spec and spec.get("Enabled") else None


@dataclass(frozen=True)
class GatewayResponse:
    """An ``AWS::ApiGateway::GatewayResponse``: what API Gateway itself answers for ``response_type``."""

    response_type: str
    status_code: int | None
    headers: dict[str, str]
    template: str | None


def gateway_responses(path: Path = TEMPLATE) -> dict[str, GatewayResponse]:
    """The template's gateway responses by type (``UNAUTHORIZED``, ``ACCESS_DENIED``, ``DEFAULT_4XX``...)."""
    template = load(path)
    result: dict[str, GatewayResponse] = {}
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::ApiGateway::GatewayResponse":
            continue
        props = resource.get("Properties", {})
        headers = {}
        for name, value in (props.get("ResponseParameters") or {}).items():
            prefix = "gatewayresponse.header."
            if name.startswith(prefix) and isinstance(value, str):
                headers[name[len(prefix):]] = value.strip("'")
        templates = props.get("ResponseTemplates") or {}
        body = templates.get("application/json")
        status = props.get("StatusCode")
        result[str(props["ResponseType"])] = GatewayResponse(
            response_type=str(props["ResponseType"]),
            status_code=int(status) if status is not None else None,
            headers=headers,
            template=body if isinstance(body, str) else None,
        )
    return result
