"""Stream consumer: sends each queued invitation mail once (SES v2), records its delivery state."""

from orgplane import streams
from orgplane.services import delivery


def handle(invitation: streams.Image) -> None:
    delivery.deliver(invitation)


lambda_handler = streams.entrypoint(handle)
