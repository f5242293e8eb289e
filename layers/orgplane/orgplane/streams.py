"""Stream consumers, written once: Powertools batch processing with partial failure reporting.

A consumer module is::

    lambda_handler = streams.entrypoint(handle_record)

where ``handle_record`` takes the record's new image (plain values) and raises to fail that
record only; the batch reports ``batchItemFailures`` so Lambda retries from the failed record.

``ordered=True`` is for a consumer whose effects must follow the stream's order (the webhook fan-out
queues an org's events in sequence): it stops at the first failed record and reports only that one.
Lambda retries from it, so nothing after it takes effect before it does. The default handles every
record and reports each failure (invitation mail: one poison record does not hold back the others'
mail; the records after it are handled again on the retry, which each consumer makes harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from orgplane.store import table

logger = Logger()

Image = dict[str, Any]


def new_image(record: DynamoDBRecord) -> Image:
    raw = (record.raw_event.get("dynamodb") or {}).get("NewImage") or {}
    return table.deserialize(raw)


def entrypoint(handle: Callable[[Image], None], *,
               ordered: bool = False) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    if ordered:
        return _ordered_entrypoint(handle)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def record_handler(record: DynamoDBRecord) -> None:
        handle(new_image(record))

    @logger.inject_lambda_context(clear_state=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,  # type: ignore[return-value]
                                        context=context)

    return lambda_handler


def _ordered_entrypoint(handle: Callable[[Image], None]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    @logger.inject_lambda_context(clear_state=True)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        for record in event.get("Records") or []:
            stream = record.get("dynamodb") or {}
            try:
                handle(table.deserialize(stream.get("NewImage") or {}))
            except Exception:
                logger.exception("Stream record failed: the batch is retried from it, in order",
                                 extra={"sequence_number": stream.get("SequenceNumber")})
                return {"batchItemFailures": [{"itemIdentifier": stream.get("SequenceNumber", "")}]}
        return {"batchItemFailures": []}

    return lambda_handler
