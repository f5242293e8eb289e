"""Stream consumer: one bounded batch per CLEANUP job record (deleted orgs, large team cascades)."""

from orgplane import streams
from orgplane.services import cleanup


def handle(job: streams.Image) -> None:
    cleanup.run_job(job)


lambda_handler = streams.entrypoint(handle)
