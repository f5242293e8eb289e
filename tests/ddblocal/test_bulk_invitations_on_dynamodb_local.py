"""The service tier's bulk invitations specification, run against DynamoDB Local."""

from tests.service.test_bulk_invitations import *  # noqa: F403
