"""The local server's API Gateway rules, checked without starting it: routing, policies, context."""

from __future__ import annotations

from typing import Any

from devserver import template
from devserver.gateway_rules import ApiRoute, authorizer_context, policy_decision, proxy_reply

ARN = "arn:aws:execute-api:us-east-1:000000000000:local/local/GET/orgs/o1"
FUNCTION = template.Function(logical_id="F", code_uri=template.ROOT / "functions" / "f", handler="app.h",
                             environment={})


def route(path: str, method: str = "GET") -> ApiRoute:
    return ApiRoute(method, path, tuple(s for s in path.strip("/").split("/") if s), FUNCTION)


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"principalId": "demo|alice", "policyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}


def test_path_templates_match_whole_non_empty_segments() -> None:
    assert route("/orgs/{org_id}").match(["orgs", "o1"]) == {"org_id": "o1"}
    assert route("/orgs/{org_id}").match(["orgs", ""]) is None
    assert route("/orgs/{org_id}").match(["orgs", "o1", "members"]) is None
    assert route("/orgs").match(["orgs"]) == {}
    assert route("/files/{path+}").match(["files", "a", "b"]) == {"path": "a/b"}


def test_literal_segments_win_over_parameters() -> None:
    literal, param = route("/invitations/accept", "POST"), route("/invitations/{invitation_id}", "POST")
    ordered = sorted([param, literal], key=lambda r: r.specificity, reverse=True)
    assert ordered[0] is literal


def test_allow_covering_the_method_arn_allows() -> None:
    allow = {"Effect": "Allow", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-1:000000000000:local/local/*/*"}
    assert policy_decision(policy(allow), ARN) is True


def test_explicit_deny_wins_and_no_matching_allow_denies() -> None:
    allow = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}
    deny = {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": ARN}
    assert policy_decision(policy(allow, deny), ARN) is False
    other = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ARN.replace("GET", "POST")}
    assert policy_decision(policy(other), ARN) is False


def test_a_result_without_principal_or_policy_is_invalid() -> None:
    assert policy_decision({"policyDocument": {"Statement": []}}, ARN) is None
    assert policy_decision({"principalId": "x"}, ARN) is None


def test_authorizer_context_is_passed_as_strings() -> None:
    result = {**policy(), "context": {"app_id": "demo", "n": 3, "support": False}}
    assert authorizer_context(result) == {"principalId": "demo|alice", "app_id": "demo", "n": "3",
                                           "support": "false"}
    assert authorizer_context({**policy(), "context": {"nested": {"a": 1}}}) is None


def test_proxy_responses_merge_single_and_multi_value_headers() -> None:
    reply = proxy_reply({"statusCode": 201, "headers": {"X-A": "1"},
                          "multiValueHeaders": {"Content-Type": ["application/json"]}, "body": "{}"})
    assert reply is not None
    assert reply.status == 201 and reply.headers == {"X-A": "1", "Content-Type": "application/json"}
    assert proxy_reply({"body": "no status"}) is None
