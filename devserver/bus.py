"""``GET /_local/events``: what reached the event bus, newest last.

The publisher function puts events on EventBridge through the real API; locally that API is the
embedded moto server, in this process. At start-up the bus is created there with one rule that copies
everything of source ``orgplane`` to an SQS queue; this route reads that queue's messages from moto's
backend without consuming them (``DELETE`` empties it).
"""

from __future__ import annotations

import json
import os
from typing import Any

from devserver.local_routes import LocalRequest

BUS_NAME = "orgplane-local"
COPIES_QUEUE = "orgplane-local-bus-copies"


def create_bus() -> None:
    import boto3

    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name=BUS_NAME)
    url = sqs.create_queue(QueueName=COPIES_QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all-orgplane-events", EventBusName=BUS_NAME, EventPattern=json.dumps({"source": ["orgplane"]}))
    events.put_targets(Rule="all-orgplane-events", EventBusName=BUS_NAME, Targets=[{"Id": "copies", "Arn": arn}])


def _queue() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    return sqs_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_REGION", "us-east-1")].queues.get(COPIES_QUEUE)


def copies() -> list[dict[str, Any]]:
    queue = _queue()
    return [json.loads(message.body) for message in list(queue._messages)] if queue is not None else []


def list_events(request: LocalRequest) -> tuple[int, Any]:
    return 200, {"data": [{"source": c["source"], "detail_type": c["detail-type"], "detail": c["detail"],
                           "time": c.get("time")} for c in copies()]}


def clear_events(request: LocalRequest) -> tuple[int, Any]:
    queue = _queue()
    if queue is not None:
        queue._messages.clear()
    return 204, None
