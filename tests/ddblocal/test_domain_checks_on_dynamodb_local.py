"""The service tier's domain re-check specification, run against DynamoDB Local."""

from tests.service.test_domain_checks import *  # noqa: F403
