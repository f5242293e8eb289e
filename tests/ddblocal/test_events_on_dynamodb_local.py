"""Events numbered per org in their change's transaction, and GET /events, on DynamoDB Local."""

from tests.service.test_events import *  # noqa: F403
