"""The service tier's invite links specification, run against DynamoDB Local."""

from tests.service.test_invite_links import *  # noqa: F403
