"""Stream consumer: puts every new event (audit record) on the stack's EventBridge bus."""

from orgplane import streams
from orgplane.services import bus


def handle(event: streams.Image) -> None:
    bus.publish(event)


lambda_handler = streams.entrypoint(handle)
