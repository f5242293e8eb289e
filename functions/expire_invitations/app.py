"""Scheduled job: marks due pending invitations and ownership transfers ``expired`` (reads only the due
ones, via GSI3)."""

from typing import Any

from aws_lambda_powertools import Logger

from orgplane.services import expiry

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    expired = expiry.run()
    transfers = expiry.run_transfers()
    logger.info("invitations and ownership transfers expired",
                extra={"expired": expired, "transfers_expired": transfers})
    return {"expired": expired, "transfers_expired": transfers}
