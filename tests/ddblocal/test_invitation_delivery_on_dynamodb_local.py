"""Delivery once per send (duplicate and racing records) and the expiry job, on DynamoDB Local."""

from tests.service.test_invitation_delivery import *  # noqa: F403
