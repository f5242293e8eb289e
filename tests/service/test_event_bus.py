"""The publish_events stream consumer: every new event onto the EventBridge bus (source ``orgplane``,
detail-type the type, detail the event as ``GET /events`` shows it); a refused entry fails its record."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from devserver import loader, template
from orgplane import config, keys
from orgplane.models.orgs import CreateOrg
from orgplane.services import event_log, orgs
from tests.service.test_org_cleanup_stream import stream_record
from tests.support import world

PUBLISH = next(f for f in template.functions() if f.name == "publish_events")


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A custom bus with a rule copying every orgplane event to a queue the test reads."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name="orgplane-test")
    url = sqs.create_queue(QueueName="copies")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName="orgplane-test", EventPattern=json.dumps({"source": ["orgplane"]}))
    events.put_targets(Rule="all", EventBusName="orgplane-test", Targets=[{"Id": "q", "Arn": arn}])
    monkeypatch.setenv("EVENT_BUS_NAME", "orgplane-test")
    config.reset()
    yield lambda: [json.loads(m["Body"]) for m in sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    monkeypatch.delenv("EVENT_BUS_NAME")
    config.reset()


def invoke(*records: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = loader.load_handler(PUBLISH)({"Records": list(records)},
                                                          loader.LambdaContext("publish_events"))
    return result


def audit_items(org_id: str) -> list[dict[str, Any]]:
    return sorted(world.items_of(keys.audit_pk("demo", org_id)), key=lambda item: item["sequence"])


def test_each_event_is_put_on_the_bus_with_its_type_and_the_event_as_detail(bus: Any) -> None:
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme")).id
    items = audit_items(org_id)
    assert invoke(*(stream_record(item, n) for n, item in enumerate(items, 1))) == {"batchItemFailures": []}
    copies = bus()
    assert [(c["source"], c["detail-type"]) for c in copies] == [("orgplane", "org.created"),
                                                                 ("orgplane", "member.added")]
    assert copies[0]["detail"] == event_log.to_event(items[0]).model_dump(mode="json")


def test_a_refused_entry_fails_only_its_record(bus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    org_id = orgs.create(world.caller("alice"), CreateOrg(name="Acme")).id
    first, second = audit_items(org_id)
    real = boto3.client

    class Refusing:
        def __init__(self) -> None:
            self.inner = real("events")

        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            if Entries[0]["DetailType"] == "member.added":
                return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "ThrottlingException",
                                                            "ErrorMessage": "slow down"}]}
            answer: dict[str, Any] = self.inner.put_events(Entries=Entries)
            return answer

    monkeypatch.setattr(boto3, "client", lambda name, *a, **k: Refusing() if name == "events" else real(name))
    assert invoke(stream_record(first, 1), stream_record(second, 2)) == {
        "batchItemFailures": [{"itemIdentifier": "2"}]}
    assert [c["detail-type"] for c in bus()] == ["org.created"]
