"""The service tier's teams specification (rules, cascades and races), run against DynamoDB Local."""

from tests.service.test_teams import *  # noqa: F403
