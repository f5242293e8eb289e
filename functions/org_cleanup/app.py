"""Stream consumer: removes a deleted org's items one bounded batch per CLEANUP job record."""

from orgplane import streams
from orgplane.services import cleanup


def handle(job: streams.Image) -> None:
    cleanup.run_batch(job["app_id"], job["org_id"])


lambda_handler = streams.entrypoint(handle)
