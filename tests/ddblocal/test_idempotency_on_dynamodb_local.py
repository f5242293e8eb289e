"""The service tier's Idempotency-Key specification, run against DynamoDB Local."""

from tests.service.test_idempotency import *  # noqa: F403
