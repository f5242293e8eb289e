"""Stream consumer: one delivery per matching webhook endpoint for each new event, queued in order."""

from orgplane import streams
from orgplane.services import webhooks


def handle(event: streams.Image) -> None:
    webhooks.fan_out(event)


lambda_handler = streams.entrypoint(handle, ordered=True)  # an org's events are queued in sequence
