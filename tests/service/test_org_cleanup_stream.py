"""The org_cleanup stream consumer: driven by CLEANUP job records, partial batch failures reported."""

from __future__ import annotations

from typing import Any

import pytest

from devserver import loader, template
from orgplane import keys
from orgplane.models.orgs import CreateOrg
from orgplane.services import orgs
from orgplane.store import table
from tests.support import world

CLEANUP = next(f for f in template.functions() if f.name == "org_cleanup")


def stream_record(image: dict[str, Any], sequence: int) -> dict[str, Any]:
    raw = table.serialize(image)
    return {
        "eventID": str(sequence), "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:dynamodb:us-east-1:0:table/t/stream/x",
        "dynamodb": {"Keys": {"PK": raw["PK"], "SK": raw["SK"]}, "NewImage": raw,
                     "SequenceNumber": str(sequence), "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def invoke(*records: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = loader.load_handler(CLEANUP)({"Records": list(records)},
                                                          loader.LambdaContext("org_cleanup"))
    return result


def test_each_job_record_removes_one_batch_until_the_org_is_gone() -> None:
    world.put_settings("demo", org_restore_days=0)
    org = orgs.create(world.caller("alice"), CreateOrg(name="Acme", slug="acme"))
    for n in range(3):
        world.add_member(org.id, f"user{n}")
    orgs.delete(world.caller("alice"), org.id)
    for sequence in range(1, 10):
        job = table.get(keys.cleanup("demo", org.id))
        if job is None:
            break
        assert invoke(stream_record(job, sequence)) == {"batchItemFailures": []}
    assert world.items_of(keys.org_pk("demo", org.id)) == []
    assert table.get(keys.cleanup("demo", org.id)) is None


def test_a_repeated_record_after_the_job_finished_is_harmless() -> None:
    world.put_settings("demo", org_restore_days=0)
    org = orgs.create(world.caller("alice"), CreateOrg(name="Acme", slug="acme"))
    orgs.delete(world.caller("alice"), org.id)
    job = table.get(keys.cleanup("demo", org.id))
    assert job is not None
    for sequence in range(1, 5):
        assert invoke(stream_record(job, sequence)) == {"batchItemFailures": []}
    assert table.get(keys.cleanup("demo", org.id)) is None


def test_a_poison_record_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    good = {**keys.cleanup("demo", "org_gone"), "entity": "CLEANUP", "app_id": "demo", "org_id": "org_gone"}
    poison = {**keys.cleanup("demo", "org_bad"), "entity": "CLEANUP", "app_id": "demo"}  # no org_id
    result = invoke(stream_record(good, 1), stream_record(poison, 2))
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
