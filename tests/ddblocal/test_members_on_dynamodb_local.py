"""The service tier's members specification, run against DynamoDB Local."""

from tests.service.test_members import *  # noqa: F403
