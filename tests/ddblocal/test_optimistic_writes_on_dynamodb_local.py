"""The service tier's optimistic-write specification (one request, exact refusals, a moved event counter
learnt from the cancellation's ALL_OLD) and the guard merging, run against DynamoDB Local."""

from tests.service.test_optimistic_writes import *  # noqa: F403
from tests.service.test_transaction_guards import *  # noqa: F403
