"""The ownership transfer specification and its races, run against DynamoDB Local."""

from tests.service.test_ownership import *  # noqa: F403
from tests.service.test_ownership_races import *  # type: ignore[assignment]  # noqa: F403  (each test keeps its own module's offer helper)
