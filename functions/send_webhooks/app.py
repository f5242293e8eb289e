"""SQS FIFO consumer: one delivery attempt per message; a failed one waits (visibility) and blocks its group."""

from typing import Any

from orgplane.services import webhooks


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        if failures or not webhooks.handle_message(record):  # FIFO: nothing after a failure goes now
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
