"""Scheduled job: looks the TXT records of due verified domains up again (reads only the due ones, via GSI3)."""

from typing import Any

from aws_lambda_powertools import Logger

from orgplane.services import domain_checks

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    counts = domain_checks.run()
    logger.info("domains re-checked", extra=counts)
    return counts
