"""What a handler's import does not do (docs/cold-start.md): load Powertools' other resolvers and event
classes, or build models the route does not take or return. Each case imports one handler in a fresh interpreter the way
Lambda does (``bench.imports``: ``app`` from the function's folder, the layer on the path, the template's
environment) and reports what got loaded and which models got built."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench import imports

_REPORT = """
from pydantic import BaseModel
models = {f"{name}.{attr}": value.__pydantic_complete__ for name, mod in list(sys.modules.items())
          if name.startswith("orgplane.models.") for attr, value in vars(mod).items()
          if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name
          and not value.__pydantic_generic_metadata__["parameters"]}
loaded = sorted(sys.modules)
from aws_lambda_powertools.event_handler import AppSyncResolver, APIGatewayRestResolver  # the packages still work
import aws_lambda_powertools.event_handler as package
from aws_lambda_powertools.utilities.data_classes import SQSEvent, APIGatewayProxyEvent
import aws_lambda_powertools.utilities.data_classes as events
from aws_lambda_powertools.utilities.data_classes import api_gateway_proxy_event
print(json.dumps({"loaded": loaded, "models": models,
                  "same_resolver": APIGatewayRestResolver is module.app.__class__,
                  "package_whole": callable(AppSyncResolver) and hasattr(package, "VPCLatticeResolver")
                                   and callable(SQSEvent) and len(events.__all__) > 30
                                   and APIGatewayProxyEvent is api_gateway_proxy_event.APIGatewayProxyEvent}))
"""


def _import(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(imports.report_after_import(name, _REPORT))
    return result


UNUSED_RESOLVERS = ("aws_lambda_powertools.event_handler.appsync", "aws_lambda_powertools.event_handler.bedrock_agent",
                    "aws_lambda_powertools.event_handler.vpc_lattice", "aws_lambda_powertools.event_handler.http_resolver",
                    "asyncio", "aws_lambda_powertools.utilities.data_classes.kinesis_firehose_event",
                    "aws_lambda_powertools.utilities.data_classes.connect_contact_flow_event",
                    "aws_lambda_powertools.utilities.data_classes.s3_event")


@pytest.mark.parametrize(("handler", "built", "unbuilt"), [
    ("get_org", {"orgplane.models.orgs.Org"}, {"orgplane.models.orgs.CreateOrg", "orgplane.models.orgs.UpdateOrg"}),
    ("create_org", {"orgplane.models.orgs.CreateOrg", "orgplane.models.orgs.Org"}, {"orgplane.models.orgs.UpdateOrg"}),
    ("list_members", {"orgplane.models.members.ListMembersQuery", "orgplane.models.members.Member"},
     {"orgplane.models.members.UpdateMember"}),
])
def test_a_handler_loads_one_resolver_its_event_class_and_builds_only_its_routes_models(handler: str, built: set[str],
                                                                       unbuilt: set[str]) -> None:
    found = _import(handler)
    assert [m for m in found["loaded"] if m in UNUSED_RESOLVERS] == []
    assert {name for name in built | unbuilt if found["models"].get(name)} == built
    assert found["same_resolver"] and found["package_whole"]  # later imports of the package see all of it
