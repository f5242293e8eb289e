"""Webhook endpoints (their count, updates, rotation, deletes) and their deliveries, run against DynamoDB Local.

The deployed queue's path (SQS FIFO) needs moto's other services: it runs in the service tier only.
"""

from tests.service.test_webhooks import *  # noqa: F403
from tests.service.test_webhooks import (
    test_fan_out_webhooks_and_send_webhooks_keep_a_failed_message_in_flight,
)

del test_fan_out_webhooks_and_send_webhooks_keep_a_failed_message_in_flight  # SQS needs moto: the service tier runs it
