"""The service tier's email identity specification, run against DynamoDB Local."""

from tests.service.test_email_identity import *  # noqa: F403
