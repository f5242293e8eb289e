"""Crashes of the webhook pipeline on the deployed path (stream → fan-out → SQS FIFO → sender), on moto's
SQS: a failure mid-batch loses no event and reorders none, and a sender that dies after the receiver got
a delivery repeats only that delivery, with the same ``webhook-id`` (what Standard Webhooks' at-least-once
contract allows: the receiver de-duplicates by it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import standardwebhooks
from botocore.client import BaseClient
from botocore.exceptions import EndpointConnectionError

from devserver import loader
from orgplane import config, keys
from orgplane.models.common import ListQuery
from orgplane.models.orgs import CreateOrg, UpdateOrg
from orgplane.models.webhooks import CreateWebhook, DeliveriesQuery
from orgplane.services import orgs, webhooks
from orgplane.store import deliveries as delivery_store
from tests.service.test_org_cleanup_stream import stream_record
from tests.support import world
from tests.support.receiver import Receiver

alice, sam = world.caller("alice"), world.caller("sam", support=True)


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = boto3.client("sqs").create_queue(QueueName="hooks.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    monkeypatch.setenv("WEBHOOK_QUEUE_URL", url)
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOCAL", "true")
    config.reset()
    yield url
    monkeypatch.delenv("WEBHOOK_QUEUE_URL")
    monkeypatch.delenv("WEBHOOKS_ALLOW_LOCAL")
    config.reset()


def fan_out(records: list[dict[str, Any]]) -> dict[str, Any]:
    from functions.fan_out_webhooks import app

    answer: dict[str, Any] = app.lambda_handler({"Records": records}, loader.LambdaContext("fan_out_webhooks"))
    return answer


def drain(queue: str) -> int:
    """What Lambda's SQS poller does, one message at a time: invoke the sender; delete the message when it
    succeeds; when the invocation dies, leave it (it is received again once its visibility lapses, which
    ``VisibilityTimeout=0`` makes at once). Returns how many invocations died."""
    from functions.send_webhooks import app

    sqs, died = boto3.client("sqs"), 0
    for _ in range(50):
        got = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0).get("Messages")
        if not got:
            return died
        record = {"messageId": got[0]["MessageId"], "receiptHandle": got[0]["ReceiptHandle"], "body": got[0]["Body"]}
        try:
            answer = app.lambda_handler({"Records": [record]}, loader.LambdaContext("send_webhooks"))
        except RuntimeError:
            died += 1
            continue
        assert answer == {"batchItemFailures": []}
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=record["receiptHandle"])
    raise AssertionError("the queue never drained")


def test_a_crash_mid_batch_loses_nothing_and_repeats_only_the_delivery_the_receiver_already_had(
        queue: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = webhooks.create(sam, CreateWebhook(url=f"http://127.0.0.1:{receiver.port}/hook")).secret
    org_id = orgs.create(alice, CreateOrg(name="Acme")).id
    for n in range(4):
        orgs.update(alice, org_id, UpdateOrg(name=f"Acme {n}"))
    events = sorted(world.items_of(keys.audit_pk("demo", org_id)), key=lambda item: int(item["sequence"]))
    records = [stream_record(event, n) for n, event in enumerate(events, start=1)]
    assert len(records) == 6  # org.created, member.added (the owner), four renames

    # 1. the fan-out cannot queue the third event (SQS unreachable): the batch stops there
    original = BaseClient._make_api_call  # type: ignore[attr-defined]
    sends: list[dict[str, Any]] = []

    def unreachable_third_send(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "SendMessage":
            sends.append(params)
            if len(sends) == 3:
                raise EndpointConnectionError(endpoint_url=queue)
        return original(client, operation, params)

    with monkeypatch.context() as patched:
        patched.setattr(BaseClient, "_make_api_call", unreachable_third_send)
        assert fan_out(records) == {"batchItemFailures": [{"itemIdentifier": records[2]["dynamodb"]["SequenceNumber"]}]}
    assert len(sends) == 3  # the fourth and fifth were not queued ahead of the third
    assert fan_out(records[2:]) == {"batchItemFailures": []}  # Lambda retries from the failed record

    # 2. the sender dies after the receiver got the second event, before recording the attempt
    second_delivery, record_attempt = "dlv_" + str(events[1]["id"]).split("_", 1)[1], delivery_store.record_attempt
    died: list[str] = []

    def dying_once(item: dict[str, Any], changes: dict[str, Any]) -> bool:
        if item["id"] == second_delivery and not died:
            died.append(item["id"])
            raise RuntimeError("the sender's process died")
        return record_attempt(item, changes)

    monkeypatch.setattr(delivery_store, "record_attempt", dying_once)
    assert drain(queue) == 1

    got = [(headers, body) for headers, body in receiver.received]
    ids = [headers["webhook-id"] for headers, _ in got]
    assert ids == [events[0]["id"], events[1]["id"], *(e["id"] for e in events[1:])]  # only the second, twice
    for headers, body in got:  # every copy signed, as the reference library checks
        standardwebhooks.Webhook(secret).verify(body, headers)
    assert got[1][1] == got[2][1]  # the repeat is the same message
    endpoint = webhooks.list_all(sam, ListQuery()).data[0].id
    deliveries = webhooks.list_deliveries(sam, endpoint, DeliveriesQuery()).data
    assert sorted(d.status for d in deliveries) == ["delivered"] * 6
