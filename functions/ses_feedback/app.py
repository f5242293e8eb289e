"""SNS consumer: SES delivery, bounce and complaint events set the invitation's delivery status."""

from typing import Any

from aws_lambda_powertools import Logger

from orgplane.services import delivery

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    outcomes = [delivery.feedback(delivery.parse_sns_message(record)) for record in event.get("Records", [])]
    logger.info("ses feedback applied", extra={"outcomes": outcomes})
    return {"outcomes": outcomes}
