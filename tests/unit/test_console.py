"""The web console's fixed points: its permission list, the registry's console clients, the published
config, the static files the local server serves, and the optional static site in template.yaml."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devserver import console, template
from orgplane.access import PERMISSIONS
from orgplane.identity.apps import RegistryError, load_registry
from scripts import publish_console

ROOT = Path(__file__).resolve().parents[2]
APP = {"issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
       "jwks_url": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json",
       "client_ids": ["web", "console"]}
CONSOLE_CLIENT = {"client_id": "console", "domain": "https://acme.auth.eu-west-1.amazoncognito.com"}


def _js_strings(path: str, name: str) -> list[str]:
    text = (ROOT / "console" / "js" / path).read_text()
    block = re.search(rf"export const {name} = \[(.*?)\];", text, re.S)
    assert block, f"{path} has no {name}"
    return re.findall(r'"([^"]+)"', block.group(1))


def test_the_console_knows_exactly_the_api_permissions_in_order() -> None:
    assert _js_strings("permissions.js", "PERMISSIONS") == list(PERMISSIONS)


def test_pending_console_areas_wait_for_routes_that_do_not_exist_yet() -> None:
    """A slot names the route it waits for; once that route is in template.yaml this fails, as a
    reminder to build the area (and never before: the console calls no route that is not there)."""
    text = (ROOT / "console" / "js" / "areas" / "slots.js").read_text()
    waits = re.findall(r'waitsFor: "(GET|POST) ([^"?]+)(\?[^"]*)?"', text)
    assert {m[1] for m in waits} >= {"/orgs/{org_id}/sso"}  # the commented example only: every slot has been built
    routes = {(r.method, r.path) for f in template.functions() for r in f.routes}
    landed = [f"{method} {path}{query}" for method, path, query in waits
              if (method, path) in routes and not query]
    assert landed == [], f"build these console areas now: {landed}"


def test_registry_accepts_a_console_client_among_the_app_clients() -> None:
    app = load_registry(json.dumps({"acme": {**APP, "console": CONSOLE_CLIENT}}))["acme"]
    assert app.console is not None
    assert (app.console.client_id, app.console.domain) == ("console", CONSOLE_CLIENT["domain"])
    assert load_registry(json.dumps({"acme": APP}))["acme"].console is None


@pytest.mark.parametrize("bad", [
    {"client_id": "elsewhere", "domain": CONSOLE_CLIENT["domain"]},
    {"client_id": "console", "domain": "http://acme.auth.eu-west-1.amazoncognito.com"},
    {"client_id": "console", "domain": "https://acme.auth.eu-west-1.amazoncognito.com/login"},
    {"client_id": "console", "domain": "https://user:pw@acme.example.com"},
    {"client_id": "console"},
    {"client_id": "", "domain": CONSOLE_CLIENT["domain"]},
    {**CONSOLE_CLIENT, "secret": "x"},
    "console",
])
def test_registry_refuses_a_console_client_that_could_not_sign_in_safely(bad: Any) -> None:
    with pytest.raises(RegistryError, match="console"):
        load_registry(json.dumps({"acme": {**APP, "console": bad}}))


def test_published_config_lists_only_apps_with_a_console_client() -> None:
    registry = json.dumps({"acme": {**APP, "console": CONSOLE_CLIENT},
                           "plain": {**APP, "issuer": "https://issuer.example.com/p",
                                     "jwks_url": "https://issuer.example.com/p/jwks.json"}})
    assert publish_console.console_config(registry) == {"mode": "cognito", "apps": [
        {"id": "acme", "label": "acme", "client_id": "console", "domain": CONSOLE_CLIENT["domain"]}]}


def test_publish_uploads_every_console_file_and_its_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="console-bucket")
        keys = publish_console.publish(s3, "console-bucket", json.dumps({"acme": {**APP, "console": CONSOLE_CLIENT}}))
        assert "console/index.html" in keys and "console/js/main.js" in keys
        index = s3.get_object(Bucket="console-bucket", Key="console/index.html")
        assert index["ContentType"].startswith("text/html")
        module = s3.get_object(Bucket="console-bucket", Key="console/js/main.js")
        assert module["ContentType"].startswith("text/javascript")
        config = json.loads(s3.get_object(Bucket="console-bucket", Key="console/config.json")["Body"].read())
        assert config["mode"] == "cognito" and config["apps"][0]["client_id"] == "console"


def test_publish_refuses_a_registry_where_nobody_could_sign_in() -> None:
    with pytest.raises(SystemExit, match="console client"):
        publish_console.publish(None, "b", json.dumps({"acme": APP}))


@pytest.mark.parametrize("path", ["/console/../devserver/server.py", "/console/js/../../README.md",
                                  "/console/%2e%2e/Makefile", "/console/nothing.js", "/console/js"])
def test_the_local_server_serves_nothing_outside_the_console_folder(path: str) -> None:
    status, headers, _ = console.static_file(path)
    assert status == 404
    assert headers["Content-Security-Policy"] == console.CONTENT_SECURITY_POLICY


def test_the_local_server_serves_the_console_with_its_strict_policy() -> None:
    status, headers, body = console.static_file("/console/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"js/main.js" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe" not in headers["Content-Security-Policy"]
    status, headers, body = console.static_file("/console/config.json")
    assert json.loads(body) == {"mode": "local"}


def test_console_files_hold_no_inline_script_style_or_remote_url() -> None:
    for path in (ROOT / "console").rglob("*"):
        if path.suffix not in (".html", ".js", ".css"):
            continue
        text = path.read_text()
        assert "<script>" not in text and " style=" not in text and ".innerHTML" not in text, path
        assert not re.search(r"https?://(?!\$\{)", text.replace("http://www.w3.org", "")), path


# ---------------------------------------------------------------- template.yaml


def _console_resources() -> dict[str, Any]:
    resources = template.load()["Resources"]
    return {k: v for k, v in resources.items() if k.startswith("Console")}


def test_the_console_site_is_optional_by_parameter() -> None:
    raw = template.load()
    assert raw["Parameters"]["ConsoleEnabled"]["Default"] == "false"
    resources = _console_resources()
    assert set(resources) >= {"ConsoleBucket", "ConsoleBucketPolicy", "ConsoleOriginAccessControl", "ConsoleApiCachePolicy",
                              "ConsoleHeadersPolicy", "ConsoleDistribution"}
    assert {r.get("Condition") for r in resources.values()} == {"HasConsole"}


def test_the_console_bucket_is_private_and_read_only_through_origin_access_control() -> None:
    resources = _console_resources()
    block = resources["ConsoleBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                   "RestrictPublicBuckets"), True)
    statements = resources["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allow) == 1 and allow[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow[0]["Action"] == "s3:GetObject" and "AWS:SourceArn" in allow[0]["Condition"]["StringEquals"]
    origins = resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]["Origins"]
    s3_origin = next(o for o in origins if o["Id"] == "console")
    assert "OriginAccessControlId" in s3_origin
    assert resources["ConsoleOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"


def test_the_deployed_policy_is_the_local_one_plus_the_cognito_login_domains() -> None:
    config = _console_resources()["ConsoleHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    csp = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    assert csp["Override"] is True
    value = csp["ContentSecurityPolicy"]
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    stripped = text.replace(" https://*.auth.${AWS::Region}.amazoncognito.com ${ConsoleAuthOrigins}", "")
    assert stripped == console.CONTENT_SECURITY_POLICY
    behaviors = _console_resources()["ConsoleDistribution"]["Properties"]["DistributionConfig"]["CacheBehaviors"]
    assert [b["ResponseHeadersPolicyId"] for b in behaviors if b["TargetOriginId"] == "console"] == [
        {"Ref": "ConsoleHeadersPolicy"}]


def test_no_local_route_reaches_the_template() -> None:
    assert "/_local" not in (ROOT / "template.yaml").read_text()


def test_the_api_behind_the_distribution_gets_the_callers_token_and_is_not_cached() -> None:
    resources = _console_resources()
    default = resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "api" and default["CachePolicyId"] == {"Ref": "ConsoleApiCachePolicy"}
    policy = resources["ConsoleApiCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert policy["DefaultTTL"] == 0 and policy["MinTTL"] == 0
    assert policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"] == ["Authorization"]
