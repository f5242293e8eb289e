"""The service tier's verified domains specification, run against DynamoDB Local."""

from tests.service.test_domains import *  # noqa: F403
