"""The service tier's rate limits specification, run against DynamoDB Local."""

from tests.service.test_rate_limits import *  # noqa: F403
