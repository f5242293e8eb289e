"""Racing role deletes and assignments, and racing settings patches, on DynamoDB Local."""

from tests.service.test_settings_concurrency import *  # noqa: F403
