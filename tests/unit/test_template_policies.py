"""Least privilege in template.yaml, pinned two ways.

Statically: which function may do what to which resource (BatchWriteItem only for the org cleanup;
the background functions get exactly the table actions their code calls; SES sends on identities and
the stack's configuration set only; the dead-letter queue takes EventBridge messages from the expiry
and domain re-check schedules only; ``DefaultAcceptUrl`` must be an https link holding ``{token}``).

Dynamically: the background handlers (mail delivery, SES feedback, expiry) run on moto while every AWS
call they make is recorded, and each call must be allowed by the function's own policies as the
template declares them. For these three functions the table, secret and SES grants must also all be
used: a grant no code path needs fails the test, as does a code path the grants do not cover.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.client import BaseClient
from moto import mock_aws

from devserver import loader, template

RAW = template.load()
RESOURCES: dict[str, Any] = RAW["Resources"]
FUNCTIONS = {f.logical_id: f for f in template.functions()}

TABLE = "${Table.Arn}"
SECRET = "${TokenSecret}"
SES_IDENTITIES = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"
SES_CONFIGURATION_SET = ("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/"
                         "${InvitationMailConfigurationSet}")

Grant = tuple[str, str]  # (IAM action, resource as written in the template, ${...} for references)

# What each background function's code calls (traced in services/delivery.py, services/expiry.py,
# services/invitations.release, services/audit.record, services/role_usage.hold, services/settings.load,
# config.secret); the dynamic test below proves the tracing.
EXPECTED: dict[str, set[Grant]] = {
    "DeliverInvitationsFunction": {
        ("dynamodb:GetItem", TABLE),  # the in-flight check, the app's settings
        ("dynamodb:UpdateItem", TABLE),  # claim and settle the send
        ("secretsmanager:GetSecretValue", SECRET),  # the link's token
        ("ses:SendEmail", SES_IDENTITIES),
        ("ses:SendEmail", SES_CONFIGURATION_SET),
    },
    "SesFeedbackFunction": {
        ("dynamodb:UpdateItem", TABLE),
    },
    "ExpireInvitationsFunction": {
        ("dynamodb:Query", f"{TABLE}/index/GSI3"),  # due invitations only
        ("dynamodb:BatchGetItem", TABLE),  # the due invitations' items
        ("dynamodb:GetItem", TABLE),  # the app's settings (audit retention)
        ("dynamodb:UpdateItem", TABLE),  # transaction: invitation, org counters, custom role counter
        ("dynamodb:DeleteItem", TABLE),  # transaction: the email claim
        ("dynamodb:PutItem", TABLE),  # transaction: the audit event
    },
    "PublishEventsFunction": {
        ("events:PutEvents", "${EventBus.Arn}"),  # one entry per new event; the table is not read
    },
    "FanOutWebhooksFunction": {
        ("dynamodb:Query", f"{TABLE}/index/GSI2"),  # the app's endpoints
        ("dynamodb:PutItem", TABLE),  # the delivery, if new (a repeated stream record finds it)
        ("dynamodb:GetItem", TABLE),  # the delivery that exists already: queued again, not twice
    },
    "SendWebhooksFunction": {
        ("dynamodb:BatchGetItem", TABLE),  # the endpoint and the delivery
        ("dynamodb:UpdateItem", TABLE),  # the attempt, the endpoint's health
        ("dynamodb:GetItem", TABLE),  # disabling: the app's event counter and settings
        ("dynamodb:PutItem", TABLE),  # disabling: the audit event and the counter
        ("kms:Decrypt", "${WebhookSecretsKey.Arn}"),  # the endpoint's signing secrets
    },
    "RecheckDomainsFunction": {
        ("dynamodb:Query", f"{TABLE}/index/GSI3"),  # due domain claims only
        ("dynamodb:BatchGetItem", TABLE),  # the due claims
        ("dynamodb:GetItem", TABLE),  # the claim's org (still there?), the app's settings
        ("dynamodb:UpdateItem", TABLE),  # transaction: the claim's next check, or the org's domain item
        ("dynamodb:DeleteItem", TABLE),  # transaction: a lost domain's claim
        ("dynamodb:PutItem", TABLE),  # transaction: the audit event
    },
}
PINNED_SERVICES = ("dynamodb:", "secretsmanager:", "ses:", "events:")


def pinned_grant(grant: Grant) -> bool:
    """A grant the function's code uses (not the platform's: the dead-letter key serves the event source
    mapping sending a failed batch)."""
    return grant[0].startswith(PINNED_SERVICES) or (grant[0].startswith("kms:") and "DeadLetter" not in grant[1])


# --- reading the template's policies ----------------------------------------------------------------


def _resource_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    if isinstance(value, dict) and "Ref" in value:
        return "${" + str(value["Ref"]) + "}"
    if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        return str(value["Fn::Sub"])
    return json.dumps(value, sort_keys=True)  # anything else: compared as written


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# the actions of the SAM policy templates this template uses (serverless-application-model's
# policy_templates.json)
_SAM_SQS_TEMPLATES = {
    "SQSSendMessagePolicy": ["sqs:SendMessage*"],
    "SQSPollerPolicy": ["sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
                        "sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
}


def _statements(policy: Any) -> list[dict[str, Any]]:
    """The statements of one entry of a function's ``Policies``: a managed policy of this template
    (``!Ref``), an inline policy document, or a SAM policy template (its resource types as ``*``)."""
    if isinstance(policy, dict) and set(policy) == {"Ref"}:
        resource = RESOURCES[policy["Ref"]]
        assert resource["Type"] == "AWS::IAM::ManagedPolicy", policy
        return list(resource["Properties"]["PolicyDocument"]["Statement"])
    if isinstance(policy, dict) and "Statement" in policy:
        return list(policy["Statement"])
    if isinstance(policy, dict) and len(policy) == 1:
        [(name, parameters)] = policy.items()
        if name in _SAM_SQS_TEMPLATES:  # the queue named by its QueueName: !GetAtt <Queue>.QueueName
            queue = parameters["QueueName"]["Fn::GetAtt"][0]
            return [{"Effect": "Allow", "Action": _SAM_SQS_TEMPLATES[name], "Resource": "${" + queue + ".Arn}"}]
        return [{"Effect": "Allow", "Action": f"sam-policy-template:{name}", "Resource": "*"}]
    raise AssertionError(f"unexpected policy entry {policy!r}")


def grants(logical_id: str) -> set[Grant]:
    """Every (action, resource) the function's own ``Policies`` allow."""
    found: set[Grant] = set()
    for policy in RESOURCES[logical_id]["Properties"].get("Policies") or []:
        for statement in _statements(policy):
            assert statement.get("Effect") == "Allow", f"{logical_id}: {statement}"
            assert "NotAction" not in statement and "NotResource" not in statement, f"{logical_id}: {statement}"
            for action in _listed(statement["Action"]):
                for resource in _listed(statement["Resource"]):
                    found.add((str(action), _resource_text(resource)))
    return found


