"""SnapStart (docs/cold-start.md): every function is invoked through its alias, whose version moves with the
function's code, configuration and the layer; the API's functions and the authorizer resume from a snapshot,
the background consumers (whose cold start no caller waits on) pay no snapshot cache."""

from __future__ import annotations

from typing import Any

import pytest

from devserver import template

RAW: dict[str, Any] = template.load()
RESOURCES: dict[str, Any] = RAW["Resources"]
GLOBALS: dict[str, Any] = RAW["Globals"]["Function"]
FUNCTIONS = sorted(name for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function")


def _event_types(name: str) -> set[str]:
    return {event["Type"] for event in (RESOURCES[name]["Properties"].get("Events") or {}).values()}


def _authorizer() -> str:
    return template.authorizer_function().logical_id


def test_every_function_is_published_behind_an_alias_and_old_versions_go() -> None:
    assert GLOBALS["AutoPublishAlias"] == "live"
    assert GLOBALS["VersionDeletionPolicy"] == "Delete"  # a replaced version's snapshot stops being billed
    assert GLOBALS["SnapStart"] == {"ApplyOn": {"Ref": "SnapStart"}}
    assert RAW["Parameters"]["SnapStart"]["Default"] == "PublishedVersions"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_new_layer_or_any_property_publishes_a_new_version(function: str) -> None:
    """Without these the alias keeps the old layer: SAM hashes only the code unless told otherwise."""
    assert RESOURCES[function]["Properties"].get("AutoPublishAliasAllProperties") is True, (
        f"{function}: add `AutoPublishAliasAllProperties: true` under its CodeUri (cfn-lint refuses it in Globals)")
    layers = [r for r in RESOURCES.values() if r["Type"] == "AWS::Serverless::LayerVersion"]
    assert layers and all(layer["Properties"].get("PublishLambdaVersion") is True for layer in layers)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_routes_and_the_authorizer_snapstart_and_background_consumers_do_not(function: str) -> None:
    own = RESOURCES[function]["Properties"].get("SnapStart")
    synchronous = function == _authorizer() or _event_types(function) == {"Api"}
    if synchronous:
        assert own is None, f"{function}: a route or the authorizer keeps the global SnapStart setting"
    else:
        assert own == {"ApplyOn": "None"}, f"{function}: a background consumer sets `SnapStart: {{ApplyOn: None}}`"


def test_api_gateway_calls_the_authorizers_alias() -> None:
    api = next(r for r in RESOURCES.values() if r["Type"] == "AWS::Serverless::Api")
    auth = api["Properties"]["Auth"]
    assert auth["Authorizers"][auth["DefaultAuthorizer"]]["FunctionArn"] == {"Ref": f"{_authorizer()}.Alias"}
