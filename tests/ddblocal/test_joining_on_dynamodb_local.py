"""The service tier's joining specification, run against DynamoDB Local."""

from tests.service.test_joining import *  # noqa: F403