def allows(granted: set[Grant], action: str, resource: str) -> bool:
    return any(fnmatch.fnmatchcase(action, a) and fnmatch.fnmatchcase(resource, r) for a, r in granted)


# --- static ---------------------------------------------------------------------------------------


def test_only_the_org_cleanup_may_batch_write() -> None:
    batch_writers = {logical_id for logical_id in FUNCTIONS
                     if any(action == "dynamodb:BatchWriteItem" for action, _ in grants(logical_id))}
    assert batch_writers == {"OrgCleanupFunction"}
    assert ("dynamodb:BatchWriteItem", TABLE) in grants("OrgCleanupFunction")


def test_no_shared_table_policy_grants_batch_write_or_wildcards() -> None:
    for logical_id, resource in RESOURCES.items():
        if resource["Type"] != "AWS::IAM::ManagedPolicy":
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            actions = _listed(statement["Action"])
            assert "dynamodb:BatchWriteItem" not in actions, logical_id
            assert all("*" not in action for action in actions), logical_id
            assert "*" not in [_resource_text(r) for r in _listed(statement["Resource"])], logical_id


READ_ONLY = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "secretsmanager:GetSecretValue"}


def test_functions_of_get_routes_can_only_read() -> None:
    readers = [f for f in FUNCTIONS.values() if f.routes and all(r.method == "GET" for r in f.routes)]
    assert len(readers) > 10
    for function in readers:
        actions = {action for action, _ in grants(function.logical_id)}
        assert actions <= READ_ONLY, (function.logical_id, actions - READ_ONLY)


