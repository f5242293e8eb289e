"""The service tier's concurrency specification, run against DynamoDB Local."""

from tests.service.test_concurrency import *  # noqa: F403
