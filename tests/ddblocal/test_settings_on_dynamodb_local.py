"""The service tier's settings and custom-role specification, run against DynamoDB Local."""

from tests.service.test_settings import *  # noqa: F403