@pytest.mark.parametrize("logical_id", sorted(EXPECTED))
def test_background_functions_get_exactly_the_table_actions_their_code_calls(logical_id: str) -> None:
    policies = RESOURCES[logical_id]["Properties"]["Policies"]
    shared = {p["Ref"] for p in policies if isinstance(p, dict) and set(p) == {"Ref"}}
    assert not shared & {"TableReadPolicy", "TableWritePolicy"}, f"{logical_id} must not take the shared policies"
    pinned = {g for g in grants(logical_id) if pinned_grant(g)}
    assert pinned == EXPECTED[logical_id]


def test_no_function_reaches_the_table_through_a_sam_policy_template_or_a_wildcard() -> None:
    for logical_id in FUNCTIONS:
        for action, resource in grants(logical_id):
            assert not action.startswith("sam-policy-template:DynamoDB"), (logical_id, action)
            if action.startswith(PINNED_SERVICES):
                assert "*" not in action, (logical_id, action)
                assert resource != "*", (logical_id, action)
                if action.startswith("dynamodb:"):
                    assert resource == TABLE or resource.startswith(f"{TABLE}/index/"), (logical_id, action, resource)


def test_ses_sends_only_on_the_accounts_identities_and_the_stacks_configuration_set() -> None:
    senders = {logical_id: {g for g in grants(logical_id) if g[0].startswith("ses:")} for logical_id in FUNCTIONS}
    assert {k: v for k, v in senders.items() if v} == {
        "DeliverInvitationsFunction": {("ses:SendEmail", SES_IDENTITIES), ("ses:SendEmail", SES_CONFIGURATION_SET)},
    }
    assert RESOURCES["InvitationMailConfigurationSet"]["Type"] == "AWS::SES::ConfigurationSet"
    environment = RESOURCES["DeliverInvitationsFunction"]["Properties"]["Environment"]["Variables"]
    assert environment["SES_CONFIGURATION_SET"] == {"Ref": "InvitationMailConfigurationSet"}


