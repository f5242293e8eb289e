"""The operator surface's searches, user views and activity log paging, run against DynamoDB Local."""

from tests.service.test_admin import *  # noqa: F403
