"""Scheduled job: marks due pending invitations and ownership transfers ``expired`` and starts the purge of
deleted orgs whose restore window has closed (reads only the due ones, via GSI3)."""

from typing import Any

from aws_lambda_powertools import Logger

from orgplane.services import expiry

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    outcome = {"expired": expiry.run(), "transfers_expired": expiry.run_transfers(),
               "purges_started": expiry.run_purges()}
    logger.info("expiry run", extra=outcome)
    return outcome
