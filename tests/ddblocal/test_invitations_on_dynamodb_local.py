"""The service tier's invitations specification (races included), run against DynamoDB Local."""

from tests.service.test_invitations import *  # noqa: F403
