"""Soft delete, restore and purge, with their races, run against DynamoDB Local."""

from tests.service.test_lifecycle import *  # noqa: F403
