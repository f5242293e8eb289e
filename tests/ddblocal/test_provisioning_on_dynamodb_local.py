"""The provisioning routes (direct add, a user's orgs) and their races, run against DynamoDB Local."""

from tests.service.test_provisioning import *  # noqa: F403
