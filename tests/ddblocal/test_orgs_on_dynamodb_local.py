"""The service tier's orgs specification, run against DynamoDB Local."""

from tests.service.test_orgs import *  # noqa: F403