def test_the_feedback_topic_is_encrypted_with_a_rotated_key_ses_may_use_for_this_account_only() -> None:
    topic = RESOURCES["InvitationMailFeedbackTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "InvitationMailFeedbackTopicKey"}
    key = RESOURCES["InvitationMailFeedbackTopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    [ses] = [s for s in key["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "ses.amazonaws.com"}]
    assert sorted(ses["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert ses["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


SCHEDULED = ["RecheckDomainsFunction", "ExpireInvitationsFunction"]


def test_the_dead_letter_queue_takes_eventbridge_messages_from_the_schedules_only() -> None:
    # SAM names an event's generated resource <function logical id><event name>
    for function in SCHEDULED:
        events = RESOURCES[function]["Properties"]["Events"]
        assert events["Schedule"]["Type"] == "Schedule"
        dead_letters = events["Schedule"]["Properties"]["DeadLetterConfig"]
        assert dead_letters == {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}  # SAM refuses Arn with Type
    scheduled = [(f"{logical_id}{name}") for logical_id in FUNCTIONS
                 for name, event in (RESOURCES[logical_id]["Properties"].get("Events") or {}).items()
                 if event["Type"] in ("Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent")]
    assert sorted(scheduled) == sorted(f"{f}Schedule" for f in SCHEDULED)
    [statement] = [s for s in RESOURCES["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
                   if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert statement["Effect"] == "Allow" and statement["Action"] == "sqs:SendMessage"
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": [
        {"Fn::GetAtt": ["ExpireInvitationsFunctionSchedule", "Arn"]},
        {"Fn::GetAtt": ["RecheckDomainsFunctionSchedule", "Arn"]}]}}


def _accept_url_pattern() -> re.Pattern[str]:
    parameter = RAW["Parameters"]["DefaultAcceptUrl"]
    assert parameter.get("ConstraintDescription")
    return re.compile(parameter["AllowedPattern"])


def test_the_default_accept_url_parameter_matches_its_own_pattern() -> None:
    assert _accept_url_pattern().fullmatch(RAW["Parameters"]["DefaultAcceptUrl"]["Default"])


@pytest.mark.parametrize("url", [
    "https://example.com/accept?token={token}",
    "https://app.acme.example:8443/invitations/accept?token={token}&src=mail",
    "https://app.acme.example/join/{token}",
    "https://app.acme.example/#/accept/{token}",
    "http://localhost:3000/accept?token={token}",
    "http://127.0.0.1/accept?token={token}",
])
def test_the_default_accept_url_accepts_https_links_and_local_http(url: str) -> None:
    assert _accept_url_pattern().fullmatch(url)


@pytest.mark.parametrize("url", [
    "http://example.com/accept?token={token}",  # http beyond localhost
    "https://example.com/accept",  # no {token}
    "https://example.com/accept?token={TOKEN}",
    "https://{token}.example.com/accept",  # token in the host
    "https:///accept?token={token}",  # no host
    "https://example.com{token}",
    "https://example.com/accept?token={token} ",  # whitespace
    "https://exa mple.com/accept?token={token}",
    "ftp://example.com/accept?token={token}",
    "javascript:alert(1)//{token}",
    "http://localhost.evil.example/accept?token={token}",
    "",
])
def test_the_default_accept_url_refuses_anything_else(url: str) -> None:
    assert not _accept_url_pattern().fullmatch(url)


# --- dynamic: the handlers' calls are covered by their grants -----------------------------------------------

Call = tuple[str, str, dict[str, Any]]  # (botocore service name, operation, parameters)


@contextmanager
def recorded_calls() -> Iterator[list[Call]]:
    calls: list[Call] = []
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls.append((client.meta.service_model.service_name, operation, params))
        return original(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", recording):
        yield calls


_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


def _table_resource(name: str, index: str | None = None) -> str:
    assert name == os.environ["TABLE_NAME"], name
    return f"{TABLE}/index/{index}" if index else TABLE


def needed(call: Call) -> set[Grant]:
    """The IAM (action, resource) pairs that one API call is authorized against."""
    service, operation, params = call
    if service == "dynamodb":
        if operation == "TransactWriteItems":
            return {(f"dynamodb:{_TRANSACT[kind]}", _table_resource(body["TableName"]))
                    for item in params["TransactItems"] for kind, body in item.items()}
        if operation == "TransactGetItems":
            return {("dynamodb:GetItem", _table_resource(i["Get"]["TableName"])) for i in params["TransactItems"]}
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return {(f"dynamodb:{operation}", _table_resource(name)) for name in params["RequestItems"]}
        return {(f"dynamodb:{operation}", _table_resource(params["TableName"], params.get("IndexName")))}
    if service == "secretsmanager":
        assert params["SecretId"] == os.environ["SECRET_ARN"], params
        return {(f"secretsmanager:{operation}", SECRET)}
    if service == "sesv2" and operation == "SendEmail":
        identity = params["FromEmailAddress"].rsplit("<", 1)[-1].strip(">").strip()
        found = {("ses:SendEmail", SES_IDENTITIES.replace("*", identity))}
        if params.get("ConfigurationSetName"):
            assert params["ConfigurationSetName"] == os.environ["SES_CONFIGURATION_SET"]
            found.add(("ses:SendEmail", SES_CONFIGURATION_SET))
        return found
    if service == "events" and operation == "PutEvents":
        assert {e["EventBusName"] for e in params["Entries"]} == {os.environ["EVENT_BUS_NAME"]}, params
        return {("events:PutEvents", "${EventBus.Arn}")}
    if service == "kms":
        return {(f"kms:{operation}", "${WebhookSecretsKey.Arn}")}  # the only key the code names
    if service == "sqs":
        assert params["QueueUrl"] == os.environ["WEBHOOK_QUEUE_URL"], params
        return {(f"sqs:{operation}", "${WebhookQueue.Arn}")}
    raise AssertionError(f"no IAM mapping for {service}.{operation}: add one")


def _check(logical_id: str, calls: list[Call], *, all_used: bool = True) -> None:
    """Every call allowed by the function's own policies; with ``all_used``, every pinned grant used too
    (``False`` where the test drives only some of the function's paths, or its grants are shared)."""
    assert calls, f"{logical_id}: recorded no calls"
    granted = grants(logical_id)
    used = set().union(*(needed(c) for c in calls))
    missing = {g for g in used if not allows(granted, *g)}
    assert not missing, f"{logical_id} calls what its policies do not allow: {sorted(missing)}"
    if not all_used:
        return
    unused = {g for g in granted if pinned_grant(g)
              and not any(fnmatch.fnmatchcase(a, g[0]) and fnmatch.fnmatchcase(r, g[1]) for a, r in used)}
    assert not unused, f"{logical_id} is granted what none of its code paths here call: {sorted(unused)}"


def _stream_event(*images: dict[str, Any]) -> dict[str, Any]:
    from orgplane.store import table

    return {"Records": [{
        "eventID": str(i), "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/s",
        "dynamodb": {"Keys": {"PK": {"S": image["PK"]}, "SK": {"S": image["SK"]}},
                     "NewImage": table.serialize(image), "SequenceNumber": f"{i:021d}", "SizeBytes": 1,
                     "StreamViewType": "NEW_AND_OLD_IMAGES"}}
        for i, image in enumerate(images, start=1)]}


@pytest.fixture
def aws() -> Iterator[None]:
    from tests.support import mail, world

    with world.environment({"SECRET_ARN": "", "SES_CONFIGURATION_SET": ""}), mock_aws():
        world.create_table(world.TEST_ENV["TABLE_NAME"])
        with mail.ses():
            yield


def _deployed_secret_and_configuration_set() -> None:
    """From here on, as deployed: the HMAC key from Secrets Manager, mail under the configuration set."""
    from orgplane import config

    arn = boto3.client("secretsmanager").create_secret(Name="orgplane-token", SecretString="s3cret")["ARN"]
    boto3.client("sesv2").create_configuration_set(ConfigurationSetName="orgplane-invitations")
    os.environ.update({"ORGPLANE_SECRET": "", "SECRET_ARN": arn, "SES_CONFIGURATION_SET": "orgplane-invitations"})
    config.reset()


def test_the_background_handlers_call_only_and_all_of_what_their_policies_grant(aws: None) -> None:
    from functions.deliver_invitations import app as deliver_app
    from functions.expire_invitations import app as expire_app
    from functions.ses_feedback import app as feedback_app
    from orgplane import clock, keys
    from orgplane.models.invitations import CreateInvitation
    from orgplane.models.orgs import CreateOrg
    from orgplane.services import delivery, invitations, orgs
    from orgplane.store import table
    from tests.support import mail, world

    alice = world.caller("alice")
    world.put_settings("demo", roles={"auditor": {"permissions": ["org:read"]}})  # expiry releases a custom role
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id

    def invite(email: str, **fields: Any) -> dict[str, Any]:
        created = invitations.create(alice, org_id, CreateInvitation(email=email, **fields))
        item = table.get(keys.invitation("demo", org_id, created.id))
        assert item is not None
        return item

    mailed, claimed = invite("bob@example.com"), invite("carol@example.com")
    due = invite("dave@example.com", role="auditor", expires_in_seconds=300)
    _deployed_secret_and_configuration_set()
    delivery._claim(claimed)  # a send claimed by another attempt, not settled

    with recorded_calls() as delivery_calls:
        outcome = deliver_app.lambda_handler(_stream_event(mailed, claimed), loader.LambdaContext("deliver_invitations"))
    assert outcome == {"batchItemFailures": [{"itemIdentifier": f"{2:021d}"}]}  # the claimed one: retried later
    assert [m["to"] for m in mail.sent()] == [["bob@example.com"]]
    assert {op for _, op, _ in delivery_calls} >= {"GetItem", "UpdateItem", "GetSecretValue", "SendEmail"}
    _check("DeliverInvitationsFunction", delivery_calls)

    notification = {"eventType": "Delivery", "mail": {"tags": {
        "app_id": ["demo"], "org_id": [org_id], "invitation_id": [mailed["id"]], "send_id": [mailed["send_id"]]}}}
    with recorded_calls() as feedback_calls:
        applied = feedback_app.lambda_handler({"Records": [{"Sns": {"Message": json.dumps(notification)}}]},
                                              loader.LambdaContext("ses_feedback"))
    assert applied == {"outcomes": ["delivered"]}
    _check("SesFeedbackFunction", feedback_calls)

    clock.advance(301)
    with recorded_calls() as expiry_calls:
        assert expire_app.lambda_handler({"detail-type": "Scheduled Event"},
                                         loader.LambdaContext("expire_invitations")) == {"expired": 1,
                                                                                        "transfers_expired": 0,
                                                                                        "purges_started": 0}
    assert table.get(keys.invitation("demo", org_id, due["id"]))["status"] == "expired"  # type: ignore[index]
    _check("ExpireInvitationsFunction", expiry_calls)


def test_the_expiry_job_expires_ownership_transfers_and_starts_purges_within_its_policies(aws: None) -> None:
    from functions.expire_invitations import app as expire_app
    from orgplane import clock, keys
    from orgplane.models.orgs import CreateOrg
    from orgplane.models.ownership import CreateOwnershipTransfer
    from orgplane.services import orgs, ownership
    from orgplane.store import table
    from tests.support import world

    alice = world.caller("alice")
    org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
    world.add_member(org_id, "bob")
    transfer = ownership.request(alice, org_id, CreateOwnershipTransfer(to_user_id="bob"))
    deleted_id = orgs.create(alice, CreateOrg(name="Gone", slug="gone")).id
    orgs.delete(alice, deleted_id)
    clock.advance(31 * 86400)
    with recorded_calls() as expiry_calls:
        assert expire_app.lambda_handler({"detail-type": "Scheduled Event"},
                                         loader.LambdaContext("expire_invitations")) == {
            "expired": 0, "transfers_expired": 1, "purges_started": 1}
    assert table.get(keys.ownership_transfer("demo", org_id, transfer.id))["status"] == "expired"  # type: ignore[index]
    assert table.get(keys.cleanup("demo", deleted_id)) is not None  # the purge's cleanup job
    _check("ExpireInvitationsFunction", expiry_calls)


def test_the_event_consumers_and_the_restore_walk_call_only_what_their_policies_grant(aws: None) -> None:
    """The bus publisher, the webhook fan-out and sender (a failed attempt, a success, then the five days
    of failures that disable the endpoint) and the org cleanup's unhide walk, which announces
    ``member.added`` for each restored member."""
    from functions.fan_out_webhooks import app as fan_out_app
    from functions.org_cleanup import app as cleanup_app
    from functions.publish_events import app as publish_app
    from functions.send_webhooks import app as send_app
    from orgplane import clock, config, keys
    from orgplane.models.common import ListQuery
    from orgplane.models.orgs import CreateOrg, RestoreOrg, UpdateOrg
    from orgplane.models.webhooks import CreateWebhook
    from orgplane.services import lifecycle, orgs, webhooks
    from orgplane.store import table
    from orgplane.webhooks.schedule import DELAYS_SECONDS, DISABLE_AFTER_SECONDS
    from tests.support import world
    from tests.support.receiver import Receiver

    receiver = Receiver()
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="hooks.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    boto3.client("events").create_event_bus(Name="orgplane-events")
    key = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    os.environ.update({"WEBHOOK_QUEUE_URL": queue, "EVENT_BUS_NAME": "orgplane-events", "WEBHOOK_KMS_KEY_ID": key,
                       "WEBHOOKS_ALLOW_LOCAL": "true"})
    config.reset()
    try:
        alice, sam = world.caller("alice"), world.caller("sam", support=True)
        webhooks.create(sam, CreateWebhook(url=f"http://127.0.0.1:{receiver.port}/hook"))
        org_id = orgs.create(alice, CreateOrg(name="Acme", slug="acme")).id
        created = min(world.items_of(keys.audit_pk("demo", org_id)), key=lambda i: i["sequence"])

        with recorded_calls() as publish_calls:
            assert publish_app.lambda_handler(_stream_event(created), loader.LambdaContext("publish_events")) == {
                "batchItemFailures": []}
        _check("PublishEventsFunction", publish_calls)

        with recorded_calls() as fan_out_calls:
            for _ in range(2):  # the second time, a repeated stream record: the delivery exists already
                fan_out_app.lambda_handler(_stream_event(created), loader.LambdaContext("fan_out_webhooks"))
        _check("FanOutWebhooksFunction", [c for c in fan_out_calls if c[0] != "sqs"])
        _check("FanOutWebhooksFunction", fan_out_calls, all_used=False)  # SendMessage: the queue's policy

        def message() -> dict[str, Any]:
            got = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"][0]
            return {"messageId": got["MessageId"], "receiptHandle": got["ReceiptHandle"], "body": got["Body"]}

        receiver.fail[org_id] = 1000  # every attempt fails until the endpoint is disabled
        with recorded_calls() as send_calls:
            record = message()
            for delay in (0, *DELAYS_SECONDS):  # the first delivery fails through its ~27 hours of retries
                clock.advance(delay)
                send_app.lambda_handler({"Records": [record]}, loader.LambdaContext("send_webhooks"))
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=record["receiptHandle"])  # as Lambda does
        clock.advance(DISABLE_AFTER_SECONDS)  # a later event, still failing: the endpoint is disabled
        orgs.update(alice, org_id, UpdateOrg(name="Acme 2"))
        webhooks.fan_out(max(world.items_of(keys.audit_pk("demo", org_id)), key=lambda i: i["sequence"]))
        with recorded_calls() as disabling_calls:
            send_app.lambda_handler({"Records": [message()]}, loader.LambdaContext("send_webhooks"))
        send_calls += disabling_calls
        endpoint = webhooks.list_all(sam, ListQuery()).data[0]
        assert endpoint.enabled is False
        _check("SendWebhooksFunction", [c for c in send_calls if c[0] != "sqs"])
        _check("SendWebhooksFunction", send_calls, all_used=False)

        orgs.delete(alice, org_id)
        for kind in (lifecycle.HIDE,):
            job = table.get(keys.lifecycle_job("demo", org_id, kind))
            assert job is not None
            lifecycle.run_walk(job)
        lifecycle.restore(sam, org_id, RestoreOrg())
        job = table.get(keys.lifecycle_job("demo", org_id, lifecycle.UNHIDE))
        assert job is not None
        with recorded_calls() as walk_calls:
            cleanup_app.lambda_handler(_stream_event(job), loader.LambdaContext("org_cleanup"))
        assert "member.added" in [i["action"] for i in world.items_of(keys.audit_pk("demo", org_id))]
        _check("OrgCleanupFunction", walk_calls, all_used=False)  # shared table policies: checked as allowed
    finally:
        receiver.close()
        for name in ("WEBHOOK_QUEUE_URL", "EVENT_BUS_NAME", "WEBHOOK_KMS_KEY_ID", "WEBHOOKS_ALLOW_LOCAL"):
            os.environ.pop(name, None)
        config.reset()
