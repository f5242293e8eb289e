"""The service tier's member authority specification, run against DynamoDB Local."""

from tests.service.test_member_authority import *  # noqa: F403
