"""POST /authz/check (live batched checks), run against DynamoDB Local."""

from tests.service.test_authz_check import *  # noqa: F403
