"""Every event onto the stack's EventBridge bus: ``source`` ``orgplane``, ``detail-type`` the event type,
``detail`` the event, exactly as ``GET /events`` shows it.

The publisher is a consumer of the table's stream (new audit items): a failed ``PutEvents`` entry
fails its record, which the event source mapping retries and, in the end, parks in the dead-letter
queue. At least once: a retried batch may put an event twice; rules de-duplicate by ``detail.id``.
"""

from __future__ import annotations

import json
from typing import Any

from orgplane import config
from orgplane.services.event_log import to_event

SOURCE = "orgplane"


class NotPublished(Exception):
    """EventBridge refused the entry (throttled, internal error): the record is retried."""


def entry(image: dict[str, Any]) -> dict[str, Any]:
    event = to_event(image)
    return {"Source": SOURCE, "DetailType": event.type, "Detail": json.dumps(event.model_dump(mode="json")),
            "EventBusName": config.settings().event_bus_name}


def publish(image: dict[str, Any], client: Any = None) -> None:
    if client is None:
        import boto3

        client = boto3.client("events")
    answer = client.put_events(Entries=[entry(image)])
    if answer.get("FailedEntryCount"):
        failed = answer["Entries"][0]
        raise NotPublished(f"{failed.get('ErrorCode')}: {failed.get('ErrorMessage')}")
