"""Every mutation's audit event, written in its transaction, on DynamoDB Local."""

from tests.service.test_audit_trail import *  # noqa: F403
