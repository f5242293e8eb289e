"""SES for tests: moto's SES v2 API in-process, and the mail it accepted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devserver import outbox
from orgplane.services import delivery

SENDER = "no-reply@example.com"


@contextmanager
def ses() -> Iterator[None]:
    """SES on moto. The moto tier already mocks every service; the DynamoDB Local tier mocks only what
    has no endpoint of its own (its DynamoDB requests go to DynamoDB Local, unmatched by moto)."""
    with ExitStack() as stack:
        if os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"):
            stack.enter_context(mock_aws())
        delivery.reset_client()
        boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
        try:
            yield
        finally:
            delivery.reset_client()


@pytest.fixture
def on_ses() -> Iterator[None]:
    """:func:`ses` as a fixture: ``pytestmark = pytest.mark.usefixtures("on_ses")`` with it imported."""
    with ses():
        yield


def sent() -> list[dict[str, Any]]:
    """Every message SES accepted: recipients, subject, text and HTML parts (as the local outbox shows them)."""
    return outbox.messages()


def raw() -> list[Any]:
    """moto's record of every message SES accepted (``destinations``, ``raw_data``)."""
    return list(outbox._backend().sent_messages)
